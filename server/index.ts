/**
 * Starts the hub: validates the environment, serves HTTP at once (health
 * answers 503 "starting" meanwhile), then boots the app (database,
 * migrations, demo seed, timers) inside the Remix build.
 *
 *   NODE_ENV=development → Vite dev server with HMR
 *   otherwise            → the production build in build/
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type ServerBuild } from '@remix-run/node'
import { EnvError, parseEnv } from '../app/utils/env.server'
import { createApp, type BuildSource, type EntryExtras } from './app'

async function main() {
  let e
  try {
    e = parseEnv(process.env)
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }

  let source: BuildSource
  if (e.NODE_ENV === 'development') {
    const vite = await import('vite')
    const server = await vite.createServer({ server: { middlewareMode: true } })
    source = {
      load: () => server.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>,
      devMiddleware: server.middlewares,
    }
  } else {
    const buildPath = pathToFileURL(path.resolve('build/server/index.js')).href
    const build = (await import(buildPath)) as ServerBuild
    source = { load: async () => build }
  }

  const app = createApp({ env: e, source })
  const server = app.listen(e.PORT, e.HOST, () => {
    console.info(`[server] listening on ${e.PUBLIC_URL} (port ${e.PORT}, ${e.NODE_ENV})`)
  })

  const entry = (await source.load()).entry.module as unknown as EntryExtras
  entry.boot().catch(() => {
    console.error('[server] could not start; see the error above.')
    process.exit(1)
  })

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.info(`[server] ${signal}: finishing requests and closing the database`)
    server.close(() => {
      entry
        .shutdown()
        .catch((error) => console.error('[server] shutdown failed:', error))
        .finally(() => process.exit(0))
    })
    // Keep-alive connections could hold close() open; do not wait forever.
    setTimeout(() => process.exit(0), 10_000).unref()
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error) => {
  console.error('[server] failed to start:', error)
  process.exit(1)
})
