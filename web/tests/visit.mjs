// The visit, in a real browser: the organization that took the demo resident's cleaning starts it from the
// job board with the phone placing the staff member about 2 km from the address, and completes it with a note;
// the resident reads the visit's record, the start flagged as far from the address, and disputes it; the
// community worker finds the dispute on their desk and resolves it, and the resident's page shows the
// resolution without a reload. axe-core checks the pages; screenshots at 360 and 1280 px are written.
//
//   node tests/visit.mjs --base URL --shots DIR
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

  // The staff member's phone says it is about 2 km north of the address (41.7852, 123.4217).
  const staff = await page(base)
  await staff.context().grantPermissions(['geolocation'], { origin: new URL(base).origin })
  await staff.context().setGeolocation({ latitude: 41.8032, longitude: 123.4217 })
  await signIn(staff, holder.username)
  await staff.goto(`${base}/#/jobs`)
  const job = staff.locator(`[data-job="${id}"]`)
  await job.getByRole('button', { name: '开始服务', exact: true }).click({ timeout: WAIT })
  await reaches(base, resident, id, 'in_service')
  await job.getByRole('button', { name: '完成服务', exact: true }).click({ timeout: WAIT })
  await staff.getByLabel('服务记录').fill('厨房、卫生间已清洁，垃圾已带走')
  await accessible(staff, 'completing a job')
  await staff.getByRole('button', { name: '提交并完成', exact: true }).click()
  await reaches(base, resident, id, 'completed')

  // The resident reads the record and disputes it.
  const home = await page(base)
  await signIn(home, 'resident')
  await home.goto(`${base}/#/orders/${id}`)
  const start = home.getByTestId('visit-start')
  await start.waitFor({ timeout: WAIT })
  if ((await start.getAttribute('data-far')) !== 'true') fail('the start 2 km away is not flagged as far')
  if (!(await start.innerText()).includes('离地址较远')) fail(`the start reads ${await start.innerText()}`)
  if (!(await home.getByTestId('visit-note').innerText()).includes('垃圾已带走')) fail('the note is not shown')
  const verdict = home.getByTestId('visit-verdict')
  if ((await verdict.getAttribute('data-verdict')) !== 'pending') fail('the visit does not wait for the resident')
  await accessible(home, 'the visit record')
  await shoot(home, 'visit')
  await home.getByRole('button', { name: '提出异议', exact: true }).click()
  await home.getByLabel('哪里有问题').fill('卫生间的地没有拖')
  await home.getByRole('button', { name: '提交', exact: true }).click()
  await until('the dispute to show', async () => (await verdict.getAttribute('data-verdict')) === 'disputed')

  // The community worker finds it on the desk and resolves it.
  const desk = await page(base, 1280)
  await signIn(desk, 'worker')
  await desk.getByText('服务异议', { exact: true }).click({ timeout: WAIT })
  const listed = desk.locator(`[data-dispute="${id}"]`)
  await listed.waitFor({ timeout: WAIT })
  if (!(await listed.innerText()).includes('卫生间的地没有拖')) fail('the dispute does not say what was wrong')
  await accessible(desk, 'disputes')
  await shoot(desk, 'disputes')
  await listed.click()
  await desk.getByRole('button', { name: '处理异议', exact: true }).click({ timeout: WAIT })
  await desk.getByLabel('处理结果').fill('已联系机构当天补拖地面，居民认可')
  await desk.getByRole('button', { name: '提交', exact: true }).click()
  await desk.getByTestId('visit-resolution').waitFor({ timeout: WAIT })

  // The resident's page follows without a reload.
  await until('the resolution on the resident’s page', async () => (await verdict.innerText()).includes('异议已处理'))
  return 'visit passed: started far from the address and flagged, completed with a note, disputed by the resident and resolved by the worker'
})
