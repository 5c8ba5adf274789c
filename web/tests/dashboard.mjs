// The area dashboard in a real browser, drawn from real figures: the demo resident places orders in
// community 1 — one a provider accepts, one they cancel before anyone does, two volunteer orders that are
// escalated at once — and the community's worker opens the dashboard. Today's figures must have moved by
// exactly those orders; each chart's series (read back from ECharts) must equal the API's figures, the table
// must show them, and the CSV the page downloads must hold the same rows. The map draws every community and
// provider the API names; the fairness and service levels of cleaning show each provider's line as the API
// counts it. An admin sees the street's dashboard. axe-core checks the pages; screenshots at
// 360 and 1280 px are written.
//
//   node tests/dashboard.mjs --base URL --shots DIR
import { call, itemId, login, order, reaches, takeOffer } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)

/** The API's figures of community 1 for the last two weeks, as the worker may read them. */
async function figures(worker) {
  return call(base, 'GET', '/communities/1/dashboard', worker)
}

await scenario(async () => {
  const resident = await login(base, 'resident')
  const worker = await login(base, 'worker')
  const before = (await figures(worker)).days.find((d) => d.date === today)

  const cleaning = await itemId(base, '日常保洁')
  const taken = await order(base, resident, cleaning)
  await takeOffer(base, taken)
  await reaches(base, resident, taken, 'accepted')
  const withdrawn = await order(base, resident, cleaning)
  await call(base, 'POST', `/orders/${withdrawn}/cancel`, resident)
  // Volunteer work with no Party member registered yet is escalated at once.
  for (let n = 0; n < 2; n++) await reaches(base, resident, await order(base, resident, 100), 'escalated')

  const after = await figures(worker)
  const day = after.days.find((d) => d.date === today)
  const moved = ['orders', 'filled', 'withdrawn', 'escalated'].map((k) => day[k] - before[k])
  if (moved.join() !== '4,1,1,2') fail(`today's figures moved by ${moved} (orders, filled, withdrawn, escalated), not 4,1,1,2`)
  if (after.open_escalations < 2) fail(`${after.open_escalations} open escalations, expected at least 2`)

  const p = await page(base)
  await signIn(p, 'worker')
  await p.getByRole('tab', { name: '数据', exact: true }).click()
  await p.waitForURL(/#\/dashboard/, { timeout: WAIT })
  const chart = (name) => p.locator(`[data-chart="${name}"]`)
  for (const name of ['orders', 'rate', 'work', 'map']) {
    await until(`the ${name} chart drawn`, async () => (await chart(name).getAttribute('data-series')) !== null)
  }
  const series = async (name) => JSON.parse(await chart(name).getAttribute('data-series'))

  // Each chart holds the API's figures, day by day.
  const [orders, filled] = await series('orders')
  const [rate, median] = await series('rate')
  const [escalated, hours] = await series('work')
  const same = (drawn, want, what) => {
    if (JSON.stringify(drawn.data) !== JSON.stringify(want)) fail(`the ${what} chart drew ${JSON.stringify(drawn.data)}, not ${JSON.stringify(want)}`)
  }
  same(orders, after.days.map((d) => d.orders), 'orders')
  same(filled, after.days.map((d) => d.filled), 'filled')
  same(rate, after.days.map((d) => (d.fill_rate == null ? null : Math.round(d.fill_rate * 1000) / 10)), 'fill rate')
  same(median, after.days.map((d) => (d.median_accept_seconds == null ? null : Math.round(d.median_accept_seconds / 6) / 10)), 'median')
  same(escalated, after.days.map((d) => d.escalated), 'escalations')
  same(hours, after.days.map((d) => d.volunteer_hours), 'hours')
  const row = (await p.locator(`[data-day="${today}"]`).innerText()).split(/\s+/)
  if (Number(row[1]) !== day.orders) fail(`the table shows ${row[1]} orders today, not ${day.orders}`)

  // The CSV the page downloads holds the same rows.
  const [download] = await Promise.all([
    p.waitForEvent('download', { timeout: WAIT }),
    p.getByRole('button', { name: '导出数据（CSV）' }).click(),
  ])
  const csv = (await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'))).replace(/^\uFEFF/, '')
  const [header, ...lines] = csv.trim().split('\r\n')
  if (header !== 'date,orders,filled,withdrawn,fill_rate,median_accept_seconds,escalated,volunteer_hours') fail(`CSV header ${header}`)
  if (lines.length !== after.days.length) fail(`the CSV has ${lines.length} days, the chart ${after.days.length}`)
  for (const [i, line] of lines.entries()) {
    const [date, o, f, w, r, m, e, h] = line.split(',')
    const d = after.days[i]
    const want = [d.date, d.orders, d.filled, d.withdrawn, d.fill_rate?.toFixed(4) ?? '', d.median_accept_seconds ?? '', d.escalated, d.volunteer_hours.toFixed(2)]
    if ([date, o, f, w, r, m, e, h].join() !== want.join()) fail(`CSV line ${line} is not the chart's ${want}`)
    if (Number(o) !== orders.data[i] || Number(f) !== filled.data[i]) fail(`CSV line ${line} differs from the drawn bars`)
  }

  // The map draws every community and provider the API names for the area.
  const map = await call(base, 'GET', '/communities/1/map', worker)
  // Red stations are drawn apart, each with its circle.
  const [communities, providers, stations] = await series('map')
  const others = map.providers.filter((p) => p.kind !== 'red_station')
  if (communities.data.length !== map.communities.length || providers.data.length !== others.length || stations.data.length !== map.stations.length) {
    fail(`the map drew ${communities.data.length} communities, ${providers.data.length} providers and ${stations.data.length} stations, the API names ${map.communities.length}, ${others.length} and ${map.stations.length}`)
  }
  if (!communities.data.some((c) => c.name === '文安路社区')) fail('the map lacks 文安路社区')
  await accessible(p, 'dashboard')
  await shoot(p, 'dashboard')

  // Fairness and service levels of 日常保洁: each provider's line as the API counts it, the taker's with its
  // acceptance.
  await p.getByLabel('服务', { exact: true }).selectOption(String(cleaning))
  const levels = await call(base, 'GET', `/service-levels?community_id=1&item_id=${cleaning}`, worker)
  if (levels.offered < 3) fail(`cleaning was offered ${levels.offered} times`)
  await until('the service levels of cleaning', async () => (await p.locator('[data-level]').count()) === levels.providers.length)
  for (const line of levels.providers) {
    const cells = (await p.locator(`[data-level="${line.provider_id}"]`).innerText()).split(/\t|\n/).map((c) => c.trim())
    if (cells[0] !== line.name || Number(cells[1]) !== line.offered) fail(`the row of ${line.name} reads ${cells}`)
  }
  if (!levels.providers.some((l) => l.accepted === 1 && l.acceptance_rate > 0)) fail('no provider shows the acceptance')
  const summary = await p.getByTestId('levels-summary').innerText()
  if (!summary.includes(`共派单 ${levels.offered} 次`)) fail(`the summary says ${summary}`)
  await accessible(p, 'service levels')
  await shoot(p, 'service-levels')

  // An admin sees a street's figures, which include community 1's.
  const admin = await page(base, 1280)
  await signIn(admin, 'admin')
  await admin.getByRole('tab', { name: '数据', exact: true }).click()
  const community = await call(base, 'GET', '/geo/communities/1')
  const districts = await call(base, 'GET', '/geo/districts')
  for (const d of districts) {
    const streets = await call(base, 'GET', `/geo/districts/${d.id}/streets`)
    if (streets.some((s) => s.id === community.parent_id)) {
      await admin.getByLabel('区', { exact: true }).selectOption(String(d.id))
      break
    }
  }
  await until('the streets', async () => (await admin.locator('#dash-street option').count()) > 0)
  await admin.getByLabel('街道', { exact: true }).selectOption(String(community.parent_id))
  const street = await call(base, 'GET', `/streets/${community.parent_id}/dashboard`, await login(base, 'admin'))
  const streetToday = street.days.find((d) => d.date === today)
  await until('the street\'s figures', async () => {
    const text = await admin.locator(`[data-day="${today}"]`).innerText().catch(() => '')
    return Number(text.split(/\s+/)[1]) === streetToday.orders
  })
  if (streetToday.orders < day.orders) fail(`the street has ${streetToday.orders} orders today, fewer than its community 1`)
  await accessible(admin, 'street dashboard')
  await shoot(admin, 'street-dashboard')
  return `dashboard passed: today ${day.orders} orders, ${day.filled} filled, charts, table and CSV agree; map ${map.communities.length} communities, ${map.providers.length} providers`
})
