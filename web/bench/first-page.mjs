// How much compressed script a resident's first page costs: builds the app with Vite's manifest into a
// temporary folder, then follows the import graph from index.html's entry, plus the chunk of the page a
// resident lands on (sign-in when signed out, the catalog when signed in), and sums each file gzipped and
// brotli-compressed. The budget is 200 KB of gzipped script; figures for the pages that need charts or a map
// belong to those pages' own chunks, never to this sum.
//
//   node bench/first-page.mjs
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync, brotliCompressSync } from 'node:zlib'
import { build } from 'vite'

const out = mkdtempSync(join(tmpdir(), 'linli-web-'))
await build({ logLevel: 'error', build: { outDir: out, manifest: true, emptyOutDir: true } })
const manifest = JSON.parse(readFileSync(join(out, '.vite/manifest.json'), 'utf8'))

function closure(keys, seen = new Set()) {
  for (const key of keys) {
    if (seen.has(key)) continue
    seen.add(key)
    closure(manifest[key].imports ?? [], seen)
  }
  return seen
}

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry)
const budget = 200 * 1024
let failed = false
for (const [landing, page] of [['signed out', 'src/pages/SignIn.vue'], ['signed in', 'src/pages/CatalogPage.vue']]) {
  const files = [...closure([entry, page])].map((k) => manifest[k].file).filter((f) => f.endsWith('.js'))
  let raw = 0
  let gzip = 0
  let brotli = 0
  for (const f of files) {
    const bytes = readFileSync(join(out, f))
    raw += bytes.length
    gzip += gzipSync(bytes, { level: 9 }).length
    brotli += brotliCompressSync(bytes).length
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  console.log(`| first page, ${landing} | ${files.length} | ${kb(raw)} | ${kb(gzip)} | ${kb(brotli)} | ${kb(budget)} |`)
  failed ||= gzip > budget
}
process.exitCode = failed ? 1 : 0
