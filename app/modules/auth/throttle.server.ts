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
 */
import { and, asc, count, eq, gte, lt } from 'drizzle-orm'
import { db } from '~/db/client.server'
import { signInFailures } from '~/db/schema'

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000
export const MAX_FAILURES_PER_ACCOUNT = 10
export const MAX_FAILURES_PER_IP = 30

const accountKey = (email: string) => `email:${email.toLowerCase()}`
const ipKey = (ip: string) => `ip:${ip}`

/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
export async function signInRetryAfter(email: string, ip: string | null, now = new Date()) {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS)
  const checks: Array<[string, number]> = [[accountKey(email), MAX_FAILURES_PER_ACCOUNT]]
  if (ip) checks.push([ipKey(ip), MAX_FAILURES_PER_IP])
  let wait = 0
  for (const [key, limit] of checks) {
    const [row] = await db
      .select({ value: count() })
      .from(signInFailures)
      .where(and(eq(signInFailures.key, key), gte(signInFailures.at, since)))
    if ((row?.value ?? 0) < limit) continue
    // Blocked until enough failures age out: the (count - limit + 1)th oldest.
    const recent = await db
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
