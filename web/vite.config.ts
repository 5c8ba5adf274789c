// The build the api crate's build script runs: the app goes to LINLI_WEB_OUT (the build script's own output
// folder), or dist/ when built by hand. Pages load their code when first shown, so the first page stays small.
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

// Vant's icon font is inline (a data: URL), with a fallback on a CDN. Linli's pages reach nothing beyond their
// own origin (many deployments have no internet, and the Content-Security-Policy forbids it), so the build
// drops the fallback.
const noRemoteFonts: Plugin = {
  name: 'linli-no-remote-fonts',
  enforce: 'pre',
  transform(code, id) {
    if (!id.includes('/vant/') || !id.endsWith('.css')) return null
    return code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("woff"\)/g, '')
  },
}

export default defineConfig({
  plugins: [vue(), noRemoteFonts],
  build: {
    outDir: process.env.LINLI_WEB_OUT ?? 'dist',
    emptyOutDir: true,
    // The binary serves what is built; a source map would only make it larger.
    sourcemap: false,
    assetsInlineLimit: 0,
    // ECharts is one 540 KB chunk, loaded by the dashboard alone (BENCHMARKS.md); the first page stays small.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` beside a running `linli serve` on the default address.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
