// The API as the browser tests' set-up steps call it (the steps a person is not being tested on): JSON calls
// with a bearer token, signing in, and ordering and taking an order the way the demo's people would.
import { fail, until } from './browser.mjs'

/** A JSON call; fails the run on a refusal unless `allow` lists its status. */
export async function call(base, method, path, token, body, allow = []) {
  const resp = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await resp.text()
  if (!resp.ok && !allow.includes(resp.status)) fail(`${method} ${path}: ${resp.status} ${text}`)
  return text ? JSON.parse(text) : null
}

export async function login(base, name, password = 'linli-demo') {
  return (await call(base, 'POST', '/auth/login', null, { login: name, password })).token
}

/** The id of the catalog item called `name`. */
export async function itemId(base, name) {
  for (let cursor = ''; ;) {
    const page = await call(base, 'GET', `/catalog/items?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
    const found = page.items.find((i) => i.name === name)
    if (found) return found.id
    if (!page.next_cursor) fail(`no catalog item is called ${name}`)
    cursor = page.next_cursor
  }
}

/** The demo resident orders `item` as soon as possible at an address in community 1 (文安路社区). */
export async function order(base, token, item) {
  const body = { item_id: item, community_id: 1, address: '文安路12号', lat: 41.7852, lng: 123.4217, asap: true }
  return (await call(base, 'POST', '/orders', token, body)).id
}

/** Polls the order as `token` sees it until it is in `state`. */
export async function reaches(base, token, id, state) {
  const end = Date.now() + 20_000
  for (;;) {
    const o = await call(base, 'GET', `/orders/${id}`, token)
    if (o.state === state) return o
    if (Date.now() > end) fail(`order ${id} stayed ${o.state}, never ${state}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The demo organization's staff (org001…org005) holding an open offer of the order, as `{ username, token }`. */
export async function offeredTo(base, id) {
  for (let n = 1; n <= 5; n++) {
    const username = `org00${n}`
    const token = await login(base, username)
    const { offers } = await call(base, 'GET', '/offers', token)
    if (offers.some((o) => o.order.id === id)) return { username, token }
  }
  fail(`order ${id} was offered to none of the demo organizations`)
}

/** Whichever of the demo organizations' staff (org001…org005) was offered the order takes it. */
export async function takeOffer(base, id) {
  const staffs = []
  for (let n = 1; n <= 5; n++) staffs.push(await login(base, `org00${n}`))
  const end = Date.now() + 20_000
  while (Date.now() < end) {
    for (const staff of staffs) {
      const { offers } = await call(base, 'GET', '/offers?limit=100', staff)
      if (offers.some((o) => o.order.id === id)) {
        await call(base, 'POST', `/orders/${id}/accept`, staff)
        return staff
      }
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  fail(`order ${id} was offered to none of the demo organizations`)
}

/** Chooses community `id` in a page's community picker (区, then 街道, then 社区), as a person would. */
export async function pickCommunity(base, p, id = 1) {
  const community = await call(base, 'GET', `/geo/communities/${id}`)
  for (const d of await call(base, 'GET', '/geo/districts')) {
    const streets = await call(base, 'GET', `/geo/districts/${d.id}/streets`)
    if (streets.some((s) => s.id === community.parent_id)) await p.getByLabel('区', { exact: true }).selectOption(String(d.id))
  }
  await until('the streets', async () => (await p.locator('select[name=street] option').count()) > 1)
  await p.getByLabel('街道', { exact: true }).selectOption(String(community.parent_id))
  await until('the communities', async () => (await p.locator('select[name=community] option').count()) > 1)
  await p.getByLabel('社区', { exact: true }).selectOption(String(id))
}
