/**
 * Sign-in throttling. Failed attempts are stored in the database (shared by
 * every app process) and counted over a sliding 15-minute window:
 * - at most 10 failures per account (keyed by the email typed, known or not,
 *   so the answer does not reveal which emails have accounts), and
 * - at most 30 failures per IP address.
 * Past either limit the sign-in is refused with 429 and Retry-After until the
 * oldest counted failure leaves the window. Because the window slides and old
 * failures simply age out, a stranger hammering someone's address can keep
 * them out for at most the window, never longer; a successful sign-in clears
 * the account's counter.
 *
 * An attempt is counted before the password is checked (`beginSignInAttempt`),
 * with the check and the count in one step under a lock per key; otherwise a
 * burst of parallel attempts would all pass the check before any was counted.
 */
import { and, asc, count, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { signInFailures } from '~/db/schema'

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000
export const MAX_FAILURES_PER_ACCOUNT = 10
export const MAX_FAILURES_PER_IP = 30

const accountKey = (email: string) => `email:${email.toLowerCase()}`
const ipKey = (ip: string) => `ip:${ip}`

/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
export async function signInRetryAfter(
  email: string,
  ip: string | null,
  now = new Date(),
  executor: Executor = db,
) {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS)
  const checks: Array<[string, number]> = [[accountKey(email), MAX_FAILURES_PER_ACCOUNT]]
  if (ip) checks.push([ipKey(ip), MAX_FAILURES_PER_IP])
  let wait = 0
  for (const [key, limit] of checks) {
    const [row] = await executor
      .select({ value: count() })
      .from(signInFailures)
      .where(and(eq(signInFailures.key, key), gte(signInFailures.at, since)))
    if ((row?.value ?? 0) < limit) continue
    // Blocked until enough failures age out: the (count - limit + 1)th oldest.
    const recent = await executor
      .select({ at: signInFailures.at })
      .from(signInFailures)
      .where(and(eq(signInFailures.key, key), gte(signInFailures.at, since)))
      .orderBy(asc(signInFailures.at))
      .limit(row!.value - limit + 1)
    const freeAt = recent.at(-1)!.at.getTime() + THROTTLE_WINDOW_MS
    wait = Math.max(wait, Math.ceil((freeAt - now.getTime()) / 1000))
  }
  return Math.max(wait, 0)
}

// Advisory-lock spaces (first key of pg_advisory_xact_lock(int, int)). Every
// attempt locks its account, then its IP, so two attempts cannot deadlock.
const ACCOUNT_LOCK_SPACE = 74_117_310
const IP_LOCK_SPACE = 74_117_311

/**
 * Starts a sign-in attempt. When a limit is reached, answers `retryAfter`
 * seconds and records nothing (refused attempts do not extend the wait).
 * Otherwise records the attempt as a failure straight away, in the same
 * transaction as the check and under a lock per account and per IP, and
 * returns the ids of the rows written: the caller passes them to
 * `forgetSignInAttempt` when the attempt turns out not to be a failure.
 */
export async function beginSignInAttempt(email: string, ip: string | null, now = new Date()) {
  return db.transaction(async (tx) => {
    const lock = (space: number, key: string) =>
      tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(space))}, hashtext(${key}))`)
    await lock(ACCOUNT_LOCK_SPACE, accountKey(email))
    if (ip) await lock(IP_LOCK_SPACE, ipKey(ip))
    const retryAfter = await signInRetryAfter(email, ip, now, tx)
    if (retryAfter > 0) return { retryAfter, ids: [] as number[] }
    const rows = [{ key: accountKey(email), at: now }]
    if (ip) rows.push({ key: ipKey(ip), at: now })
    const inserted = await tx
      .insert(signInFailures)
      .values(rows)
      .returning({ id: signInFailures.id })
    return { retryAfter: 0, ids: inserted.map((row) => row.id) }
  })
}

/** Un-records an attempt started with `beginSignInAttempt` that was not a failed guess. */
export async function forgetSignInAttempt(ids: number[]) {
  if (ids.length) await db.delete(signInFailures).where(inArray(signInFailures.id, ids))
}

/** Records a failed sign-in for the email and the IP address. */
export async function recordSignInFailure(email: string, ip: string | null, now = new Date()) {
  const rows = [{ key: accountKey(email), at: now }]
  if (ip) rows.push({ key: ipKey(ip), at: now })
  await db.insert(signInFailures).values(rows)
}

/** Forgets an account's failures after it signed in successfully. */
export async function clearSignInFailures(email: string) {
  await db.delete(signInFailures).where(eq(signInFailures.key, accountKey(email)))
}

/** Deletes failures older than the window; run by the maintenance timer. */
export async function pruneSignInFailures(now = new Date()) {
  await db.delete(signInFailures).where(lt(signInFailures.at, new Date(now.getTime() - THROTTLE_WINDOW_MS)))
}
