// What the browser tests share: their arguments, headless Chromium (Debian's, through playwright-core), a fresh
// browser context per person, signing in as a person does, axe-core on a page, screenshots at 360 and 1280 px,
// and waiting on a condition. Problems seen on the way (console errors, axe findings) are collected and fail
// the run at its end.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'

export const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
)
mkdirSync(args.shots, { recursive: true })
export const WAIT = 20_000
export const problems = []
/** Requests a scenario expects to be refused (a settings page asking for what is not set yet answers 404);
 * the browser logs their failed loads as errors, which are not problems then. */
export const expectedRefusals = []

export const browser = await chromium.launch({
  executablePath: process.env.LINLI_CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})

export function fail(why) {
  throw new Error(why)
}

/** A page in a browser context of its own (one person), opened at `base`. */
export async function page(base, width = 360) {
  const context = await browser.newContext({ viewport: { width, height: 780 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const p = await context.newPage()
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const url = m.location().url
    if (m.text().startsWith('Failed to load resource') && expectedRefusals.some((r) => r.test(url))) return
    problems.push(`console: ${m.text()} (${url})`)
  })
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  await p.goto(base)
  return p
}

// Pages are reached the way a person reaches them, by links and tabs: the app's routes live after the `#`.
export async function signIn(p, login, password = 'linli-demo') {
  await p.waitForURL(/#\/sign-in/, { timeout: WAIT })
  await p.getByLabel('账号').fill(login)
  await p.getByLabel('密码').fill(password)
  await p.getByRole('button', { name: '登录', exact: true }).click()
  await p.waitForURL((u) => !u.hash.startsWith('#/sign-in'), { timeout: WAIT })
}

export async function accessible(p, name) {
  const { violations } = await new AxeBuilder({ page: p }).analyze()
  for (const v of violations.filter((v) => ['serious', 'critical'].includes(v.impact))) {
    problems.push(`axe on ${name}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  }
}

export async function shoot(p, name) {
  for (const width of [360, 1280]) {
    await p.setViewportSize({ width, height: 780 })
    await p.screenshot({ path: join(args.shots, `${name}-${width}.png`), fullPage: true })
  }
  await p.setViewportSize({ width: 360, height: 780 })
}

/** The code in the last text to `phone` that the development SMS adapter wrote under `--data`. */
export function textedCode(phone) {
  let log
  try {
    log = readFileSync(join(args.data, 'sms.log'), 'utf8')
  } catch {
    return null
  }
  const line = log.trim().split('\n').reverse().find((l) => l.split('\t')[1] === phone)
  return line?.split('\t')[2].match(/\d{6}/)?.[0] ?? null
}

export async function until(what, check) {
  const end = Date.now() + WAIT
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) fail(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Runs a scenario, reports what went wrong (its error, then every problem seen), and closes the browser. */
export async function scenario(run) {
  try {
    const done = await run()
    if (problems.length) fail(problems.join('\n'))
    console.log(done)
  } catch (e) {
    console.error(e.message)
    if (problems.length) console.error(problems.join('\n'))
    process.exitCode = 1
  } finally {
    await browser.close()
  }
}
