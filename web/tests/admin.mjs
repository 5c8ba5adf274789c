// The organization's webhook settings and the admin's pages, in real browsers, against a real HTTP receiver
// started here. A cleaning order is offered to a demo organization; its staff member points the webhook at
// the receiver and sees the signing secret once (gone after a reload, new after a rotation, and the one the
// receiver's calls are signed with). The receiver fails the first call, which Linli (started with one
// attempt per delivery) gives up on; the admin finds the dead letter, and once the receiver is fixed replays
// it, and the call arrives. The admin also finds providers and accounts, disables and enables an account
// (and finds that in the audit log), changes an item's dispatch settings, and reads the jobs' last runs.
// axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/admin.mjs --base URL --shots DIR
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import { call, itemId, login, order } from './api.mjs'
import { WAIT, accessible, args, expectedRefusals, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base

/** A webhook receiver that answers `status` and keeps what it got. */
const receiver = { status: 500, calls: [] }
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    receiver.calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: receiver.status })
    res.writeHead(receiver.status).end()
  })
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const hookUrl = `http://127.0.0.1:${server.address().port}/linli`

await scenario(async () => {
  try {
    return await run()
  } finally {
    server.close()
  }
})

async function run() {
  // A cleaning order, offered to the demo organizations; the first one offered it sets up its webhook.
  const resident = await login(base, 'resident')
  const id = await order(base, resident, await itemId(base, '日常保洁'))
  let staffLogin = null
  let staffToken = null
  await until('the offer', async () => {
    for (let n = 1; n <= 5 && !staffLogin; n++) {
      const token = await login(base, `org00${n}`)
      const { offers } = await call(base, 'GET', '/offers?limit=100', token)
      if (offers.some((o) => o.order.id === id)) [staffLogin, staffToken] = [`org00${n}`, token]
    }
    return staffLogin
  })

  // The settings page asks for the webhook, which is not set yet: 404.
  expectedRefusals.push(/\/api\/v1\/provider\/webhook$/)
  const staff = await page(base)
  await signIn(staff, staffLogin)
  await staff.getByRole('tab', { name: '我的', exact: true }).click()
  await staff.getByText('订单推送设置', { exact: true }).click()
  await staff.waitForURL(/#\/provider\/webhook/, { timeout: WAIT })
  await staff.getByLabel('接收地址').fill(hookUrl)
  await staff.getByRole('button', { name: '保存' }).click()
  const secretCell = staff.getByTestId('webhook-secret')
  await secretCell.waitFor({ timeout: WAIT })
  const first = (await secretCell.innerText()).split('\n').pop().trim()
  await accessible(staff, 'webhook')
  await shoot(staff, 'webhook')
  await staff.reload()
  await staff.getByText('更换签名密钥').waitFor({ timeout: WAIT })
  if ((await secretCell.count()) !== 0) fail('the webhook secret is shown again after a reload')
  await staff.getByRole('button', { name: '更换签名密钥' }).click()
  await secretCell.waitFor({ timeout: WAIT })
  const secret = (await secretCell.innerText()).split('\n').pop().trim()
  if (!secret || secret === first) fail(`rotating gave ${secret}, after ${first}`)

  // The accepted order's event goes to the receiver, which fails it: one attempt, then a dead letter.
  await call(base, 'POST', `/orders/${id}/accept`, staffToken)
  await until('the first webhook call', () => receiver.calls.length > 0)

  const admin = await page(base, 1280)
  await signIn(admin, 'admin')
  await admin.waitForURL(/#\/admin$/, { timeout: WAIT })
  await accessible(admin, 'admin')
  await admin.getByText('推送与短信失败记录', { exact: true }).click()
  const dead = admin.locator('[data-delivery]').filter({ hasText: 'webhook' }).first()
  await until('the dead letter', async () => {
    await admin.getByRole('tab', { name: '待发送', exact: true }).click()
    await admin.getByRole('tab', { name: '已放弃', exact: true }).click()
    return (await dead.count()) > 0
  })
  await accessible(admin, 'dead letters')
  await shoot(admin, 'dead-letters')
  receiver.status = 200
  const before = receiver.calls.length
  await dead.getByRole('button', { name: '重新发送' }).click()
  await until('the replayed call', () => receiver.calls.slice(before).some((c) => c.status === 200))
  const replayed = receiver.calls.slice(before).find((c) => c.status === 200)
  const [t, v1] = String(replayed.headers['linli-signature']).split(',').map((p) => p.split('=')[1])
  if (createHmac('sha256', secret).update(`${t}.${replayed.body}`).digest('hex') !== v1) fail('the replayed call is not signed with the secret shown')
  await admin.getByRole('tab', { name: '已送达', exact: true }).click()
  await admin.locator('[data-delivery]').first().waitFor({ timeout: WAIT })
  await admin.goBack()

  // Providers and accounts.
  await admin.getByText('服务机构', { exact: true }).click()
  await admin.locator('[data-provider]').first().waitFor({ timeout: WAIT })
  await accessible(admin, 'providers')
  await shoot(admin, 'providers')
  await admin.goBack()
  await call(base, 'POST', '/admin/accounts', await login(base, 'admin'), { username: 'temp-clerk', password: 'clerk-pass-1', display_name: '临时工作人员', role: 'community_worker', community_id: 1 })
  await admin.getByText('账号', { exact: true }).click()
  await admin.getByLabel('查找').fill('temp')
  await admin.getByRole('button', { name: '查询' }).click()
  const clerk = admin.locator('[data-account="temp-clerk"]')
  await clerk.waitFor({ timeout: WAIT })
  await clerk.getByRole('button', { name: '停用' }).click()
  await clerk.getByRole('button', { name: '启用' }).waitFor({ timeout: WAIT })
  await accessible(admin, 'accounts')
  await shoot(admin, 'accounts')
  await clerk.getByRole('button', { name: '启用' }).click()
  await clerk.getByRole('button', { name: '停用' }).waitFor({ timeout: WAIT })
  await admin.goBack()

  // The audit log tells of both.
  await admin.getByText('操作日志', { exact: true }).click()
  await admin.locator('[data-audit="account.disabled"]').first().waitFor({ timeout: WAIT })
  await admin.locator('[data-audit="account.enabled"]').first().waitFor({ timeout: WAIT })
  await accessible(admin, 'audit')
  await admin.goBack()

  // An item's dispatch settings.
  await admin.getByText('服务事项', { exact: true }).click()
  const item = admin.locator('[data-item]').filter({ hasText: '日常保洁' }).first()
  await item.click()
  await admin.getByLabel('最多轮数').fill('5')
  await admin.getByRole('button', { name: '保存' }).click()
  await until('the new settings shown', async () => (await item.innerText()).includes('最多 5 轮'))
  const items = await call(base, 'GET', '/catalog/items?limit=100')
  if (items.items.find((i) => i.name === '日常保洁')?.max_rounds !== 5) fail('the dispatch settings were not saved')
  await accessible(admin, 'catalog settings')
  await admin.goBack()

  // The jobs' last runs.
  await admin.getByText('定时任务', { exact: true }).click()
  await admin.locator('[data-job-run="deliver_outbox"]').waitFor({ timeout: WAIT })
  await accessible(admin, 'jobs')
  await shoot(admin, 'jobs')
  return `admin passed: secret shown once and rotated, dead letter replayed and signed, account disabled and enabled, audited, settings saved`
}
