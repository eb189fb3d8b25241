/**
 * Background jobs in PostgreSQL, done once however many app processes share
 * the database (docs/decisions/0015-background-jobs.md).
 *
 * A job is a row in `jobs` with a unique `key`. Scheduling a key that exists
 * does nothing, so periodic work gets one row per period ('digest:2026-12-04',
 * 'maintenance:2026-12-04T18') whichever process asks first. A runner claims
 * a due row with `FOR UPDATE SKIP LOCKED` (pending → running, in one
 * statement), so two processes never run the same job; it marks it done, or
 * puts it back with a growing delay until `max_attempts`, then gives up and
 * logs it. A running job whose claim is older than its lease belongs to a
 * process that died and is claimed again. Handlers must therefore be safe to
 * repeat (they are: dedupe keys and row locks in the domain modules).
 *
 * The same code runs on PGlite (one process, one connection) and on
 * PostgreSQL: it is plain SQL through drizzle, on the process's database or
 * one passed in (tests race two runners on two connections).
 */
import os from 'node:os'
import { and, asc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm'
import { db, type Database } from '~/db/client.server'
import { jobs } from '~/db/schema'
import { newId } from '~/utils/result'

/** A job as its handler sees it. */
export type Job = { id: string; kind: string; key: string; payload: unknown; attempts: number; maxAttempts: number }
/** Does a job's work; throwing fails the attempt (retried with backoff). */
export type JobHandler = (job: Job) => Promise<unknown>

/** A running job claimed longer ago than this is taken as abandoned (its process died) and claimed again. */
export const JOB_LEASE_MS = 15 * 60 * 1000
/** The delay before the second attempt; each later one waits twice as long, up to an hour. */
export const JOB_BACKOFF_MS = 30 * 1000
const MAX_BACKOFF_MS = 60 * 60 * 1000
const DEFAULT_MAX_ATTEMPTS = 5

const label = `${os.hostname()}:${process.pid}`

/**
 * This process's name in `jobs.locked_by`, `outbox.claimed_by` and
 * `meaning_claims.holder`: host and pid, so an operator (or a multi-process
 * test) sees which process ran what.
 */
export function processLabel() {
  return label
}

/** How long a job waits after its `attempts`-th failed attempt. */
export function backoffMs(attempts: number, baseMs = JOB_BACKOFF_MS) {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempts - 1))
}

/**
 * Adds a job unless one with `key` exists (whatever its state). Returns
 * whether this call added it. Safe to call from every process at once.
 */
export async function scheduleJob(
  kind: string,
  key: string,
  { payload = {}, maxAttempts = DEFAULT_MAX_ATTEMPTS, database = db }: { payload?: unknown; maxAttempts?: number; database?: Database } = {},
): Promise<boolean> {
  const rows = await database
    .insert(jobs)
    .values({ id: newId(), kind, key, payload, maxAttempts })
    .onConflictDoNothing({ target: jobs.key })
    .returning({ id: jobs.id })
  return rows.length > 0
}

export type RunOptions = {
  /** Who claims (default: this process). */
  holder?: string
  database?: Database
  /** At most this many jobs in one call. */
  limit?: number
  /** The first retry's delay (tests shorten it). */
  backoffBaseMs?: number
}

const leaseExpired = () => sql`now() - make_interval(secs => ${JOB_LEASE_MS / 1000})`

/** Claims one due job of the given kinds, or none. */
async function claimOne(database: Database, kinds: string[], holder: string) {
  const due = database
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        inArray(jobs.kind, kinds),
        or(
          and(eq(jobs.state, 'pending'), lte(jobs.runAt, sql`now()`)),
          // Abandoned by a process that died, with attempts left (one that died every time is given up below).
          and(eq(jobs.state, 'running'), lt(jobs.lockedAt, leaseExpired()), lt(jobs.attempts, jobs.maxAttempts)),
        ),
      ),
    )
    .orderBy(asc(jobs.runAt))
    .limit(1)
    // A row another runner is claiming right now is skipped, not waited for.
    .for('update', { skipLocked: true })
  const [job] = await database
    .update(jobs)
    .set({ state: 'running', lockedBy: holder, lockedAt: sql`now()`, attempts: sql`${jobs.attempts} + 1` })
    .where(inArray(jobs.id, due))
    .returning()
  return job
}

