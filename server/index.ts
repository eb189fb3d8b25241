/**
 * Starts the hub: validates the environment, serves HTTP at once (health
 * answers 503 "starting" meanwhile), then boots the app (database,
 * migrations, demo seed, timers) inside the Remix build.
 *
 *   NODE_ENV=development → Vite dev server with HMR
 *   otherwise            → the production build in build/
 *
 * With WEB_CONCURRENCY=N (N > 1, PostgreSQL only) this process becomes a
 * `node:cluster` primary that forks N app processes sharing the port; each
 * boots as a single process would (its own search index, kept in step by
 * LISTEN/NOTIFY). The primary restarts a process that dies after it had
 * started, and passes SIGTERM/SIGINT on for a graceful stop.
 */
import cluster, { type Worker } from 'node:cluster'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type ServerBuild } from '@remix-run/node'
import { EnvError, parseEnv, type Env } from '../app/utils/env.server'
import { createApp, type BuildSource, type EntryExtras } from './app'

/** Sent by a worker to the primary once it has booted. */
const BOOTED = 'switchboard:booted'
/** How long the primary waits for its workers to stop before killing them. */
const STOP_BUDGET_MS = 15_000

function parseEnvOrExit(): Env {
  try {
    return parseEnv(process.env)
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
}

/**
 * The cluster primary: forks the app processes and looks after them. It
 * opens no database and loads no build itself.
 */
function runPrimary(e: Env) {
  const size = e.WEB_CONCURRENCY
  const booted = new WeakSet<Worker>()
  const live = new Set<Worker>()
  let stopping = false
  const fork = () => {
    const worker = cluster.fork()
    live.add(worker)
    worker.on('message', (message: unknown) => {
      if (message === BOOTED) booted.add(worker)
    })
  }
  console.info(`[cluster] starting ${size} app processes on port ${e.PORT}`)
  for (let i = 0; i < size; i++) fork()

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker)
    if (stopping) {
      if (live.size === 0) process.exit(process.exitCode ?? 0)
      return
    }
    if (!booted.has(worker)) {
      // It never started (bad configuration, failed migration): restarting
      // would fail the same way, so stop as a single process would.
      console.error(`[cluster] app process ${worker.process.pid} failed to start (${signal ?? code}); stopping.`)
      stop('start failure', 1)
      return
    }
    console.error(`[cluster] app process ${worker.process.pid} died (${signal ?? code}); starting another`)
    setTimeout(fork, 1000).unref()
  })

  const stop = (reason: string, exitCode = 0) => {
    if (stopping) return
    stopping = true
    process.exitCode = exitCode
    console.info(`[cluster] ${reason}: stopping ${live.size} app processes`)
    for (const worker of live) worker.process.kill('SIGTERM')
    if (live.size === 0) process.exit(exitCode)
    setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL')
      process.exit(exitCode)
    }, STOP_BUDGET_MS).unref()
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

async function main() {
  const e = parseEnvOrExit()
  if (cluster.isPrimary && e.WEB_CONCURRENCY > 1) {
    if (!e.DATABASE_URL) {
      console.error(
        `[server] WEB_CONCURRENCY=${e.WEB_CONCURRENCY} needs PostgreSQL: the embedded database (no DATABASE_URL) can be opened by one process only. ` +
          'Set DATABASE_URL, or leave WEB_CONCURRENCY unset (1).',
      )
      process.exit(1)
    }
    if (e.NODE_ENV === 'development') {
      console.warn('[server] WEB_CONCURRENCY is ignored in development (one Vite dev server); serving with one process.')
    } else {
      runPrimary(e)
      return
    }
  }
  await serve(e)
}

async function serve(e: Env) {

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
  entry.boot().then(
    () => process.send?.(BOOTED),
    () => {
      console.error('[server] could not start; see the error above.')
      process.exit(1)
    },
  )

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
