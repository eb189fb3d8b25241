import { vitePlugin as remix } from '@remix-run/dev'
import tailwindcss from '@tailwindcss/vite'
import fs from 'node:fs'
import path from 'node:path'
import { defineConfig, type Plugin } from 'vite'
import tsconfigPaths from 'vite-tsconfig-paths'

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true
  }
}

/**
 * The sentence encoder's worker thread (app/modules/search/meaning.worker.mjs)
 * is started by file, not imported, so the bundler never sees it: copy it
 * beside the server bundle, where encoder.server.ts looks for it
 * (`new URL('./meaning.worker.mjs', import.meta.url)` from build/server/index.js).
 */
function encoderWorker(): Plugin {
  let source = ''
  let ssr = false
  return {
    name: 'switchboard-encoder-worker',
    apply: 'build',
    configResolved(config) {
      ssr = Boolean(config.build.ssr)
      source = path.resolve(config.root, 'app/modules/search/meaning.worker.mjs')
    },
    generateBundle() {
      if (ssr) this.emitFile({ type: 'asset', fileName: 'meaning.worker.mjs', source: fs.readFileSync(source, 'utf8') })
    },
  }
}

export default defineConfig({
  server: { port: 3000 },
  build: { target: 'es2022' },
  ssr: {
    // Native and WASM packages are loaded by Node at run time, not bundled.
    external: ['@node-rs/argon2', '@electric-sql/pglite', 'postgres', 'nodemailer'],
  },
  plugins: [
    tailwindcss(),
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: false,
      },
    }),
    tsconfigPaths(),
    encoderWorker(),
  ],
})
