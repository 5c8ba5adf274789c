// Every message key exists in both languages, and no message is empty: run by `npm run check` and by the
// browser test. Reads the two message files as the build does (through Vite's own TypeScript transform).
import { createServer } from 'vite'

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
  for (const [lang, messages] of [['zh-CN', zh], ['en', en]]) {
    for (const [key, value] of keys(messages)) if (!String(value).trim()) problems.push(`${key} is empty in ${lang}`)
  }
  if (problems.length) {
    console.error(problems.join('\n'))
    process.exit(1)
  }
  console.log(`messages: ${keys(zh).length} keys in both languages`)
} finally {
  await server.close()
}
