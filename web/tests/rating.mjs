// The booking loop, in a real browser: the demo resident books a cleaning at one of its open times tomorrow,
// answering the item's questions; the organization offered it takes it, does it and completes it with a note;
// the resident confirms it on the order's page, gives four stars with a comment, and sees the organization's
// rating move and its count grow by one; the rating can still be changed, until a time the page names.
// axe-core checks the page; screenshots at 360 and 1280 px are written.
//
//   node tests/rating.mjs --base URL --shots DIR
import { call as api, itemId, login, pickCommunity, reaches, takeOffer } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
const call = (method, path, token, body) => api(base, method, path, token, body)

await scenario(async () => {
  const resident = await login(base, 'resident')
  const home = await page(base)
  await signIn(home, 'resident')
  await home.goto(`${base}/#/items/${await itemId(base, '日常保洁')}/order`)
  await pickCommunity(base, home, 1)
  await home.getByLabel('详细地址').fill('文安路12号3单元502')
  await home.getByRole('radio', { name: '预约时段' }).click()
  const tomorrow = new Date(Date.now() + 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10)
  const time = home.locator(`[data-day="${tomorrow}"] .open-time`).first()
  await time.waitFor({ timeout: WAIT })
  const start = await time.getAttribute('data-start')
  await time.click()
  await home.getByLabel('房间数').fill('2')
  await home.locator('[data-question="pets"]').getByLabel('否').check()
  await home.getByRole('button', { name: '提交预约' }).click()
  await home.waitForURL(/#\/orders\/[0-9a-f-]+$/, { timeout: WAIT })
  const id = home.url().split('/').pop()
  const booked = await reaches(base, resident, id, 'offered')
  if (new Date(booked.window_start).getTime() !== new Date(start).getTime()) fail(`booked ${booked.window_start}, not ${start}`)
  if (booked.answers.map((a) => a.text).join() !== '2,否') fail(`the answers saved are ${JSON.stringify(booked.answers)}`)
  const staff = await takeOffer(base, id)
  await call('POST', `/orders/${id}/start`, staff)
  await call('POST', `/orders/${id}/complete`, staff, { note: '厨房、卫生间已清洁' })

  const rating = home.getByTestId('coming-rating')
  await rating.waitFor({ timeout: WAIT })
  const count = async () => Number((await rating.innerText()).match(/（(\d+) 条评价）/)?.[1])
  const before = await count()
  if (Number.isNaN(before)) fail(`the organization's rating reads ${await rating.innerText()}`)
  await home.getByRole('button', { name: '确认服务已完成', exact: true }).click()
  const form = home.getByTestId('rate-form')
  await form.waitFor({ timeout: WAIT })
  // The radio's icon adds a glyph to its name, so the name is matched in part.
  await form.getByRole('radio', { name: '4 星' }).click()
  await home.getByLabel('说几句（可不填）').fill('师傅很细心，准时到')
  await accessible(home, 'rating a visit')
  await home.getByRole('button', { name: '提交评价', exact: true }).click()
  await until('the count to grow by one', async () => (await count()) === before + 1)
  await form.getByText(/前可修改/).waitFor({ timeout: WAIT })
  const given = await call('GET', `/orders/${id}`, resident)
  if (given.rating?.stars !== 4 || given.rating.comment !== '师傅很细心，准时到') fail(`the rating saved is ${JSON.stringify(given.rating)}`)
  await shoot(home, 'rating')
  return `rating passed: four stars with a comment, the organization's count from ${before} to ${before + 1}`
})
