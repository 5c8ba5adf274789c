// Every Vant component a page uses (`<van-cell>`) is registered in src/components.ts: an unregistered one
// renders as nothing in the production build, silently. Run by `npm run check`.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const src = new URL('../src', import.meta.url).pathname
const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.vue') ? [join(dir, e.name)] : [],
  )
const registry = readFileSync(join(src, 'components.ts'), 'utf8')
const names = (list) => (list ?? '').split(',').map((n) => n.trim()).filter(Boolean)
const imported = names(registry.match(/import \{([^}]*)\} from 'vant'/)?.[1])
const used = names(registry.match(/for \(const c of \[([^\]]*)\]/)?.[1])
if (imported.join() !== used.join()) {
  console.error(`components: src/components.ts imports ${imported} but registers ${used}`)
  process.exit(1)
}
const kebab = (name) => name.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())
const registered = new Set(imported.map(kebab))
const missing = new Set()
for (const file of files(src)) {
  for (const [, tag] of readFileSync(file, 'utf8').matchAll(/<van-([a-z-]+)/g)) {
    if (!registered.has(tag)) missing.add(`van-${tag} (${file.slice(src.length + 1)})`)
  }
}
if (!registered.size) {
  console.error('components: no Vant imports found in src/components.ts')
  process.exit(1)
}
if (missing.size) {
  console.error(`components: used but not registered in src/components.ts:\n${[...missing].join('\n')}`)
  process.exit(1)
}
console.log(`components: ${registered.size} Vant components registered, every one the pages use among them`)
