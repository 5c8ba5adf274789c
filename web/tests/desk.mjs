// A community worker's day and a Party member's registration, in real browsers: the member registers (报到)
// with community 1 in their page and sees it wait; the worker confirms it from the desk, and the member sees
// it confirmed. Two volunteer orders nobody can take are escalated: the worker assigns one to a provider and
// closes the other. The worker posts a problem for the paired branches, organizes an event with a shift
// starting soon, and checks in, on the roster, the member who signed up. axe-core checks each page;
// screenshots at 360 and 1280 px are written.
//
//   node tests/desk.mjs --base URL --shots DIR
import { call, login, order, pickCommunity, reaches } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base

/** Shanghai's date and time `ms` from now, as `YYYY-MM-DD` and `HH:MM`. */
function shanghai(ms) {
  const iso = new Date(Date.now() + ms + 8 * 3_600_000).toISOString()
  return [iso.slice(0, 10), iso.slice(11, 16)]
}

/** A half-hour shift that starts within the hour (check-in opens an hour before), on one day. */
function soon() {
  let [date, start] = shanghai(20 * 60_000)
  if (start >= '23:30') [date, start] = [shanghai(60 * 60_000)[0], '00:00']
  const [h, m] = start.split(':').map(Number)
  const end = h * 60 + m + 30
  return { date, start, end: `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}` }
}

await scenario(async () => {
  const admin = await login(base, 'admin')
  await call(base, 'POST', '/admin/accounts', admin, { username: 'dy-zhao', password: 'member-pass', display_name: '赵志远', role: 'party_member' })

  // The member registers with community 1 in their own page.
  const member = await page(base)
  await signIn(member, 'dy-zhao', 'member-pass')
  await member.getByRole('tab', { name: '报到', exact: true }).click()
  await member.waitForURL(/#\/volunteer/, { timeout: WAIT })
  await pickCommunity(base, member, 1)
  await member.getByLabel('特长').fill('维修、理发')
  await accessible(member, 'member registration')
  await member.getByRole('button', { name: '提交报到' }).click()
  await member.locator('[data-my-registration="pending"]').waitFor({ timeout: WAIT })
  await shoot(member, 'member')

  // Two volunteer orders nobody can take yet are escalated at once.
  const resident = await login(base, 'resident')
  const escalated = []
  for (let n = 0; n < 2; n++) escalated.push((await reaches(base, resident, await order(base, resident, 100), 'escalated')).id)

  // The worker confirms the registration from the desk.
  const worker = await page(base)
  await signIn(worker, 'worker')
  await worker.waitForURL(/#\/community$/, { timeout: WAIT })
  await accessible(worker, 'desk')
  await shoot(worker, 'desk')
  await worker.getByText('报到审核', { exact: true }).click()
  const registration = worker.locator('[data-registration]').filter({ hasText: '赵志远' })
  await registration.waitFor({ timeout: WAIT })
  await accessible(worker, 'registrations')
  await shoot(worker, 'registrations')
  await registration.getByRole('button', { name: '通过', exact: true }).click()
  await until('the registration decided', async () => (await registration.count()) === 0)
  await member.reload()
  await member.locator('[data-my-registration="confirmed"]').waitFor({ timeout: WAIT })

  // The escalations: one assigned to a provider, the other closed, each with a reason.
  await worker.goBack()
  await worker.getByText('转办待处理', { exact: true }).click()
  for (const id of escalated) await worker.locator(`[data-escalation="${id}"]`).waitFor({ timeout: WAIT })
  await accessible(worker, 'escalations')
  await shoot(worker, 'escalations')
  const first = worker.locator(`[data-escalation="${escalated[0]}"]`)
  await first.getByRole('button', { name: '指派' }).click()
  const assignTo = worker.getByLabel('指派给')
  await until('providers to assign to', async () => (await assignTo.locator('option').count()) > 1)
  await assignTo.selectOption({ index: 1 })
  await worker.getByLabel('原因').fill('志愿者暂缺，请服务机构上门')
  await worker.getByRole('button', { name: '确认' }).click()
  await until('the assigned order gone from the queue', async () => (await first.count()) === 0)
  await worker.locator(`[data-escalation="${escalated[1]}"]`).getByRole('button', { name: '办结' }).click()
  await worker.getByLabel('原因').fill('居民已自行解决')
  await worker.getByRole('button', { name: '确认' }).click()
  await until('the closed order gone from the queue', async () => (await worker.locator(`[data-escalation="${escalated[1]}"]`).count()) === 0)
  const states = await Promise.all(escalated.map(async (id) => (await call(base, 'GET', `/orders/${id}`, resident)).state))
  if (states.join() !== 'offered,cancelled' && states.join() !== 'accepted,cancelled') fail(`after assigning and closing, the orders are ${states}`)

  // A problem for the paired branches.
  await worker.goBack()
  await worker.getByText('疑难问题（三联）', { exact: true }).click()
  await worker.getByLabel('标题').fill('老旧小区楼道照明损坏')
  await worker.getByLabel('详细情况').fill('3 号楼楼道灯全部不亮，需要电工维修')
  await worker.getByRole('button', { name: '发布给结对支部' }).click()
  await worker.locator('[data-problem]').filter({ hasText: '老旧小区楼道照明损坏' }).waitFor({ timeout: WAIT })
  await accessible(worker, 'problems')
  await shoot(worker, 'problems')

  // An event with a shift starting soon; the member signs up and the organizer checks them in.
  await worker.goBack()
  await worker.getByText('新建活动', { exact: true }).click()
  const shift = soon()
  await worker.getByLabel('活动名称').fill('共产党员社区奉献日')
  await worker.getByLabel('首次日期').fill(shift.date)
  await worker.getByLabel('班次名称').fill('义务理发')
  await worker.getByLabel('开始').fill(shift.start)
  await worker.getByLabel('结束').fill(shift.end)
  await worker.getByLabel('地点').fill('文安路社区党群服务中心')
  await worker.getByLabel('名额').fill('5')
  await accessible(worker, 'new event')
  await shoot(worker, 'new-event')
  await worker.getByRole('button', { name: '创建活动' }).click()
  await worker.waitForURL(/#\/community\/shifts/, { timeout: WAIT })
  const listed = worker.locator('[data-shift]').filter({ hasText: '义务理发' })
  await listed.waitFor({ timeout: WAIT })
  const shiftId = await listed.getAttribute('data-shift')
  const memberToken = await login(base, 'dy-zhao', 'member-pass')
  await call(base, 'POST', `/shifts/${shiftId}/signups`, memberToken)
  await listed.click()
  const signup = worker.locator('[data-signup]').filter({ hasText: '赵志远' })
  await signup.getByRole('button', { name: '代签到' }).click()
  await until('the member checked in', async () => (await signup.innerText()).includes('签到') && (await signup.getByRole('button', { name: '代签退' }).count()) === 1)
  await accessible(worker, 'roster with attendance')
  return 'desk passed: registration confirmed, escalations assigned and closed, problem posted, event made, member checked in'
})
