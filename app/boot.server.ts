/**
 * Starting the hub: connect to the database, migrate, seed the demo world
 * where it applies, and start the background work (job runner, mailer,
 * meaning worker). The HTTP server answers `/healthz` with 503 until this
 * has finished.
 *
 * Exported through entry.server.tsx so that the server runs this code inside
 * the Remix build (one copy of every module), in development and production.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { connectDatabase, getDatabaseHandle, hasDatabase, isDatabaseUnreachableError, pingDatabase } from '~/db/client.server'
import { migrateDatabase } from '~/db/migrate'
import { seedDemoIfEmpty } from '~/db/seed'
import { startMailer, stopMailer } from '~/modules/email/email.server'
import { startBackgroundJobs, stopBackgroundJobs } from '~/modules/jobs/background.server'
import { startMeaningWorker, stopMeaningWorker } from '~/modules/search/meaning.server'
import { startSearchIndex, stopSearchIndex } from '~/modules/search/search-index.server'
import { startSimilarWorker, stopSimilarWorker } from '~/modules/search/similar-problems.server'
import { env, type Env } from '~/utils/env.server'
import { outsideRequestScope } from '~/utils/request-scope.server'

/**
 * What `/healthz` reports (server/app.ts answers 200 only for `ready`):
 * - `starting`: connecting, migrating, seeding;
 * - `database unreachable`: the database did not answer a ping within
 *   HEALTH_PING_TIMEOUT_MS (at start, or any time later);
 * - `warming`: pages are served, the search index is still being built;
 * - `ready`: everything works;
 * - `failed`: the start failed for another reason (the process exits).
 */
export type Health = { status: 'starting' | 'warming' | 'ready' | 'failed' | 'database unreachable'; detail?: string }

/** The last ping of the database: shared by every request for HEALTH_FRESH_MS. */
type Probe = {
  checkedAt: number
  reachable: boolean
  detail?: string
  pending?: Promise<void>
  /** When a request last failed with a connection-level error (reportDatabaseFailure). */
  failedAt?: number
  /** When a slow ping was last logged. */
  slowLoggedAt?: number
  /** Whether the last ping that ran out of time answered after all (undefined: none ran out lately). */
  lastSlowPingAnswered?: boolean
}

/** True when `promise` resolves within `ms`, false when it has not by then; rejects as it does. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([promise.then(() => true as const), late])
  } finally {
    clearTimeout(timer)
    promise.catch(() => {})
  }
}

type BootState = { health: Health; booting?: Promise<void>; timers: NodeJS.Timeout[]; probe: Probe }
const holder = globalThis as { __switchboardBoot?: BootState }
const state: BootState = (holder.__switchboardBoot ??= { health: { status: 'starting' }, timers: [], probe: { checkedAt: 0, reachable: true } })
state.probe ??= { checkedAt: 0, reachable: true }

/** A ping gets this long before the database counts as unreachable, so /healthz always answers within 1 s. */
const HEALTH_PING_TIMEOUT_MS = 800
/**
 * How long one ping's verdict stands. Every request asks for the health
 * before it is served; within this window they share one answer instead of
 * each paying a round trip to the database.
 */
const HEALTH_FRESH_MS = 1000
/**
 * A ping that only ran out of time counts as an outage when a request also
 * failed to reach the database this recently. Under load the pool and the
 * event loop are busy and a ping can take longer than HEALTH_PING_TIMEOUT_MS
 * while every query still succeeds; answering 503 to everyone then would turn
 * a slow hub into a down one.
 */
const SLOW_IS_DOWN_WITHIN_MS = 10_000
/** Pause between attempts to reach a database that is away at start. */
const START_RETRY_MS = 2000

/**
 * Connects and migrates, waiting for a database that is away at start
 * (health says `database unreachable` meanwhile) instead of exiting: an
 * app started before its database comes up on its own once it does.
 */
