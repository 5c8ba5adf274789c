// An item's own questions in a real browser: the admin adds a required question (楼层) to 日常保洁 on its
// questions page; a resident ordering it sees the question among the demo's own (房间数, 家中有宠物), answers
// them and books; the order's page shows the answers, and the organization offered it reads them on its job
// board with the offer. axe-core checks each page; screenshots at 360 and 1280 px are written.
//
//   node tests/questions.mjs --base URL --shots DIR
import { itemId, login, pickCommunity, reaches } from './api.mjs'
import { WAIT, accessible, args, fail, page, scenario, shoot, signIn, until } from './browser.mjs'

const base = args.base

await scenario(async () => {
  const cleaning = await itemId(base, '日常保洁')

  // The admin adds a required number question at the end of the item's questions.
  const admin = await page(base, 1280)
  await signIn(admin, 'admin')
  await admin.goto(`${base}/#/admin/catalog`)
  await admin.getByLabel('搜索服务').fill('日常保洁')
  await admin.locator(`[data-item="${cleaning}"]`).click()
  await admin.getByRole('button', { name: '问卷（2 题）' }).click()
  await admin.waitForURL(/#\/admin\/catalog\/\d+\/questions/, { timeout: WAIT })
  await admin.locator('[data-draft="1"]').waitFor({ timeout: WAIT })
  await admin.getByRole('button', { name: '添加问题' }).click()
  const added = admin.locator('[data-draft="2"]')
  await added.getByLabel('问题', { exact: true }).fill('楼层')
  await added.getByLabel('代码（小写字母、数字、下划线）').fill('floor')
  await added.getByLabel('类型').selectOption('number')
  await added.getByLabel('最小值').fill('1')
  await added.getByLabel('最大值').fill('40')
  await added.getByLabel('必答').check()
  await accessible(admin, 'questions')
  await shoot(admin, 'questions')
  await admin.getByRole('button', { name: '保存问卷' }).click()
  await until('the questions saved', async () => {
    const item = await (await fetch(`${base}/api/v1/catalog/items/${cleaning}`)).json()
    return item.questions.map((q) => q.code).join() === 'rooms,pets,floor'
  })

  // The resident orders it, answering the questions in the form.
  const resident = await page(base)
  await signIn(resident, 'resident')
  await resident.goto(`${base}/#/items/${cleaning}/order`)
  await resident.locator('[data-question="floor"]').waitFor({ timeout: WAIT })
  await pickCommunity(base, resident, 1)
  await resident.getByLabel('详细地址').fill('文安路12号3单元502')
  await resident.getByLabel('房间数').fill('3')
  await resident.locator('[data-question="pets"]').getByLabel('是').check()
  await resident.getByLabel(/^楼层/).fill('5')
  await accessible(resident, 'order form with questions')
  await shoot(resident, 'order-questions')
  await resident.getByRole('button', { name: '提交预约' }).click()
  await resident.waitForURL(/#\/orders\/[0-9a-f-]+$/, { timeout: WAIT })
  const orderId = resident.url().split('/').pop()
  for (const [code, text] of [['rooms', '3'], ['pets', '是'], ['floor', '5']]) {
    const cell = resident.locator(`[data-answer="${code}"]`)
    await cell.waitFor({ timeout: WAIT })
    if (!(await cell.innerText()).includes(text)) fail(`the order's ${code} reads ${await cell.innerText()}, not ${text}`)
  }

  // The organizations offered it read the answers with the offer.
  await reaches(base, await login(base, 'resident'), orderId, 'offered')
  let line = null
  for (let n = 1; n <= 5 && !line; n++) {
    const { offers } = await (await fetch(`${base}/api/v1/offers`, { headers: { authorization: `Bearer ${await login(base, `org00${n}`)}` } })).json()
    if (!offers.some((o) => o.order.id === orderId)) continue
    const board = await page(base)
    await signIn(board, `org00${n}`)
    const offer = board.locator(`[data-offer="${orderId}"] [data-answers]`)
    await offer.waitFor({ timeout: WAIT })
    line = await offer.innerText()
    await accessible(board, 'job board with answers')
  }
  if (!line) fail('no organization was offered the order')
  if (!line.includes('楼层：5') || !line.includes('家中有宠物：是')) fail(`the offer's answers read ${line}`)
  return `questions passed: the admin's new question was asked and answered; the offer reads "${line}"`
})
