/**
 * Rate limits, held in PostgreSQL so that every app process (and host) on
 * one database shares them: N processes allow the limit once, not N times.
 *
 * Model: one row per limited thing (`rate_limits`, keyed "<limit>:<subject>",
 * the subject a person, session, IP address or email address) counting the
 * points used in a fixed window. The first action opens the window
 * (`reset_at` = now + window); once `reset_at` passes, the next action opens a
 * new one. Consuming is one atomic `insert … on conflict do update … where
 * points < limit returning`, so a parallel burst cannot slip past the limit,
 * and a refused action changes nothing (hammering does not extend the wait).
 * Time is the database's clock (`now()`), never a process's, so hosts whose
 * clocks disagree still agree on the windows. One code path for PostgreSQL
 * and the embedded PGlite. Why not rate-limiter-flexible's store: see
 * docs/decisions/0017-rate-limits.md.
 *
 * A fixed window lets up to twice the limit through around a window's end;
 * for limits meant to stop floods, not to meter, that is enough.
 */
import { sql } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { env } from './env.server'
import { DEFAULT_LIMITS, type LimitName, type LimitPolicy } from './rate-limits'

export { describeWait, limitMessage, type LimitName } from './rate-limits'

/** Allowed, or refused with the seconds until the window ends. */
export type LimitVerdict = { ok: true } | { ok: false; retryAfter: number }

let testOverrides: Partial<Record<LimitName, LimitPolicy>> = {}

/** The policy in force: a test override, else `RATE_LIMITS`, else the default. */
export function limitPolicy(name: LimitName): LimitPolicy {
  return testOverrides[name] ?? env().RATE_LIMITS[name] ?? DEFAULT_LIMITS[name]
}

/**
 * Tests only: replaces some limits in this process (small numbers to reach
 * them quickly). Pass `{}` to go back to the configured limits.
 */
export function overrideRateLimits(overrides: Partial<Record<LimitName, LimitPolicy>>) {
  testOverrides = overrides
}

const keyOf = (name: LimitName, subject: string) => `${name}:${subject}`

/**
 * Uses one point of `name` for `subject` if the window has one left.
 * Pass a transaction as `executor` to make the point part of a command (it
 * is given back if the command rolls back). Never throws for a refusal.
 */
export async function consumeLimit(name: LimitName, subject: string, executor: Executor = db): Promise<LimitVerdict> {
  const { points, windowSec } = limitPolicy(name)
  const key = keyOf(name, subject)
  // A dead window (reset_at passed) restarts at 1; a live one counts up to
  // the limit and no further: at the limit the WHERE refuses the update and
  // nothing is returned.
  const used = await executor.execute(sql`
    insert into rate_limits as r (key, points, reset_at)
    values (${key}, 1, now() + ${windowSec}::int * interval '1 second')
    on conflict (key) do update set
      points = case when r.reset_at <= now() then 1 else r.points + 1 end,
      reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
    where r.reset_at <= now() or r.points < ${points}::int
    returning r.points`)
  if (rowsOf(used).length > 0) return { ok: true }
  return { ok: false, retryAfter: await secondsLeft(key, windowSec, executor) }
}

/**
 * Uses one point of each limit, all or none: if any is refused, none is
 * used and the longest wait is answered. Checks run in the order given;
 * keep one order everywhere so two requests cannot deadlock.
 */
export async function consumeLimits(checks: Array<[LimitName, string]>): Promise<LimitVerdict> {
  const refused = { retryAfter: 0 }
  try {
    return await db.transaction(async (tx) => {
      for (const [name, subject] of checks) {
        const verdict = await consumeLimit(name, subject, tx)
        if (!verdict.ok) {
          refused.retryAfter = verdict.retryAfter
          tx.rollback()
        }
      }
      return { ok: true } as const
    })
  } catch (error) {
    if (refused.retryAfter > 0) return { ok: false, retryAfter: refused.retryAfter }
    throw error
  }
}

/** Gives back a point used by `consumeLimit` for an action that turned out not to count. */
export async function refundLimit(name: LimitName, subject: string) {
  await db.execute(sql`
    update rate_limits set points = greatest(points - 1, 0)
    where key = ${keyOf(name, subject)} and reset_at > now()`)
}

/** Forgets everything counted for `subject` under `name` (a successful sign-in clears its failures). */
export async function resetLimit(name: LimitName, subject: string) {
  await db.execute(sql`delete from rate_limits where key = ${keyOf(name, subject)}`)
}

/** Points used in the current window (0 when none is open). For tests and diagnostics. */
export async function pointsUsed(name: LimitName, subject: string, executor: Executor = db) {
  const result = await executor.execute(sql`
    select points from rate_limits where key = ${keyOf(name, subject)} and reset_at > now()`)
  const row = rowsOf(result)[0] as { points: number } | undefined
  return row ? Number(row.points) : 0
}

const PRUNE_BATCH = 5000

/**
 * Deletes dead windows, a bounded batch at a time so no statement holds many
 * locks; run by the maintenance timer. Returns how many rows went.
 */
export async function pruneRateLimits() {
  let total = 0
  for (;;) {
    const result = await db.execute(sql`
      delete from rate_limits where key in (
        select key from rate_limits where reset_at <= now() limit ${PRUNE_BATCH}::int
      ) returning key`)
    const deleted = rowsOf(result).length
    total += deleted
    if (deleted < PRUNE_BATCH) return total
  }
}

async function secondsLeft(key: string, fallback: number, executor: Executor) {
  const result = await executor.execute(sql`
    select ceil(extract(epoch from reset_at - now()))::int as seconds from rate_limits where key = ${key}`)
  const row = rowsOf(result)[0] as { seconds: number } | undefined
  // The row can only be missing if it was pruned between the two statements.
  return Math.max(1, row ? Number(row.seconds) : fallback)
}

/** postgres.js answers an array of rows, PGlite `{ rows }`. */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result
  return (result as { rows?: unknown[] }).rows ?? []
}
