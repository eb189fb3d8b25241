/**
 * Starting the hub: connect to the database, migrate, seed the demo world
 * where it applies, and start the background timers. The HTTP server answers
 * `/healthz` with 503 until this has finished.
 *
 * Exported through entry.server.tsx so that the server runs this code inside
 * the Remix build (one copy of every module), in development and production.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { connectDatabase, getDatabaseHandle, hasDatabase, pingDatabase } from '~/db/client.server'
import { migrateDatabase } from '~/db/migrate'
import { seedDemoIfEmpty } from '~/db/seed'
import { deleteExpiredSessions } from '~/modules/auth/session.server'
import { pruneSignInFailures } from '~/modules/auth/throttle.server'
import { startMailer, stopMailer } from '~/modules/email/email.server'
import { askIntroductionOutcomes, expireIntroductions } from '~/modules/introductions/introductions.server'
import { startMeaningWorker, stopMeaningWorker } from '~/modules/search/meaning.server'
import { startSearchIndex, stopSearchIndex } from '~/modules/search/search-index.server'
import { runDailyDigestIfDue } from '~/modules/notifications/notifications.server'
import { env, type Env } from '~/utils/env.server'

type Health = { status: 'starting' | 'warming' | 'ready' | 'failed'; detail?: string }

type BootState = { health: Health; booting?: Promise<void>; timers: NodeJS.Timeout[] }
const holder = globalThis as { __switchboardBoot?: BootState }
const state: BootState = (holder.__switchboardBoot ??= { health: { status: 'starting' }, timers: [] })

/** Connects, migrates, seeds and starts timers once per process. */
export function boot(e: Env = env()): Promise<void> {
  state.booting ??= (async () => {
    const started = Date.now()
    try {
      if (e.DATABASE_URL) {
        await connectDatabase({ driver: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, listenUrl: e.DATABASE_LISTEN_URL })
        // The migration holds a session lock: through a transaction-mode pooler it needs the direct URL.
        await migrateDatabase(getDatabaseHandle(), e.DATABASE_LISTEN_URL ?? e.DATABASE_URL)
      } else {
        const dataDir = path.resolve(e.DATA_DIR, 'pglite')
        await fs.mkdir(dataDir, { recursive: true })
        await connectDatabase({ driver: 'pglite', dataDir })
        await migrateDatabase(getDatabaseHandle())
      }
      const seed = e.SEED_DEMO ?? !e.DATABASE_URL
      if (seed) {
        const seeded = await seedDemoIfEmpty({ password: e.DEMO_PASSWORD })
        if (seeded) printDemoLogins(seeded, e)
      }
      // Requests are served from here on; /healthz says "warming" until search is ready.
      state.health = { status: 'warming' }
      startMailer()
      const hourly = setInterval(() => {
        Promise.all([deleteExpiredSessions(), pruneSignInFailures(), expireIntroductions(), askIntroductionOutcomes()]).catch((error) =>
          console.error('[maintenance] failed:', error),
        )
      }, 60 * 60 * 1000)
      hourly.unref()
      state.timers.push(hourly)
      if (e.DIGEST_TIMER) state.timers.push(startDigestTimer(e.DIGEST_HOUR_UTC))
      await startSearchIndex({
        snapshotDir: e.NODE_ENV === 'test' ? null : path.resolve(e.DATA_DIR),
        reconcileMs: e.SEARCH_RECONCILE_SECONDS * 1000,
      })
      startMeaningWorker()
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

/**
 * Checks now and every hour whether today's digest is due (past
 * DIGEST_HOUR_UTC and not yet run by any process; see runDailyDigestIfDue).
 */
function startDigestTimer(hourUtc: number) {
  const check = () => {
    runDailyDigestIfDue(new Date(), hourUtc)
      .then((summary) => {
        if (summary) {
          console.info(
            `[digest] ${summary.emails} digest email(s) with ${summary.notifications} notification(s) queued` +
              (summary.alreadySent ? `; ${summary.alreadySent} person(s) already had today's` : ''),
          )
        }
      })
      .catch((error) => console.error('[digest] failed:', error))
  }
  check()
  const timer = setInterval(check, 60 * 60 * 1000)
  timer.unref()
  return timer
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

/** The hub's health: ready only once the database is reachable and migrated. */
export async function health(): Promise<Health> {
  if (state.health.status !== 'ready' && state.health.status !== 'warming') return state.health
  if (!hasDatabase()) return { status: 'starting' }
  try {
    await pingDatabase()
    return state.health
  } catch (error) {
    return { status: 'failed', detail: error instanceof Error ? error.message : 'database unreachable' }
  }
}

/** Stops timers and closes the database (graceful shutdown). */
export async function shutdown() {
  stopMailer()
  await stopMeaningWorker()
  await stopSearchIndex()
  for (const timer of state.timers.splice(0)) clearInterval(timer)
  if (hasDatabase()) await getDatabaseHandle().close()
}
