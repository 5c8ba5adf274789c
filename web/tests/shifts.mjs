// Dedication Day in a real browser: the demo community worker's event has one shift of one place; two Party
// members registered with the community sign up in their own browsers, the first gets the place and the
// second the wait-list, each seeing where they stand; the organizer opens the shift's roster and sees both, in
// order, and downloads it as CSV. When the first gives the place up in their browser, the organizer's open
// roster and the second member's open page both show the second moved up, without a reload (the live stream).
// axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/shifts.mjs --base URL --shots DIR
//
// The event and the members' registrations are set up through the API first, as the worker and an admin
// would; what the members and the organizer do is done in the pages.
import { call as api, login as signInApi } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const call = (method, path, token, body) => api(base, method, path, token, body)
const login = (name, password) => signInApi(base, name, password)

await scenario(async () => {
  const admin = await login('admin')
  const worker = await login('worker')
  const week = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10)
  const event = await call('POST', '/communities/1/events', worker, {
    title: '共产党员社区奉献日',
    dedication_day: true,
    recurrence: { kind: 'once' },
    first_date: week,
    shifts: [{ title: '清扫楼道', start: '09:00', end: '11:00', place: '文安路社区党群服务中心', capacity: 1, skills: [] }],
  })
  const shift = event.occurrences[0].shifts[0].id
  const members = []
  for (const [username, name] of [['dy-wang', '王建国'], ['dy-li', '李红梅']]) {
    await call('POST', '/admin/accounts', admin, { username, password: 'member-pass', display_name: name, role: 'party_member' })
    const token = await login(username, 'member-pass')
    const reg = await call('POST', '/party-members/registrations', token, { community_id: 1, skills: ['保洁'] })
    await call('POST', `/registrations/${reg.id}/confirm`, worker)
    members.push({ username, name })
  }

  // Each member signs up in the shifts page of their own browser.
  const seen = []
  const phones = []
  for (const [n, m] of members.entries()) {
    const p = await page(base)
    phones.push(p)
    await signIn(p, m.username, 'member-pass')
    await p.getByRole('tab', { name: '志愿服务', exact: true }).click()
    await p.locator(`[data-shift="${shift}"]`).waitFor({ timeout: WAIT })
    await p.locator(`[data-shift="${shift}"]`).getByRole('button', { name: n === 0 ? '报名' : '排队候补' }).click()
    const mine = p.locator(`[data-my-shift="${shift}"] [data-state]`)
    await until(`${m.name}'s place`, async () => (await mine.count()) > 0)
    seen.push([(await mine.getAttribute('data-state')), (await mine.innerText()).trim()])
    if (n === 1) {
      await accessible(p, 'shifts')
      await shoot(p, 'shifts')
    }
  }
  if (seen[0][0] !== 'confirmed' || seen[1][0] !== 'wait_listed' || !seen[1][1].includes('1')) {
    fail(`expected a place and wait-list no. 1, saw ${JSON.stringify(seen)}`)
  }

  // The organizer sees both on the roster, in order, and takes it as CSV.
  const organizer = await page(base)
  await signIn(organizer, 'worker')
  await organizer.getByRole('tab', { name: '活动排班', exact: true }).click()
  await organizer.locator(`[data-shift="${shift}"]`).click()
  await organizer.waitForURL(/#\/shifts\/[0-9a-f-]+\/roster/, { timeout: WAIT })
  await organizer.getByText(members[0].name, { exact: true }).waitFor({ timeout: WAIT })
  await organizer.getByText(members[1].name, { exact: true }).waitFor({ timeout: WAIT })
  await accessible(organizer, 'roster')
  await shoot(organizer, 'roster')
  const [download] = await Promise.all([
    organizer.waitForEvent('download', { timeout: WAIT }),
    organizer.getByRole('button', { name: '导出名单（CSV）' }).click(),
  ])
  const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'))
  for (const m of members) if (!csv.includes(m.name)) fail(`the roster's CSV lacks ${m.name}:\n${csv}`)
  // The first member gives the place up on their phone; the roster open on the organizer's screen and the
  // second member's page move the second up by themselves.
  await phones[0].locator(`[data-my-shift="${shift}"]`).getByRole('button', { name: '取消报名' }).click()
  const placed = organizer.locator('[data-signup]', { hasText: members[1].name })
  await until(`${members[1].name} on the open roster`, async () => (await placed.count()) === 1)
  const second = phones[1].locator(`[data-my-shift="${shift}"] [data-state]`)
  await until(`${members[1].name}'s open page`, async () => (await second.getAttribute('data-state')) === 'confirmed')
  // The organizer moves the date a day later, then calls it off and takes it back; the shift follows.
  const later = new Date(Date.now() + 8 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10)
  await organizer.getByLabel('活动日期').fill(later)
  await organizer.getByRole('button', { name: '改到这一天' }).click()
  await until('the shift moved', async () => (await call('GET', `/shifts/${shift}`, worker)).starts_at.startsWith(later))
  await organizer.getByRole('button', { name: '取消本次活动' }).click()
  await organizer.getByTestId('called-off').waitFor({ timeout: WAIT })
  if (!(await call('GET', `/shifts/${shift}`, worker)).called_off) fail('the shift is not called off')
  await organizer.getByRole('button', { name: '恢复本次活动' }).click()
  await until('the date back on', async () => (await organizer.getByTestId('called-off').count()) === 0)
  await accessible(organizer, 'roster after changes')
  return `shifts passed: ${members[0].name} holds the place, ${members[1].name} waits first, both on the roster and its CSV; the give-up moved ${members[1].name} up live`
})
