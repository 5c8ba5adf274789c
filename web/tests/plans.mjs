// A care plan in a real browser: the demo resident opens 午餐送餐上门, chooses to make it a care plan, and sets
// up weekday lunches at 11:30 for two weeks, answering the item's question. One of the first days is full (a
// neighbour's bookings took every kitchen's place then), so the plan is refused naming that day; the resident
// leaves it out and sends again. On the plan's page the day shows skipped and the others booked; they skip one
// more day (its order is cancelled) and pause the second week (its days show paused); a booked day's order
// names the plan it belongs to. axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/plans.mjs --base URL --shots DIR
import { call as api, itemId, login, pickCommunity } from './api.mjs'
import { WAIT, accessible, args, expectedRefusals, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const call = (method, path, token, body, allow) => api(base, method, path, token, body, allow)
const DAY = 86_400_000
/** A date in Shanghai, as `YYYY-MM-DD`. */
const shanghaiDate = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10)
const weekday = (date) => new Date(`${date}T12:00:00+08:00`).getUTCDay()
const isWeekday = (date) => ![0, 6].includes(weekday(date))

await scenario(async () => {
  const lunch = await itemId(base, '午餐送餐上门')
  const start = shanghaiDate(Date.now() + DAY)
  const end = shanghaiDate(Date.now() + 14 * DAY)
  // The first weekday after the start: a neighbour's bookings take every place at 11:30 that day.
  let full = shanghaiDate(Date.now() + 2 * DAY)
  while (!isWeekday(full)) full = shanghaiDate(new Date(`${full}T12:00:00+08:00`).getTime() + DAY)
  const neighbour = await login(base, 'resident2')
  const at = new Date(`${full}T11:30:00+08:00`)
  // At the community's centre, the place the plan's form books from: the same kitchens are within reach.
  const { lat, lng } = await call('GET', '/geo/communities/1')
  const booking = { item_id: lunch, community_id: 1, address: '文安路8号', lat, lng,
    window_start: at.toISOString(), window_end: new Date(at.getTime() + 45 * 60_000).toISOString(),
    answers: { portions: 1 } }
  for (let n = 0; ; n++) {
    const placed = await call('POST', '/orders', neighbour, booking, [409])
    if (placed.code === 'slot_full') break
    if (n > 100) fail('the places at 11:30 never ran out')
  }

  const p = await page(base)
  await signIn(p, 'resident')
  await p.goto(`${base}/#/items/${lunch}/order`)
  await p.getByTestId('to-plan').click()
  await p.waitForURL(/#\/items\/\d+\/plan$/, { timeout: WAIT })
  await pickCommunity(base, p, 1)
  await p.getByLabel('详细地址').fill('文安路12号3单元502')
  await p.getByLabel('时间', { exact: true }).fill('11:30')
  await p.getByLabel('开始日期').fill(start)
  await p.getByLabel('结束日期（可不填）').fill(end)
  await p.getByLabel('份数').fill('1')
  await accessible(p, 'a new care plan')
  expectedRefusals.push(/\/api\/v1\/care-plans$/)
  await p.getByRole('button', { name: '建立周期服务' }).click()
  const refused = p.getByTestId('full-dates')
  await refused.waitFor({ timeout: WAIT })
  const named = await refused.locator('[data-date]').evaluateAll((els) => els.map((e) => e.dataset.date))
  if (named.join() !== full) fail(`the full days named are ${named}, not ${full}`)
  await shoot(p, 'plan-full')
  await refused.getByRole('button', { name: '跳过这些日期并提交' }).click()
  await p.waitForURL(/#\/plans\/[0-9a-f-]+$/, { timeout: WAIT })
  const plan = p.url().split('/').pop()

  const days = p.getByTestId('plan-days')
  await days.locator(`[data-date="${full}"][data-day-state="skipped"]`).waitFor({ timeout: WAIT })
  const resident = await login(base, 'resident')
  const saved = await call('GET', `/care-plans/${plan}`, resident)
  const booked = saved.days.filter((d) => d.state === 'placed')
  if (!booked.length || booked.some((d) => !isWeekday(d.date) || d.date === full)) {
    fail(`the booked days are ${booked.map((d) => d.date)}`)
  }
  if (saved.answers[0]?.text !== '1') fail(`the plan's answers are ${JSON.stringify(saved.answers)}`)
  await accessible(p, "a care plan's page")
  await shoot(p, 'plan')

  // Skip another booked day: its order is cancelled and the day shows skipped.
  const other = booked[booked.length - 1]
  await days.locator(`[data-date="${other.date}"]`).getByRole('button', { name: '跳过' }).click()
  await days.locator(`[data-date="${other.date}"][data-day-state="skipped"]`).waitFor({ timeout: WAIT })
  await until('the skipped day\'s order to be cancelled',
    async () => (await call('GET', `/orders/${other.order_id}`, resident)).state === 'cancelled')

  // Pause the second week: its days show paused.
  const weekTwo = shanghaiDate(Date.now() + 8 * DAY)
  const weekTwoEnd = shanghaiDate(Date.now() + 13 * DAY)
  const pause = p.getByTestId('plan-pause')
  await pause.getByLabel('从').fill(weekTwo)
  await pause.getByLabel('到').fill(weekTwoEnd)
  await pause.getByRole('button', { name: '暂停' }).click()
  const pausedDay = saved.days.find((d) => d.date >= weekTwo && d.date <= weekTwoEnd)
  if (!pausedDay) fail(`no day of the plan falls between ${weekTwo} and ${weekTwoEnd}`)
  await days.locator(`[data-date="${pausedDay.date}"][data-day-state="paused"]`).waitFor({ timeout: WAIT })
  await accessible(p, 'a paused care plan')
  await shoot(p, 'plan-paused')

  // A booked day opens its order, which names the plan.
  const first = booked[0]
  await days.locator(`[data-date="${first.date}"]`).getByRole('link').click()
  await p.waitForURL(new RegExp(`#/orders/${first.order_id}$`), { timeout: WAIT })
  await p.getByTestId('order-plan').waitFor({ timeout: WAIT })
  return `plans passed: ${full} refused as full and left out, ${other.date} skipped, ${weekTwo}–${weekTwoEnd} paused`
})
