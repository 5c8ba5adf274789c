// Who is coming, in a real browser: the demo resident's cleaning is accepted by the organization offered it;
// its staff member opens the job and hands it to a colleague, 李师傅, on the order's page; the resident's page
// then names the organization, 李师傅 and a number to call. axe-core checks both pages; screenshots at 360 and
// 1280 px are written.
//
//   node tests/coming.mjs --base URL --shots DIR
import { call as api, itemId, login, offeredTo, order, reaches } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn } from './browser.mjs'

const base = args.base
const call = (method, path, token, body) => api(base, method, path, token, body)

await scenario(async () => {
  const resident = await login(base, 'resident')
  const id = await order(base, resident, await itemId(base, '日常保洁'))
  await reaches(base, resident, id, 'offered')
  const holder = await offeredTo(base, id)
  const accepted = await call('POST', `/orders/${id}/accept`, holder.token)
  const admin = await login(base, 'admin')
  await call('POST', '/admin/accounts', admin, {
    username: 'li-shifu', password: 'colleague-pass', display_name: '李师傅', role: 'provider_staff',
    provider_id: accepted.provider_id, phone: '13900000077',
  })

  // The staff member hands the job to 李师傅 on the order's page.
  const staff = await page(base)
  await signIn(staff, holder.username)
  await staff.goto(`${base}/#/orders/${id}`)
  const handTo = staff.getByLabel('改派给')
  await handTo.waitFor({ timeout: WAIT })
  await staff.locator('#hand-to option', { hasText: '李师傅' }).waitFor({ state: 'attached', timeout: WAIT })
  await handTo.selectOption({ label: '李师傅' })
  await accessible(staff, 'hand over')
  await staff.getByRole('button', { name: '改派', exact: true }).click()
  await staff.getByText('已改派').waitFor({ timeout: WAIT })

  // The resident sees who is coming and the number to call.
  const home = await page(base)
  await signIn(home, 'resident')
  await home.goto(`${base}/#/orders/${id}`)
  const name = home.getByTestId('coming-staff')
  await name.waitFor({ timeout: WAIT })
  if (!(await name.innerText()).includes('李师傅')) fail(`the resident sees ${await name.innerText()} coming`)
  const phone = home.getByTestId('coming-phone')
  if ((await phone.getAttribute('href')) !== 'tel:13900000077') fail(`the number reads ${await phone.getAttribute('href')}`)
  if (!(await home.getByTestId('coming-organization').innerText()).trim()) fail('the organization has no name')
  await accessible(home, 'who is coming')
  await shoot(home, 'coming')
  return 'coming passed: the job was handed to 李师傅, whom the resident sees coming with a number to call'
})
