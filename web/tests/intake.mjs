// 全科受理 in a real browser: the demo worker (文安路社区) takes a request for an aunt with no app who lives in
// a neighbouring community. Nobody is found by her name, so the worker makes her record (mobile, landline,
// community, door), chooses 日常保洁 and files it; the form starts from where she lives and names her. An
// organization takes and completes the job; the worker finds it among the orders they filed, completed, and
// opens it. Typed by pinyin initials (bj) in the intake and in full (baojie) in a resident's catalog, the
// cleaning items come first. axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/intake.mjs --base URL --shots DIR
import { call, pickCommunity, reaches, takeOffer } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base
/** A community of the demo street other than the worker's: the demo organizations clean there. */
const NEIGHBOURING = 2

await scenario(async () => {
  const worker = await page(base)
  await signIn(worker, 'worker')
  await worker.waitForURL(/#\/community$/, { timeout: WAIT })
  // An order form reached without a resident chosen sends the worker to choose one.
  await worker.goto(`${base}/#/items/15/order`)
  await worker.waitForURL(/#\/community\/intake$/, { timeout: WAIT })
  await worker.goto(`${base}/#/community`)
  await worker.getByTestId('to-intake').click()
  await worker.waitForURL(/#\/community\/intake$/, { timeout: WAIT })

  // Nobody by that name yet: the worker makes her record.
  await worker.getByPlaceholder('手机号、固定电话或姓名').fill('贺兰淑芬')
  await worker.getByPlaceholder('手机号、固定电话或姓名').press('Enter')
  await worker.getByText('没有找到，可以新建档案').waitFor({ timeout: WAIT })
  await worker.getByTestId('new-record').click()
  if ((await worker.getByLabel('姓名', { exact: true }).inputValue()) !== '贺兰淑芬') fail('the name searched for was not carried over')
  await worker.getByLabel('手机号', { exact: true }).fill('13912345678')
  await worker.getByLabel('固定电话', { exact: true }).fill('024-23456789')
  await pickCommunity(base, worker, NEIGHBOURING)
  await worker.getByLabel('详细地址').fill('北陵大街3号2单元101')
  await accessible(worker, 'a new resident record')
  await shoot(worker, 'intake-record')
  await worker.getByRole('button', { name: '保存档案' }).click()
  await worker.getByTestId('chosen-resident').filter({ hasText: '贺兰淑芬' }).waitFor({ timeout: WAIT })

  // The worker chooses the item; the form files for her, from her community and door.
  // Typed by its pinyin initials, as on a phone: the cleaning items come first.
  await worker.getByPlaceholder('服务名称或拼音').fill('bj')
  const shown = () => worker.locator('[data-item]').evaluateAll((els) => els.map((e) => e.dataset.item))
  await until('the items found by bj', async () => (await shown())[0] === '日常保洁')
  const cleaning = (await shown()).slice(0, 3)
  if (cleaning.join() !== '日常保洁,深度保洁,开荒保洁') fail(`bj found ${cleaning} first`)
  await worker.getByText('日常保洁', { exact: true }).click()
  await worker.waitForURL(/#\/items\/\d+\/order\?for=/, { timeout: WAIT })
  await worker.getByTestId('on-behalf').filter({ hasText: '代 贺兰淑芬 受理' }).waitFor({ timeout: WAIT })
  const community = worker.getByLabel('社区', { exact: true })
  await until('the form starting from where she lives', async () => (await community.inputValue()) === String(NEIGHBOURING))
  if ((await worker.getByLabel('详细地址').inputValue()) !== '北陵大街3号2单元101') fail('her door was not filled in')
  await accessible(worker, 'an order filed for a resident')
  await shoot(worker, 'intake-order')
  await worker.getByRole('button', { name: '提交预约' }).click()
  await worker.waitForURL(/#\/orders\/[0-9a-f-]+$/, { timeout: WAIT })
  const id = worker.url().split('/').pop()

  // An organization takes the job and does it.
  const staff = await takeOffer(base, id)
  await call(base, 'POST', `/orders/${id}/start`, staff)
  await call(base, 'POST', `/orders/${id}/complete`, staff, { note: '已打扫厨房和卫生间' })
  const admin = await call(base, 'POST', '/auth/login', null, { login: 'admin', password: 'linli-demo' })
  await reaches(base, admin.token, id, 'completed')

  // The worker finds it among the orders they filed, completed, and opens it.
  await worker.goto(`${base}/#/community`)
  await worker.getByTestId('to-area-orders').click()
  await worker.waitForURL(/#\/community\/orders$/, { timeout: WAIT })
  await worker.getByTestId('mine').check()
  await worker.getByLabel('状态').selectOption('completed')
  await worker.getByRole('button', { name: '查询' }).click()
  const row = worker.locator(`[data-order="${id}"]`)
  await row.waitFor({ timeout: WAIT })
  const text = await row.innerText()
  for (const words of ['日常保洁 · 贺兰淑芬', '已完成', '张敏 代办']) if (!text.includes(words)) fail(`the row says ${text}`)
  await accessible(worker, 'area orders')
  await shoot(worker, 'area-orders')
  await row.click()
  await worker.locator('[data-testid="order-state"][data-state="completed"]').waitFor({ timeout: WAIT })

  // A resident finds the same items by their pinyin in the catalog.
  const resident = await page(base)
  await signIn(resident, 'resident')
  await resident.getByPlaceholder('服务名称或拼音').fill('baojie')
  const results = resident.getByTestId('search-results').locator('[data-item]')
  await until('the items found by baojie', async () => (await results.first().getAttribute('data-item')) === '日常保洁')
  await accessible(resident, 'catalog search')
  await shoot(resident, 'catalog-search')
  return `filed and followed ${id} to completion`
})
