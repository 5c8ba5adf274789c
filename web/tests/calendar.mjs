// The resident's own calendar, in a real browser: two bookings two days ahead, one then cancelled; on the 我的
// page the resident makes the private calendar link, and the feed behind the link the page shows holds both,
// the cancelled one marked cancelled. axe-core checks the page; screenshots at 360 and 1280 px are written.
//
//   node tests/calendar.mjs --base URL --shots DIR
import { call as api, itemId, login } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn } from './browser.mjs'

const base = args.base
const call = (method, path, token, body) => api(base, method, path, token, body)

await scenario(async () => {
  const resident = await login(base, 'resident')
  const item = await itemId(base, '日常保洁')
  // Two days ahead: bookable whatever the hour the test runs at.
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)
  const ids = []
  for (const hour of ['01', '07']) {
    const start = new Date(`${tomorrow}T${hour}:00:00Z`)
    const body = {
      item_id: item, community_id: 1, address: '文安路12号', lat: 41.7852, lng: 123.4217, asap: false,
      window_start: start.toISOString(), window_end: new Date(start.getTime() + 7_200_000).toISOString(),
    }
    ids.push((await call('POST', '/orders', resident, body)).id)
  }
  await call('POST', `/orders/${ids[1]}/cancel`, resident)

  const home = await page(base)
  await signIn(home, 'resident')
  await home.getByRole('tab', { name: '我的', exact: true }).click()
  await home.getByRole('button', { name: '生成订阅地址', exact: true }).click({ timeout: WAIT })
  const link = home.getByText(/\/api\/v1\/calendar\//)
  await link.waitFor({ timeout: WAIT })
  await accessible(home, 'the calendar link')
  await shoot(home, 'calendar')
  const url = (await link.innerText()).trim()
  const feed = await (await fetch(url.startsWith('http') ? url : `${base}${url}`)).text()
  // Unfold the folded lines (RFC 5545 §3.1) and read each event's fields.
  const events = feed.replace(/\r\n /g, '').split('BEGIN:VEVENT').slice(1).map((block) =>
    Object.fromEntries(block.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.split(/[;:]/)[0], l.slice(l.indexOf(':') + 1)])),
  )
  const of = (id) => events.find((e) => e.UID === `order-${id}@linli`)
  if (!of(ids[0]) || of(ids[0]).STATUS !== 'CONFIRMED') fail(`the booking is missing or not confirmed:\n${feed}`)
  if (of(ids[0]).SUMMARY !== '我的预约：日常保洁') fail(`the booking reads ${of(ids[0]).SUMMARY}`)
  if (!of(ids[1]) || of(ids[1]).STATUS !== 'CANCELLED') fail(`the cancelled booking is missing or not marked:\n${feed}`)
  return 'calendar passed: the resident\'s feed holds their booking and the cancelled one marked cancelled'
})