/**
 * Runs due jobs that `handlers` knows, one at a time, until none is due or
 * `limit` ran. Safe in several processes at once: each job runs in one.
 * Returns how many succeeded and failed.
 */
export async function runDueJobs(handlers: Record<string, JobHandler>, options: RunOptions = {}) {
  const { holder = label, database = db, limit = 20, backoffBaseMs = JOB_BACKOFF_MS } = options
  const kinds = Object.keys(handlers)
  const outcome = { done: 0, failed: 0 }
  if (!kinds.length) return outcome
  for (let i = 0; i < limit; i++) {
    const job = await claimOne(database, kinds, holder)
    if (!job) break
    try {
      await handlers[job.kind]!({ id: job.id, kind: job.kind, key: job.key, payload: job.payload, attempts: job.attempts, maxAttempts: job.maxAttempts })
      await database
        .update(jobs)
        .set({ state: 'done', finishedAt: sql`now()`, lastError: null })
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, holder)))
      outcome.done++
    } catch (error) {
      outcome.failed++
      const message = String(error instanceof Error ? error.message : error).slice(0, 500)
      const givingUp = job.attempts >= job.maxAttempts
      const delay = backoffMs(job.attempts, backoffBaseMs)
      await database
        .update(jobs)
        .set(
          givingUp
            ? { state: 'failed', finishedAt: sql`now()`, lastError: message }
            : { state: 'pending', runAt: sql`now() + make_interval(secs => ${delay / 1000})`, lastError: message },
        )
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, holder)))
      if (givingUp) console.error(`[jobs] ${job.key} failed ${job.attempts} times; giving up:`, error)
      else console.warn(`[jobs] ${job.key} failed (attempt ${job.attempts} of ${job.maxAttempts}); retrying in ${Math.round(delay / 1000)} s: ${message}`)
    }
  }
  return outcome
}

/** The database's clock: periods are cut by it, so app hosts whose clocks differ agree on them. */
export async function databaseNow(database: Database = db): Promise<Date> {
  // Milliseconds as a float8: both drivers hand that back as a number.
  const [row] = await database.select({ ms: sql<number>`(extract(epoch from now()) * 1000)::float8` }).from(sql`(select 1) as one`)
  return new Date(Number(row!.ms))
}

/**
 * Gives up jobs abandoned on their last attempt (their process died each
 * time: a job that crashes its process is not retried forever), logging
 * each, and deletes finished jobs older than `days` (periodic keys are never
 * needed again after their period). Returns how many were deleted.
 */
export async function pruneFinishedJobs(days = 7, database: Database = db) {
  const abandoned = await database
    .update(jobs)
    .set({ state: 'failed', finishedAt: sql`now()`, lastError: 'abandoned: its process stopped during every attempt' })
    .where(and(eq(jobs.state, 'running'), lt(jobs.lockedAt, leaseExpired()), sql`${jobs.attempts} >= ${jobs.maxAttempts}`))
    .returning({ key: jobs.key, attempts: jobs.attempts })
  for (const job of abandoned) console.error(`[jobs] ${job.key} was abandoned during all ${job.attempts} attempts; giving up`)
  const rows = await database
    .delete(jobs)
    .where(and(inArray(jobs.state, ['done', 'failed']), lt(jobs.finishedAt, sql`now() - make_interval(days => ${days})`)))
    .returning({ id: jobs.id })
  return rows.length
}

/** A job's row (tests, operators). */
export async function getJob(key: string, database: Database = db) {
  const [row] = await database.select().from(jobs).where(eq(jobs.key, key)).limit(1)
  return row ?? null
}
