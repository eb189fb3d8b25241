/**
 * The hub's periodic work, as jobs (jobs.server.ts): each process's runner
 * asks every half minute for this period's jobs (one row per period, so
 * asking twice, or from ten processes, adds nothing) and runs whichever are
 * due and unclaimed. With N processes each hour's maintenance and each day's
 * digest therefore run once, in whichever process claims them first.
 *
 * - `maintenance:<period>`: expired sessions, expired rate-limit windows, finished
 *   jobs and stale meaning claims deleted;
 * - `introductions.expire:<period>`, `introductions.outcomes:<period>`;
 *   a period is an hour (JOBS_PERIOD_MINUTES), named by its start
 *   ('2026-12-04T18:00');
 * - `digest:<day>`, once the database's clock is past DIGEST_HOUR_UTC (not
 *   scheduled at all with DIGEST_TIMER=0, e.g. when cron runs `npm run digest`).
 *
 * Mail (the outbox) and meaning vectors are not jobs: their rows are the
 * work, claimed directly (email.server.ts, meaning.server.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type Database } from '~/db/client.server'
import { deleteExpiredSessions } from '~/modules/auth/session.server'
import { kickMailer } from '~/modules/email/email.server'
import { askIntroductionOutcomes, expireIntroductions } from '~/modules/introductions/introductions.server'
import { sendDailyDigests } from '~/modules/notifications/notifications.server'
import { pruneMeaningClaims } from '~/modules/search/meaning.server'
import { pruneRateLimits } from '~/utils/rate-limit.server'
import { databaseNow, pruneFinishedJobs, runDueJobs, scheduleJob, type JobHandler, type RunOptions } from './jobs.server'

/**
 * How long stopping waits for the job being run: a stop must leave time for
 * the rest of the shutdown (the search snapshot). A job cut short keeps its
 * claim and is taken over when the lease runs out (every job is safe to repeat).
 */
const STOP_WAIT_MS = 2000
/** How often each process's runner looks for due jobs (more often for periods under two minutes). */
const POLL_MS = 30 * 1000

/** The start of the period `now` falls in, to the minute: periods of `minutes` counted from the epoch, so an hour's starts on the hour. */
const periodOf = (now: Date, minutes: number) => {
  const ms = minutes * 60 * 1000
  return new Date(Math.floor(now.getTime() / ms) * ms).toISOString().slice(0, 16)
}
const dayOf = (now: Date) => now.toISOString().slice(0, 10)

/** What each periodic job does. Every one is safe to run again (row locks, dedupe keys). */
export const PERIODIC_HANDLERS: Record<string, JobHandler> = {
  maintenance: async () => {
    await deleteExpiredSessions()
    await pruneRateLimits()
    await pruneFinishedJobs()
    await pruneMeaningClaims()
  },
  'introductions.expire': async () => {
    const expired = await expireIntroductions()
    if (expired) console.info(`[jobs] ${expired} introduction request(s) expired`)
  },
  'introductions.outcomes': async () => {
    const asked = await askIntroductionOutcomes()
    if (asked) console.info(`[jobs] ${asked} asker(s) asked whether their introduction helped`)
  },
  digest: async (job) => {
    const { day } = job.payload as { day: string }
    // A retry that runs past midnight still sends that day's digest (its dedupe key and date).
    const now = new Date()
    const summary = await sendDailyDigests(dayOf(now) === day ? now : new Date(`${day}T23:59:59.999Z`))
    if (summary.emails) kickMailer()
    console.info(
      `[digest] ${summary.emails} digest email(s) with ${summary.notifications} notification(s) queued` +
        (summary.alreadySent ? `; ${summary.alreadySent} person(s) already had today's` : ''),
    )
  },
}

/**
 * Adds this period's jobs (by the database's clock) unless they exist.
 * `digestHourUtc` null: no digest (DIGEST_TIMER=0). Returns the keys this
 * call added (others were there already).
 */
export async function schedulePeriodicJobs({
  digestHourUtc,
  periodMinutes = 60,
  database,
}: {
  digestHourUtc: number | null
  periodMinutes?: number
  database?: Database
}) {
  const now = await databaseNow(database)
  const period = periodOf(now, periodMinutes)
  const wanted: [string, string, unknown][] = [
    ['maintenance', `maintenance:${period}`, {}],
    ['introductions.expire', `introductions.expire:${period}`, {}],
    ['introductions.outcomes', `introductions.outcomes:${period}`, {}],
  ]
  if (digestHourUtc !== null && now.getUTCHours() >= digestHourUtc) wanted.push(['digest', `digest:${dayOf(now)}`, { day: dayOf(now) }])
  const added: string[] = []
  for (const [kind, key, payload] of wanted) {
    if (await scheduleJob(kind, key, { payload, database })) added.push(key)
  }
  return added
}

/** One round: schedule this period's jobs, then run what is due. */
export async function runBackgroundRound(
  options: RunOptions & { digestHourUtc: number | null; periodMinutes?: number; handlers?: Record<string, JobHandler> },
) {
  const { digestHourUtc, periodMinutes, handlers = PERIODIC_HANDLERS, ...run } = options
  await schedulePeriodicJobs({ digestHourUtc, periodMinutes, database: run.database })
  return runDueJobs(handlers, run)
}

type Runner = { stop(): Promise<void> }
const holder = globalThis as { __switchboardJobs?: Runner }

/**
 * Starts this process's job runner: a round now and every half minute, one
 * round at a time. A failed round is logged and the next one tries again.
 */
export function startBackgroundJobs({ digestHourUtc, periodMinutes = 60 }: { digestHourUtc: number | null; periodMinutes?: number }): Runner {
  if (holder.__switchboardJobs) return holder.__switchboardJobs
  let running: Promise<unknown> = Promise.resolve()
  let stopped = false
  const round = () => {
    running = running.then(async () => {
      if (stopped) return
      try {
        await runBackgroundRound({ digestHourUtc, periodMinutes })
      } catch (error) {
        console.error('[jobs] a round failed; the next one tries again:', error)
      }
    })
  }
  round()
  const timer = setInterval(round, Math.min(POLL_MS, (periodMinutes * 60 * 1000) / 4))
  timer.unref()
  const runner: Runner = {
    stop: async () => {
      stopped = true
      clearInterval(timer)
      delete holder.__switchboardJobs
      await Promise.race([running, sleep(STOP_WAIT_MS, undefined, { ref: false })])
    },
  }
  holder.__switchboardJobs = runner
  return runner
}

/** Stops the runner, after the job it is running or at most two seconds. */
export async function stopBackgroundJobs() {
  await holder.__switchboardJobs?.stop()
}
