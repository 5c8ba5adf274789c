// An organization takes on a colleague, in a real browser: the demo organization's manager opens 邀请同事
// under 我的, invites 李师傅 without a number (as a manager too), and is shown the invitation code and a link
// once. In another browser, the new
// colleague chooses 接受邀请 on the sign-in page, enters the code and a password, and lands on the job board,
// signed in as the organization's staff. axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/staff.mjs --base URL --shots DIR
import { call as api } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn } from './browser.mjs'

const base = args.base
const call = (method, path, token, body, allow) => api(base, method, path, token, body, allow)

await scenario(async () => {
  const p = await page(base)
  await signIn(p, 'org001')
  await p.goto(`${base}/#/me`)
  await p.getByText('邀请同事').click()
  await p.waitForURL(/#\/provider\/staff$/, { timeout: WAIT })
  await p.getByLabel('用户名').fill('li.helper')
  await p.getByLabel('姓名').fill('李师傅')
  await p.getByRole('switch', { name: '也可以邀请同事' }).click()
  await accessible(p, 'inviting a colleague')
  await p.getByRole('button', { name: '发出邀请' }).click()
  const sent = p.getByTestId('invitation')
  await sent.waitFor({ timeout: WAIT })
  await sent.getByText('请把邀请码告诉对方').waitFor({ timeout: WAIT })
  const token = (await sent.locator('.van-cell__value').first().innerText()).trim()
  if (token.length < 8) fail(`the invitation code shown is ${token}`)
  const link = await p.getByTestId('invitation-link').innerText()
  if (!link.includes(`#/invitation?token=${token}`)) fail(`the invitation link reads ${link}`)
  await shoot(p, 'invite-sent')

  const colleague = await page(base)
  await colleague.waitForURL(/#\/sign-in/, { timeout: WAIT })
  await colleague.getByRole('link', { name: '接受邀请' }).or(colleague.getByRole('button', { name: '接受邀请' })).click()
  await colleague.waitForURL(/#\/invitation/, { timeout: WAIT })
  await colleague.getByLabel('邀请码').fill(token)
  await colleague.getByLabel('密码').fill('a long password')
  await accessible(colleague, 'accepting an invitation')
  await shoot(colleague, 'invitation')
  await colleague.getByRole('button', { name: '设置密码并登录' }).click()
  await colleague.waitForURL(/#\/jobs$/, { timeout: WAIT })

  // The new colleague signs in with the password they set, as staff of the same organization.
  const signedIn = await call('POST', '/auth/login', null, { login: 'li.helper', password: 'a long password' })
  const manager = await call('POST', '/auth/login', null, { login: 'org001', password: 'linli-demo' })
  const { role, provider_id: provider, manager: manages } = signedIn.account
  if (role !== 'provider_staff' || provider !== manager.account.provider_id || !manages) {
    fail(`the colleague signed in as ${JSON.stringify(signedIn.account)}`)
  }
})
