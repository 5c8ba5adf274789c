// Booking a time in a real browser: the demo resident books 邻里纠纷调解 in 文安路社区 at one of its open times,
// tomorrow's first; before they send it, two other bookings take that time's two places, so the booking is
// refused and the page offers the open times nearest it instead; they pick one and book. The mediation point
// then turns it down and nobody is left to take it; once a second point opens, the order's page offers its open
// times, and moving the booking to one dispatches it again. axe-core checks each page; screenshots at 360 and
// 1280 px are written.
//
//   node tests/booking.mjs --base URL --shots DIR
import { call as api, itemId, login, pickCommunity, reaches } from './api.mjs'
import { WAIT, accessible, args, expectedRefusals, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const call = (method, path, token, body) => api(base, method, path, token, body)
const same = (a, b) => new Date(a).getTime() === new Date(b).getTime()
/** A date in Shanghai, as `YYYY-MM-DD`. */
const shanghaiDate = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10)

await scenario(async () => {
  const mediation = await itemId(base, '邻里纠纷调解')
  const resident = await login(base, 'resident')
  const tomorrow = shanghaiDate(Date.now() + 86_400_000)

  const p = await page(base)
  await signIn(p, 'resident')
  await p.goto(`${base}/#/items/${mediation}/order`)
  await pickCommunity(base, p, 1)
  await p.getByLabel('详细地址').fill('文安路12号3单元502')
  await p.getByRole('radio', { name: '预约时段' }).click()
  const first = p.locator(`[data-day="${tomorrow}"] .open-time`).first()
  await first.waitFor({ timeout: WAIT })
  const wanted = await first.getAttribute('data-start')
  await first.click()
  if ((await first.getAttribute('aria-pressed')) !== 'true') fail('the time picked is not shown picked')
  await accessible(p, 'open times')
  await shoot(p, 'open-times')

  // Two other bookings take the time's places before this one is sent.
  const listed = await call('GET', `/catalog/items/${mediation}/open-times?community_id=1&from=${tomorrow}&days=1`)
  const time = listed.times.find((t) => same(t.window_start, wanted))
  if (!time) fail(`${wanted} is not among the open times ${JSON.stringify(listed.times.slice(0, 3))}`)
  const body = { item_id: mediation, community_id: 1, address: '文安路8号', lat: 41.781, lng: 123.402, ...time }
  for (let n = 0; n < time.free; n++) await call('POST', '/orders', resident, body)
  // The page's booking is then refused (409 slot_full), which it answers with the alternatives.
  expectedRefusals.push(/\/api\/v1\/orders$/)
  await p.getByRole('button', { name: '提交预约' }).click()
  await p.getByTestId('open-times-hint').getByText('该时段已约满').waitFor({ timeout: WAIT })
  const offered = await p.locator('.open-time').evaluateAll((els) => els.map((e) => e.dataset.start))
  if (!offered.length || offered.some((s) => same(s, wanted))) fail(`the alternatives offered are ${offered}`)
  await p.locator('.open-time').first().click()
  await accessible(p, 'alternatives to a full time')
  await shoot(p, 'alternatives')
  await p.getByRole('button', { name: '提交预约' }).click()
  await p.waitForURL(/#\/orders\/[0-9a-f-]+$/, { timeout: WAIT })
  const id = p.url().split('/').pop()
  const booked = await reaches(base, resident, id, 'offered')
  if (!same(booked.window_start, offered[0])) fail(`booked for ${booked.window_start}, not ${offered[0]}`)

  // The community's mediation point turns it down: nobody else takes this item here.
  const admin = await login(base, 'admin')
  const { providers } = await call('GET', `/providers?item_id=${mediation}&limit=100`, admin)
  const point = providers.find((x) => x.kind === 'community_point' && x.community_id === 1)
  const mediator = { username: 'tiaojie-1', password: 'mediation-pass', display_name: '调解员老周', role: 'provider_staff' }
  await call('POST', '/admin/accounts', admin, { ...mediator, provider_id: point.id })
  const turnedDown = { reason: 'beyond_our_skills' }
  await call('POST', `/orders/${id}/decline`, await login(base, mediator.username, mediator.password), turnedDown)
  await reaches(base, resident, id, 'escalated')
  await p.getByTestId('order-state').and(p.locator('[data-state="escalated"]')).waitFor({ timeout: WAIT })
  if (await p.getByTestId('alternatives').count()) fail('the point that turned it down is offered it again')

  // A second point opens; the order's page offers its times, and the resident moves the booking to one.
  const second = { kind: 'community_point', name: '文安路第二调解室', community_id: 1, lat: 41.782, lng: 123.401,
    capacity: 1, item_ids: [mediation], coverage_community_ids: [1] }
  await call('POST', '/admin/providers', admin, second)
  await p.reload()
  const section = p.getByTestId('alternatives')
  await section.waitFor({ timeout: WAIT })
  const choice = section.locator('.open-time').first()
  const moveTo = await choice.getAttribute('data-start')
  await choice.click()
  await accessible(p, "an escalated booking's open times")
  await shoot(p, 'escalated-times')
  await section.getByRole('button', { name: '确认改约' }).click()
  await until('the booking offered again', async () => (await call('GET', `/orders/${id}`, resident)).state === 'offered')
  const moved = await call('GET', `/orders/${id}`, resident)
  if (!same(moved.window_start, moveTo)) fail(`moved to ${moved.window_start}, not ${moveTo}`)
  await p.getByTestId('order-state').and(p.locator('[data-state="offered"]')).waitFor({ timeout: WAIT })
  return `booking passed: ${wanted} filled, booked at ${offered[0]} instead, escalated and moved to ${moveTo}`
})
