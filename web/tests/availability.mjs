// An organization pauses its offers in a real browser: with the other demo organizations paused, org001 is
// the one cleaning organization of 文安路社区 taking offers. An order reaches its job board live; its manager
// opens 我的 → 接单设置 and pauses; the next order never reaches the board; after resuming, the next one does.
// They turn the first down with a reason, take the third and give it back with a reason, and it leaves their
// jobs; an admin sees both in the organization's figures. Then they close Sundays and a
// holiday and set Monday's hours, and dispatch reads what they saved.
// axe-core checks the page; screenshots at 360 and 1280 px are written.
//
//   node tests/availability.mjs --base URL --shots DIR
import { call, login, order } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const CLEANING = 15

/** Places a cleaning order as the demo resident and waits until dispatch has decided it. */
async function dispatched(resident) {
  const id = await order(base, resident, CLEANING)
  await until(`order ${id} dispatched`, async () => (await call(base, 'GET', `/orders/${id}`, resident)).state !== 'submitted')
  return id
}

await scenario(async () => {
  for (let n = 2; n <= 5; n++) await call(base, 'POST', '/provider/pause', await login(base, `org00${n}`))
  const resident = await login(base, 'resident')

  const manager = await page(base)
  await signIn(manager, 'org001')
  await manager.waitForURL(/#\/jobs$/, { timeout: WAIT })
  const first = await dispatched(resident)
  await manager.locator(`[data-offer="${first}"]`).waitFor({ timeout: WAIT })

  // The manager pauses from 我的 → 接单设置.
  await manager.getByRole('tab', { name: '我的', exact: true }).click()
  await manager.getByTestId('to-availability').click()
  await manager.waitForURL(/#\/provider\/settings$/, { timeout: WAIT })
  await manager.getByRole('button', { name: '暂停接单' }).click()
  await manager.locator('[data-testid="taking-offers"][data-taking="false"]').waitFor({ timeout: WAIT })
  await accessible(manager, 'taking orders')
  await shoot(manager, 'availability-paused')

  // The next order never reaches the board.
  const second = await dispatched(resident)
  await manager.getByRole('tab', { name: '接单', exact: true }).click()
  await manager.locator(`[data-offer="${first}"]`).waitFor({ timeout: WAIT })
  if (await manager.locator(`[data-offer="${second}"]`).count()) fail('a paused organization was offered an order')

  // Resumed, the next one does.
  await manager.getByRole('tab', { name: '我的', exact: true }).click()
  await manager.getByTestId('to-availability').click()
  await manager.getByRole('button', { name: '恢复接单' }).click()
  await manager.locator('[data-testid="taking-offers"][data-taking="true"]').waitFor({ timeout: WAIT })
  const third = await dispatched(resident)
  await manager.getByRole('tab', { name: '接单', exact: true }).click()
  await manager.locator(`[data-offer="${third}"]`).waitFor({ timeout: WAIT })
  if (await manager.locator(`[data-offer="${second}"]`).count()) fail('the order made while paused came later')
  await shoot(manager, 'availability-offers-back')

  // The first offer they turn down, with a reason from the list.
  await manager.locator(`[data-decline="${first}"]`).click()
  await manager.getByLabel('拒单原因').selectOption('beyond_our_skills')
  await accessible(manager, 'declining an offer')
  await manager.getByRole('button', { name: '确认拒绝' }).click()
  await until('the declined offer gone', async () => (await manager.locator(`[data-offer="${first}"]`).count()) === 0)

  // The manager takes it, then gives it back before going, with a reason: it leaves their jobs, and its
  // history says why.
  await manager.locator(`[data-offer="${third}"]`).getByRole('button', { name: '接单', exact: true }).click()
  await manager.locator(`[data-job="${third}"]`).waitFor({ timeout: WAIT })
  await manager.locator(`[data-hand-back="${third}"]`).click()
  await manager.getByLabel('退单原因').selectOption('cannot_arrive_in_time')
  await accessible(manager, 'handing a job back')
  await shoot(manager, 'hand-back')
  await manager.getByRole('button', { name: '确认退单' }).click()
  await until('the job given back gone', async () => (await manager.locator(`[data-job="${third}"]`).count()) === 0)
  const history = (await call(base, 'GET', `/orders/${third}`, resident)).events.map((e) => e.note)
  if (!history.some((n) => n.includes('无法按时到达'))) fail(`the history says ${history}`)

  // An admin sees the hand-back and the reason for the decline in the organization's figures.
  const admin = await page(base)
  await signIn(admin, 'admin')
  await admin.getByText('服务机构', { exact: true }).click()
  const { provider_id: org001 } = await call(base, 'GET', '/me', await login(base, 'org001'))
  const row = admin.locator(`[data-provider="${org001}"]`)
  await row.getByRole('button', { name: '近30天派单' }).click()
  const line = await row.locator('[data-figures]').innerText({ timeout: WAIT })
  if (!line.includes('退单 1') || !line.includes('拒绝原因：超出服务能力 1')) fail(`the figures say ${line}`)
  await accessible(admin, 'provider figures')
  await shoot(admin, 'provider-figures')

  // The manager closes Sundays and one holiday, and keeps weekday hours; what is saved is what dispatch reads.
  await manager.getByRole('tab', { name: '我的', exact: true }).click()
  await manager.getByTestId('to-availability').click()
  await manager.getByLabel('周日', { exact: true }).selectOption('closed')
  await manager.getByLabel('周一', { exact: true }).selectOption('hours')
  await manager.getByLabel('周一开始').fill('08:00')
  await manager.getByLabel('周一结束').fill('18:00')
  const holiday = new Date(Date.now() + 8 * 3_600_000 + 10 * 86_400_000).toISOString().slice(0, 10)
  await manager.getByLabel('添加休息日').fill(holiday)
  await manager.getByRole('button', { name: '添加', exact: true }).click()
  await manager.locator(`[data-closed="${holiday}"]`).waitFor({ timeout: WAIT })
  await manager.getByRole('button', { name: '保存设置' }).click()
  await manager.getByText('已保存接单设置').waitFor({ timeout: WAIT })
  await accessible(manager, 'taking orders, changed')
  await shoot(manager, 'availability-hours')
  const saved = await call(base, 'GET', '/provider/availability', await login(base, 'org001'))
  const days = saved.working_hours.split(',')
  if (days[0] !== '08:00-18:00' || days[6] !== '-' || days[3] !== '00:00-24:00') fail(`saved hours ${saved.working_hours}`)
  if (saved.closed_dates.join() !== holiday) fail(`saved closed dates ${saved.closed_dates}`)
  return `paused and resumed: ${second} passed over, ${third} offered`
})
