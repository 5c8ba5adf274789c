// After the service, in a real browser: a cleaning done by the organization offered it waits on the community
// worker's follow-up list; the worker records an issue found and opens a complaint with a 24-hour deadline;
// the organization's staff find it under 投诉 and answer it; the worker's complaints page shows it answered
// without a reload. axe-core checks the pages; screenshots at 360 and 1280 px are written.
//
//   node tests/aftercare.mjs --base URL --shots DIR
import { call as api, itemId, login, offeredTo, order, reaches } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const call = (method, path, token, body) => api(base, method, path, token, body)

await scenario(async () => {
  const resident = await login(base, 'resident')
  const id = await order(base, resident, await itemId(base, '日常保洁'))
  await reaches(base, resident, id, 'offered')
  const holder = await offeredTo(base, id)
  await call('POST', `/orders/${id}/accept`, holder.token)
  await call('POST', `/orders/${id}/start`, holder.token)
  await call('POST', `/orders/${id}/complete`, holder.token, { note: '厨房已清洁' })

  // The worker calls the resident and complains on their behalf.
  const desk = await page(base)
  await signIn(desk, 'worker')
  await desk.getByText('服务回访', { exact: true }).click({ timeout: WAIT })
  const row = desk.locator(`[data-follow-up="${id}"]`)
  await row.getByRole('button', { name: '记录回访', exact: true }).click({ timeout: WAIT })
  await desk.getByRole('radio', { name: '发现问题' }).click()
  await desk.getByLabel('居民反馈').fill('卫生间没有打扫')
  await desk.getByLabel('向服务方投诉').check()
  await desk.getByLabel('投诉内容').fill('只打扫了厨房，卫生间没做')
  await desk.getByLabel('答复期限（小时）').fill('24')
  await accessible(desk, 'a follow-up call')
  await shoot(desk, 'follow-up')
  await desk.getByRole('button', { name: '保存', exact: true }).click()
  await row.waitFor({ state: 'detached', timeout: WAIT })
  await desk.goto(`${base}/#/complaints`)
  const mine = desk.locator('[data-complaint]', { hasText: '只打扫了厨房' })
  await mine.waitFor({ timeout: WAIT })
  if ((await mine.getAttribute('data-state')) !== 'open') fail('the complaint is not open')

  // The organization's staff answer it.
  const staff = await page(base)
  await signIn(staff, holder.username)
  await staff.getByRole('tab', { name: '投诉', exact: true }).click({ timeout: WAIT })
  const theirs = staff.locator('[data-complaint]', { hasText: '只打扫了厨房' })
  await theirs.waitFor({ timeout: WAIT })
  await staff.getByLabel('答复').fill('已安排当天补做卫生间，并向居民致歉')
  await accessible(staff, 'answering a complaint')
  await shoot(staff, 'complaints')
  await staff.getByRole('button', { name: '提交答复', exact: true }).click()
  await until('the answer on the staff page', async () => (await theirs.getAttribute('data-state')) === 'answered')

  // The worker's open page follows.
  await until('the answer on the worker’s page', async () => (await mine.getAttribute('data-state')) === 'answered')
  if (!(await mine.innerText()).includes('已安排当天补做')) fail('the worker does not read the answer')
  return 'aftercare passed: followed up with an issue, complained with a deadline, answered by the organization, seen by the worker'
})
