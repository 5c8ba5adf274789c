// Every message key exists in both languages, no message is empty, and every key the app's sources name as
// a literal (`t('a.b')`) exists: run by `npm run check` and by the browser test. Reads the two message files
// as the build does (through Vite's own TypeScript transform).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'vite'

/** Every `.vue` and `.ts` file under `dir`. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(vue|ts)$/.test(e.name) ? [join(dir, e.name)] : [],
  )
}

const server = await createServer({ configFile: false, root: new URL('..', import.meta.url).pathname, logLevel: 'error' })
try {
  const zh = (await server.ssrLoadModule('/src/locales/zh-CN.ts')).default
  const en = (await server.ssrLoadModule('/src/locales/en.ts')).default
  const keys = (o, prefix = '') =>
    Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]))
  const problems = []
  for (const [a, b, name] of [[zh, en, 'en'], [en, zh, 'zh-CN']]) {
    const other = new Map(keys(b))
    for (const [key] of keys(a)) if (!other.has(key)) problems.push(`${key} is missing in ${name}`)
  }
  const known = new Set(keys(zh).map(([k]) => k))
  const src = new URL('../src', import.meta.url).pathname
  let used = 0
  for (const file of sources(src)) {
    for (const [, key] of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
      used += 1
      if (!known.has(key)) problems.push(`${key}, used in ${file.slice(src.length + 1)}, is in neither language`)
    }
  }
  for (const [lang, messages] of [['zh-CN', zh], ['en', en]]) {
    for (const [key, value] of keys(messages)) if (!String(value).trim()) problems.push(`${key} is empty in ${lang}`)
  }
  if (problems.length) {
    console.error(problems.join('\n'))
    process.exit(1)
  }
  console.log(`messages: ${keys(zh).length} keys in both languages, ${used} named by the app's sources, all present`)
} finally {
  await server.close()
}
