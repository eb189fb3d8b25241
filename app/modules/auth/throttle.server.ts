/**
 * Sign-in throttling, on the hub's shared rate limits (utils/rate-limit.server.ts,
 * held in the database so every app process counts the same failures):
 * - at most 10 failures per account in 15 minutes (keyed by the email typed,
 *   known or not, so the answer does not reveal which emails have accounts), and
 * - at most 30 failures per IP address in 15 minutes.
 * Past either limit the sign-in is refused with 429 and Retry-After until the
 * window that counted the failures ends (at most 15 minutes after the first
 * of them). A refused attempt is not counted, so a stranger hammering
 * someone's address keeps them out for at most the window after they stop;
 * a successful sign-in clears the account's counter.
 *
 * An attempt is counted before the password is checked (`beginSignInAttempt`),
 * check and count in one atomic statement per key; otherwise a burst of
 * parallel attempts would all pass the check before any was counted.
 */
import { DEFAULT_LIMITS } from '~/utils/rate-limits'
import { consumeLimits, refundLimit, resetLimit } from '~/utils/rate-limit.server'

export const THROTTLE_WINDOW_MS = DEFAULT_LIMITS['sign-in-account'].windowSec * 1000
export const MAX_FAILURES_PER_ACCOUNT = DEFAULT_LIMITS['sign-in-account'].points
export const MAX_FAILURES_PER_IP = DEFAULT_LIMITS['sign-in-ip'].points

/** What `beginSignInAttempt` counted, to give back with `forgetSignInAttempt`. */
export type SignInAttempt = { retryAfter: number; email: string; ip: string | null }

/**
 * Starts a sign-in attempt. When a limit is reached, answers `retryAfter`
 * seconds and counts nothing. Otherwise counts the attempt as a failure
 * straight away, for the account and the IP together: the caller passes the
 * attempt to `forgetSignInAttempt` when it turns out not to be a failure.
 */
export async function beginSignInAttempt(email: string, ip: string | null): Promise<SignInAttempt> {
  const account = email.toLowerCase()
  // Account first, then IP, everywhere: one order, so no two attempts deadlock.
  const checks: Array<['sign-in-account' | 'sign-in-ip', string]> = [['sign-in-account', account]]
  if (ip) checks.push(['sign-in-ip', ip])
  const verdict = await consumeLimits(checks)
  return { retryAfter: verdict.ok ? 0 : verdict.retryAfter, email: account, ip }
}

/** Un-counts an attempt started with `beginSignInAttempt` that was not a failed guess. */
export async function forgetSignInAttempt(attempt: SignInAttempt) {
  if (attempt.retryAfter > 0) return
  await refundLimit('sign-in-account', attempt.email)
  if (attempt.ip) await refundLimit('sign-in-ip', attempt.ip)
}

/** Forgets an account's failures after it signed in successfully. */
export async function clearSignInFailures(email: string) {
  await resetLimit('sign-in-account', email.toLowerCase())
}
