// The live loop in a real browser (headless Chromium through playwright-core): a resident signs up with the
// texted code and books a cleaning; the demo organizations' staff, each in a browser of their own, see the
// offer arrive without reloading; one accepts; the resident's page shows it accepted and the others see it
// gone, again without reloading. Then axe-core checks the pages, and screenshots at 360 and 1280 px wide are
// written for a person to look at.
//
//   node tests/live.mjs --resident-base URL --staff-base URL --data DIR --shots DIR
//
// The two bases may be two `serve` replicas of one deployment. DIR is the resident's server's data folder,
// where the development SMS adapter writes sms.log. Exits non-zero with the reason on any failure.
import { pickCommunity } from './api.mjs'
import { WAIT, accessible, args, page, scenario, shoot, signIn, textedCode, until } from './browser.mjs'

const residentBase = args['resident-base']
const staffBase = args['staff-base'] ?? residentBase

await scenario(async () => {
  // The demo organizations' job boards, open before anything is ordered.
  const boards = []
  for (let n = 1; n <= 5; n++) {
    const p = await page(staffBase)
    await signIn(p, `org00${n}`)
    await p.waitForURL(/#\/jobs/, { timeout: WAIT })
    boards.push(p)
  }

  // A resident signs up with the code texted to a new number.
  const resident = await page(residentBase)
  await resident.getByRole('button', { name: '没有账号？注册' }).click()
  await resident.waitForURL(/#\/sign-up/, { timeout: WAIT })
  await accessible(resident, 'sign-up')
  await shoot(resident, 'sign-up')
  const phone = `139${String(Date.now()).slice(-8)}`
  await resident.getByLabel('手机号').fill(phone)
  await resident.getByRole('button', { name: '获取验证码' }).click()
  const code = await until('the texted code', () => textedCode(phone))
  await resident.getByLabel('验证码').fill(code)
  await resident.getByLabel('称呼').fill('李阿姨')
  await resident.getByLabel('密码').fill('a-long-password')
  await resident.getByRole('button', { name: '注册并登录' }).click()
  await resident.waitForURL(/#\/catalog/, { timeout: WAIT })
  await resident.getByRole('tab', { name: '助洁' }).click()
  await accessible(resident, 'catalog')
  await shoot(resident, 'catalog')

  // Books 日常保洁 (a broadcast item) in 文安路社区, community 1, as soon as possible.
  await resident.getByText('日常保洁', { exact: true }).click()
  await resident.waitForURL(/#\/items\/\d+\/order/, { timeout: WAIT })
  await pickCommunity(residentBase, resident, 1)
  await resident.getByLabel('详细地址').fill('文安路12号3单元502')
  await accessible(resident, 'order form')
  await shoot(resident, 'order-form')
  await resident.getByRole('button', { name: '提交预约' }).click()
  await resident.waitForURL(/#\/orders\/[0-9a-f-]+$/, { timeout: WAIT })
  const orderId = resident.url().split('/').pop()
  const state = resident.getByTestId('order-state')

  // The offer appears on the boards of the organizations offered it, without a reload.
  const offered = []
  await until('the offer on two job boards', async () => {
    offered.length = 0
    for (const b of boards) if ((await b.locator(`[data-offer="${orderId}"]`).count()) > 0) offered.push(b)
    return offered.length >= 2
  })
  await accessible(offered[0], 'job board')
  await shoot(offered[0], 'job-board')
  await offered[0].locator(`[data-offer="${orderId}"]`).getByRole('button', { name: '接单' }).click()
  await until('the job in the first taker\'s hands', async () => (await offered[0].locator(`[data-job="${orderId}"]`).count()) > 0)

  // The resident's page shows it accepted, and the other boards lose the offer, all without a reload.
  await until('the resident seeing it accepted', async () => (await state.getAttribute('data-state')) === 'accepted')
  for (const other of offered.slice(1)) {
    await until('the offer gone from another board', async () => (await other.locator(`[data-offer="${orderId}"]`).count()) === 0)
  }
  await accessible(resident, 'order detail')
  await shoot(resident, 'order-detail')
  await resident.getByRole('tab', { name: '我的订单', exact: true }).click()
  await resident.locator(`[data-order="${orderId}"]`).waitFor({ timeout: WAIT })
  await accessible(resident, 'my orders')
  await shoot(resident, 'my-orders')

  // English is one switch away, and stays chosen.
  await resident.getByRole('tab', { name: '我的', exact: true }).click()
  await resident.getByText('English', { exact: true }).click()
  await resident.reload()
  await resident.getByRole('heading', { name: 'Me' }).waitFor({ timeout: WAIT })
  await accessible(resident, 'me')
  await shoot(resident, 'me-en')

  return `live loop passed: order ${orderId} offered to ${offered.length} boards, accepted, seen by all`
})