async function connectAndMigrate(e: Env) {
  for (let attempt = 1; ; attempt++) {
    try {
      if (e.DATABASE_URL) {
        await connectDatabase({
          driver: 'postgres',
          url: e.DATABASE_URL,
          poolSize: e.DATABASE_POOL_SIZE,
          listenUrl: e.DATABASE_LISTEN_URL,
          connectTimeoutSeconds: e.DATABASE_CONNECT_TIMEOUT_S,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS || undefined,
        })
        // The migration holds a session lock: through a transaction-mode pooler it needs the direct URL.
        await migrateDatabase(getDatabaseHandle(), e.DATABASE_LISTEN_URL ?? e.DATABASE_URL)
      } else {
        const dataDir = path.resolve(e.DATA_DIR, 'pglite')
        await fs.mkdir(dataDir, { recursive: true })
        await connectDatabase({ driver: 'pglite', dataDir })
        await migrateDatabase(getDatabaseHandle())
      }
      state.health = { status: 'starting' }
      return
    } catch (error) {
      if (!e.DATABASE_URL || !isDatabaseUnreachableError(error)) throw error
      const detail = error instanceof Error ? error.message : String(error)
      state.health = { status: 'database unreachable', detail }
      if (attempt === 1 || attempt % 15 === 0) console.warn(`[boot] the database is unreachable (${detail}); trying again every ${START_RETRY_MS / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS))
    }
  }
}

/** Connects, migrates, seeds and starts timers once per process. */
export function boot(e: Env = env()): Promise<void> {
  state.booting ??= (async () => {
    const started = Date.now()
    try {
      await connectAndMigrate(e)
      const seed = e.SEED_DEMO ?? !e.DATABASE_URL
      if (seed) {
        const seeded = await seedDemoIfEmpty({ password: e.DEMO_PASSWORD })
        if (seeded) printDemoLogins(seeded, e)
      }
      // Requests are served from here on; /healthz says "warming" until search is ready.
      state.health = { status: 'warming' }
      startMailer()
      // Hourly maintenance, introduction expiry and outcomes, the daily digest: jobs, run once across processes.
      startBackgroundJobs({ digestHourUtc: e.DIGEST_TIMER ? e.DIGEST_HOUR_UTC : null, periodMinutes: e.JOBS_PERIOD_MINUTES })
      await startSearchIndex({
        snapshotDir: e.NODE_ENV === 'test' ? null : path.resolve(e.DATA_DIR),
        reconcileMs: e.SEARCH_RECONCILE_SECONDS * 1000,
      })
      startMeaningWorker()
      startSimilarWorker()
      state.health = { status: 'ready' }
      console.info(
        `[boot] ready in ${Date.now() - started} ms on ${e.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite (${path.resolve(e.DATA_DIR)})`}`,
      )
    } catch (error) {
      state.health = { status: 'failed', detail: error instanceof Error ? error.message : String(error) }
      console.error('[boot] failed:', error)
      throw error
    }
  })()
  return state.booting
}

function printDemoLogins(accounts: { email: string; role: string }[], e: Env) {
  const lines = accounts.map((a) => `    ${a.email.padEnd(24)} ${a.role}`)
  console.info(
    [
      '',
      '  Demo world seeded. Sign in at ' + e.PUBLIC_URL + ' with any of:',
      ...lines,
      `  Password for all: ${e.DEMO_PASSWORD}`,
      '',
    ].join('\n'),
  )
}

/**
 * The hub's health (see `Health`): ready only once the database is
 * reachable and migrated and search is built. Cheap enough to ask on every
 * request: the database is pinged at most once per HEALTH_FRESH_MS, and a
 * ping never takes longer than HEALTH_PING_TIMEOUT_MS.
 */
export async function health(): Promise<Health> {
  if (state.health.status !== 'ready' && state.health.status !== 'warming') return state.health
  if (!hasDatabase()) return { status: 'starting' }
  const probe = state.probe
  if (Date.now() - probe.checkedAt >= HEALTH_FRESH_MS) {
    // Outside the request's scope: a client going away must not cancel the ping and pass for an outage.
    probe.pending ??= (async () => {
      // Outside the request's scope: a client going away must not cancel the ping and pass for an outage.
      const ping = outsideRequestScope(() => pingDatabase(getDatabaseHandle()))
      const verdict = await settleWithin(ping, HEALTH_PING_TIMEOUT_MS).then(
        (answered) => {
          if (answered) {
            delete probe.lastSlowPingAnswered
            return { reachable: true, detail: undefined }
          }
          // No answer in time, yet no error: a busy pool or event loop, or a
          // database gone silent. Busy while the last slow ping did come back
          // (and no request failed to connect lately); silent otherwise.
          const slow = probe.lastSlowPingAnswered !== false && Date.now() - (probe.failedAt ?? 0) > SLOW_IS_DOWN_WITHIN_MS
          probe.lastSlowPingAnswered = false
          void ping.then(
            () => void (probe.lastSlowPingAnswered = true),
            () => {},
          )
          if (slow && Date.now() - (probe.slowLoggedAt ?? 0) > 60_000) {
            probe.slowLoggedAt = Date.now()
            console.warn(`[health] the database took over ${HEALTH_PING_TIMEOUT_MS} ms to answer a ping; still serving while it answers late`)
          }
          return slow ? { reachable: true, detail: undefined } : { reachable: false, detail: `no answer within ${HEALTH_PING_TIMEOUT_MS} ms` }
        },
        (error: unknown) => ({ reachable: false, detail: error instanceof Error ? error.message : String(error) }),
      )
      if (probe.reachable && !verdict.reachable) console.warn(`[health] the database is unreachable: ${verdict.detail}`)
      if (!probe.reachable && verdict.reachable) console.info('[health] the database is reachable again')
      Object.assign(probe, verdict, { checkedAt: Date.now(), pending: undefined })
    })()
    await probe.pending
  }
  return probe.reachable ? state.health : { status: 'database unreachable', detail: probe.detail }
}

/**
 * Called when a request's query failed because the database is away (see
 * isDatabaseUnreachableError): the next health check pings at once rather
 * than trusting the last verdict, so the answer becomes a 503.
 */
export function reportDatabaseFailure(error: unknown) {
  if (!isDatabaseUnreachableError(error)) return
  state.probe.checkedAt = 0
  state.probe.failedAt = Date.now()
}

/** Stops timers and closes the database (graceful shutdown). */
export async function shutdown() {
  stopMailer()
  await stopBackgroundJobs()
  await stopMeaningWorker()
  await stopSimilarWorker()
  await stopSearchIndex()
  for (const timer of state.timers.splice(0)) clearInterval(timer)
  if (hasDatabase()) await getDatabaseHandle().close()
}
