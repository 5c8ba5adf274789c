// Keeping the service in real browsers. An admin adds a catalog item and retires it (residents no longer find
// it, and ordering it is refused), deactivates an organization found by its name, adds a community to a street
// and renames it, corrects a resident's name, and reads the whole city's fairness and service levels. A manager of another organization stops offering cleaning
// from 我的 → 服务项目与范围, and disables a member of their staff from 我的 → 员工, who is signed out at once.
// Every step is read back through the API and found in the audit log.
// axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/upkeep.mjs --base URL --shots DIR
import { call, login, order, reaches } from './api.mjs'
import { WAIT, accessible, args, expectedRefusals, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const CLEANING = 15

/** The newest audit entry of `action`. */
async function audited(token, action) {
  const log = await call(base, 'GET', `/admin/audit?action=${action}`, token)
  if (!log.entries.length) fail(`nothing in the audit log for ${action}`)
  return log.entries[0]
}

await scenario(async () => {
  const adminToken = await login(base, 'admin')
  const admin = await page(base)
  await signIn(admin, 'admin')
  await admin.waitForURL(/#\/admin$/, { timeout: WAIT })

  // A new item, then retired.
  await admin.getByText('服务事项', { exact: true }).click()
  await admin.getByRole('button', { name: '新增服务事项' }).click()
  const adding = admin.getByRole('form', { name: '新增服务事项' })
  await adding.getByLabel('编码').fill('CLEAN-099')
  await adding.getByLabel('名称', { exact: true }).fill('擦玻璃（高层）')
  await adding.getByLabel('类别').selectOption('cleaning')
  await adding.getByLabel('价格（元）').fill('60')
  await adding.getByLabel('服务时长（分钟）').fill('90')
  await accessible(admin, 'new catalog item')
  await adding.getByRole('button', { name: '新增', exact: true }).click()
  const row = admin.locator('[data-item]').filter({ hasText: '擦玻璃（高层）' })
  await row.waitFor({ timeout: WAIT })
  const id = Number(await row.getAttribute('data-item'))
  const created = await call(base, 'GET', `/catalog/items/${id}`)
  if (created.price_fen !== 6000 || created.duration_minutes !== 90) fail(`the item reads ${JSON.stringify(created)}`)
  await row.click()
  await admin.getByRole('button', { name: '停止受理' }).click()
  await admin.locator(`[data-item="${id}"][data-retired="true"]`).waitFor({ timeout: WAIT })
  await shoot(admin, 'catalog-retired')
  const found = await call(base, 'GET', `/catalog/search?q=${encodeURIComponent('擦玻璃')}`)
  if (found.items.some((i) => i.id === id)) fail('a retired item is still found')
  const resident = await login(base, 'resident')
  const asap = { item_id: id, community_id: 1, address: '文安路12号', lat: 41.7852, lng: 123.4217, asap: true }
  const refused = await call(base, 'POST', '/orders', resident, asap, [422])
  if (refused.code !== 'item_retired') fail(`ordering a retired item answered ${JSON.stringify(refused)}`)
  await admin.goBack()

  // An organization found by its name, deactivated.
  const org5 = await login(base, 'org005')
  const provider = (await call(base, 'GET', '/me', org5)).provider_id
  const name = (await call(base, 'GET', `/providers/${provider}`, adminToken)).name
  await admin.getByText('服务机构', { exact: true }).click()
  await admin.getByLabel('机构名称').fill(name)
  await admin.getByRole('button', { name: '查询' }).click()
  await admin.locator(`[data-edit="${provider}"]`).click()
  await admin.waitForURL(new RegExp(`#/admin/providers/${provider}$`), { timeout: WAIT })
  await admin.getByTestId('profile-active').selectOption({ label: '已停用（不再派单）' })
  await accessible(admin, 'a provider kept whole')
  await shoot(admin, 'provider-profile')
  await admin.getByRole('button', { name: '保存' }).click()
  await until('the provider deactivated', async () => !(await call(base, 'GET', `/admin/providers/${provider}`, adminToken)).active)
  const off = await audited(adminToken, 'provider.deactivated')
  if (off.object !== `provider:${provider}`) fail(`the audit names ${off.object}`)
  await admin.goBack()

  // A red station set up in 文安路社区: it serves no communities, its reach is its circle.
  await admin.getByRole('button', { name: '新增红色驿站' }).click()
  const setUp = admin.getByRole('form', { name: '新增红色驿站' })
  const home = await call(base, 'GET', '/geo/communities/1')
  const homeStreet = (await call(base, 'GET', '/geo/districts')).map((d) => d.id)
  let homeDistrict = null
  for (const d of homeStreet) {
    if ((await call(base, 'GET', `/geo/districts/${d}/streets`)).some((s) => s.id === home.parent_id)) homeDistrict = d
  }
  await setUp.getByLabel('区', { exact: true }).selectOption(String(homeDistrict))
  await setUp.getByLabel('街道', { exact: true }).selectOption(String(home.parent_id))
  await setUp.getByLabel('社区', { exact: true }).selectOption(String(home.id))
  await until('the name proposed', async () => (await setUp.getByLabel('名称').inputValue()).endsWith('红色驿站'))
  await setUp.getByLabel('先提供哪类服务').selectOption('legal_aid')
  await accessible(admin, 'new red station')
  await setUp.getByRole('button', { name: '新增', exact: true }).click()
  await admin.waitForURL(/#\/admin\/providers\/[0-9a-f-]+$/, { timeout: WAIT })
  const stationId = admin.url().split('/').pop()
  const station = await call(base, 'GET', `/admin/providers/${stationId}`, adminToken)
  if (station.kind !== 'red_station' || station.coverage_community_ids.length || !station.item_ids.length) fail(`the station reads ${JSON.stringify(station)}`)
  await admin.goBack()
  await admin.goBack()

  // A community added to the first street of the first district, and renamed.
  const district = (await call(base, 'GET', '/geo/districts'))[0]
  const street = (await call(base, 'GET', `/geo/districts/${district.id}/streets`))[0]
  await admin.getByText('地图维护', { exact: true }).click()
  await admin.getByLabel('区县').selectOption({ label: district.name })
  await admin.getByRole('button', { name: `${street.name}的社区` }).click()
  await admin.getByRole('button', { name: '新增社区' }).click()
  const newPlace = admin.getByRole('form', { name: '新增社区' })
  await newPlace.getByLabel('名称').fill('试点新社区')
  await newPlace.getByLabel('纬度').fill('41.79')
  await newPlace.getByLabel('经度').fill('123.41')
  await newPlace.getByRole('button', { name: '新增', exact: true }).click()
  const place = admin.locator('[data-place^="community:"]').filter({ hasText: '试点新社区' })
  await place.waitFor({ timeout: WAIT })
  const community = Number((await place.getAttribute('data-place')).split(':')[1])
  await admin.getByRole('button', { name: '编辑 试点新社区' }).click()
  await admin.getByRole('form', { name: '试点新社区' }).getByLabel('名称').fill('试点和平社区')
  await accessible(admin, 'map upkeep')
  await shoot(admin, 'map-upkeep')
  await admin.getByRole('form', { name: '试点新社区' }).getByRole('button', { name: '保存' }).click()
  await until('the community renamed', async () => (await call(base, 'GET', `/geo/communities/${community}`)).name === '试点和平社区')
  const renamed = await audited(adminToken, 'map.community_changed')
  if (renamed.before.name !== '试点新社区' || renamed.after.name !== '试点和平社区') fail(`the audit reads ${JSON.stringify(renamed)}`)
  await admin.goBack()

  // A resident's name corrected.
  await admin.getByText('账号', { exact: true }).click()
  await admin.getByLabel('查找').fill('resident2')
  await admin.getByRole('button', { name: '查询' }).click()
  await admin.locator('[data-edit-account="resident2"]').click()
  const correcting = admin.getByRole('form', { name: /^李建国/ })
  await correcting.getByLabel('称呼').fill('李建华')
  await accessible(admin, 'correcting an account')
  await correcting.getByRole('button', { name: '保存' }).click()
  await admin.locator('[data-account="resident2"]').filter({ hasText: '李建华' }).waitFor({ timeout: WAIT })
  if ((await audited(adminToken, 'account.changed')).after.display_name !== '李建华') fail('the correction was not audited')

  // The whole city's fairness and service levels of cleaning, in one table, as the API counts them.
  await reaches(base, resident, await order(base, resident, CLEANING), 'offered')
  await admin.getByRole('tab', { name: '数据', exact: true }).click()
  await admin.waitForURL(/#\/dashboard$/, { timeout: WAIT })
  await admin.getByLabel('统计范围').selectOption({ label: '全市' })
  await admin.locator('#levels-item').selectOption(String(CLEANING))
  const city = await call(base, 'GET', `/service-levels?item_id=${CLEANING}`, adminToken)
  if (city.area_kind !== 'city' || !city.offered) fail(`the city's table reads ${JSON.stringify(city)}`)
  await until('the city\'s service levels', async () => (await admin.locator('[data-level]').count()) === city.providers.length)
  await until('the city\'s summary', async () => (await admin.getByTestId('levels-summary').innerText()).includes(`共派单 ${city.offered} 次`))
  await accessible(admin, 'the city\'s service levels')

  // A manager stops offering cleaning and disables a member of their staff.
  const org1 = await login(base, 'org001')
  const org1Provider = (await call(base, 'GET', '/me', org1)).provider_id
  await call(base, 'POST', '/admin/accounts', adminToken, {
    username: 'xiao.wang', password: 'a long password', display_name: '小王', role: 'provider_staff', provider_id: org1Provider,
  })
  const helper = await login(base, 'xiao.wang', 'a long password')
  const manager = await page(base)
  await signIn(manager, 'org001')
  await manager.getByRole('tab', { name: '我的', exact: true }).click()
  await manager.getByTestId('to-offering').click()
  await manager.waitForURL(/#\/provider\/offering$/, { timeout: WAIT })
  await manager.locator(`[data-offers="${CLEANING}"]`).uncheck()
  await accessible(manager, 'services and coverage')
  await shoot(manager, 'offering')
  await manager.getByRole('button', { name: '保存' }).click()
  await until('cleaning no longer offered', async () => !(await call(base, 'GET', '/provider/profile', org1)).item_ids.includes(CLEANING))
  await manager.getByRole('tab', { name: '我的', exact: true }).click()
  await manager.getByTestId('to-team').click()
  await manager.locator('[data-member="xiao.wang"]').getByRole('button', { name: '停用' }).click()
  await manager.locator('[data-member="xiao.wang"]').filter({ hasText: '已停用' }).waitFor({ timeout: WAIT })
  await accessible(manager, 'staff')
  await shoot(manager, 'team')
  expectedRefusals.push(/\/api\/v1\/me$/)
  const gone = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${helper}` } })
  if (gone.status !== 401) fail(`a disabled member of staff still reads /me: ${gone.status}`)
  return 'upkeep passed: item added and retired, provider deactivated, community added and renamed, account corrected, offering narrowed, staff disabled'
})
