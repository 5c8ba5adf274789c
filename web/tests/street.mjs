// A street worker (街道工作者) in a real browser: the demo's `street` of 南湖街道 opens the street's desk, where
// a high-risk mediation intake of 文安路社区 waits at once, tagged, among the street's escalations; the
// property-dispute sub-center's cases list it and no cleaning order; the street's figures count both orders, and
// one of its communities can be looked at alone; the inbox says it came to the street. axe-core checks each page;
// screenshots at 360 px are written.
//
//   node tests/street.mjs --base URL --shots DIR
import { call, itemId, login, order, reaches } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base

await scenario(async () => {
  const resident = await login(base, 'resident')
  const cleaning = await order(base, resident, await itemId(base, '日常保洁'))
  const dispute = {
    item_id: await itemId(base, '物业纠纷调解'), community_id: 1, address: '文安路12号', lat: 41.7852, lng: 123.4217,
    asap: true, high_risk: true,
  }
  const urgent = (await call(base, 'POST', '/orders', resident, dispute)).id
  await reaches(base, resident, urgent, 'escalated')

  const p = await page(base)
  await signIn(p, 'street')
  await p.waitForURL(/#\/community$/, { timeout: WAIT })
  await p.getByRole('heading', { name: '街道工作台' }).waitFor({ timeout: WAIT })
  if (await p.getByText('报到审核').count()) fail('a community\'s registrations are on the street\'s desk')
  await accessible(p, 'street desk')
  await shoot(p, 'street-desk')

  // The high-risk intake waits among the street's escalations, tagged.
  await p.getByText('转办待处理', { exact: true }).click()
  await p.waitForURL(/#\/community\/escalations$/, { timeout: WAIT })
  const row = p.locator(`[data-escalation="${urgent}"]`)
  await row.waitFor({ timeout: WAIT })
  if ((await row.getByTestId('high-risk').innerText()).trim() !== '高风险·已转街道') fail('the high-risk intake is not tagged')
  await accessible(p, 'street escalations')
  await shoot(p, 'street-escalations')

  // The sub-center's cases: the dispute, and no cleaning order.
  await p.goto(`${base}/#/community`)
  await p.getByTestId('to-sub-center').click()
  await p.waitForURL(/routing=property_dispute/, { timeout: WAIT })
  await p.locator(`[data-order="${urgent}"]`).waitFor({ timeout: WAIT })
  if (await p.locator(`[data-order="${cleaning}"]`).count()) fail('a cleaning order is among the sub-center\'s cases')
  if ((await p.getByLabel('案件类型').inputValue()) !== 'property_dispute') fail('the kind of case is not shown as chosen')
  await accessible(p, 'sub-center cases')
  await shoot(p, 'street-cases')

  // The street's figures count both orders; one community can be looked at alone.
  await p.getByRole('tab', { name: '数据', exact: true }).click()
  await p.waitForURL(/#\/dashboard$/, { timeout: WAIT })
  const token = await login(base, 'street')
  const street = await call(base, 'GET', '/streets/1/dashboard', token)
  if (street.total.orders < 2) fail(`the street counts ${street.total.orders} orders`)
  await until('the street\'s total', async () => (await p.locator('[data-total="orders"]').innerText()).includes(String(street.total.orders)))
  // The 15-minute circle: how many of the street's communities lie within a walk of a red station, as the API
  // counts them, and each community's walk.
  const map = await call(base, 'GET', '/streets/1/map', token)
  if (!map.stations.length) fail('no red station is drawn on the street\'s map')
  const circle = `${map.within_circle} / ${map.communities.length} 个社区`
  await until('the circle figure', async () => (await p.getByTestId('circle').innerText()).includes(circle))
  const first = map.communities[0]
  const walk = await p.locator(`[data-walk="${first.id}"]`).innerText()
  if (!walk.includes(`步行约 ${Math.round(first.station_minutes)} 分钟`)) fail(`community ${first.id} reads ${walk}`)
  await until('the street\'s communities to choose from', async () => (await p.locator('#dash-part option').count()) === 10)
  await p.getByLabel('范围', { exact: true }).selectOption('2')
  const two = await call(base, 'GET', '/communities/2/dashboard', token)
  await until('community 2\'s total', async () => (await p.locator('[data-total="orders"]').innerText()).includes(String(two.total.orders)))
  await accessible(p, 'street dashboard')
  await shoot(p, 'street-dashboard')

  await until('the street worker told of the high-risk intake', async () => {
    const inbox = await call(base, 'GET', '/inbox', token)
    return inbox.messages.some((m) => m.title === '高风险调解转街道')
  })
  return `street passed: high-risk intake ${urgent} tagged among the street's escalations and the sub-center's cases; street ${street.total.orders} orders, community 2 ${two.total.orders}; ${circle} within the 15-minute circle`
})
