// Words in the reader's language, in a real browser: the demo resident has a message about the order they
// just placed, which reads in Chinese; on their account page they choose English, and the same message reads
// in English. Signing in on another device (a fresh browser) brings the choice with the account: the app
// opens in English. axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/language.mjs --base URL --shots DIR
import { call as api, itemId, login, order } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn } from './browser.mjs'

const base = args.base
const call = (method, path, token, body, allow) => api(base, method, path, token, body, allow)

await scenario(async () => {
  const resident = await login(base, 'resident')
  await order(base, resident, await itemId(base, '日常保洁'))

  const p = await page(base)
  await signIn(p, 'resident')
  await p.goto(`${base}/#/inbox`)
  await p.getByText('订单已提交').first().waitFor({ timeout: WAIT })

  await p.goto(`${base}/#/me`)
  await p.getByText('页面、消息、提醒和短信都使用这种语言。').waitFor({ timeout: WAIT })
  await p.getByRole('radio', { name: 'English' }).click()
  await p.getByText('Language saved').waitFor({ timeout: WAIT })
  await accessible(p, 'the account page in English')
  await shoot(p, 'me-english')
  const me = await call('GET', '/me', resident)
  if (me.language !== 'en') fail(`the account keeps ${me.language}, not en`)

  await p.goto(`${base}/#/inbox`)
  await p.getByText('Order placed').first().waitFor({ timeout: WAIT })
  if (await p.getByText('订单已提交').count()) fail('the inbox still reads in Chinese')
  await accessible(p, 'the inbox in English')
  await shoot(p, 'inbox-english')

  // Another device: a fresh browser, Chinese until the account is known.
  const other = await page(base)
  await signIn(other, 'resident')
  await other.goto(`${base}/#/inbox`)
  await other.getByText('Order placed').first().waitFor({ timeout: WAIT })
  await other.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: WAIT })
})
