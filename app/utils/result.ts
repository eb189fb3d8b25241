import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding'

/**
 * Commands return named outcomes instead of throwing for expected failures.
 * `message` is written for the person who sees it; `field` says which form
 * field it belongs to (none: the whole form).
 */
export type Ok<T> = { ok: true; value: T }
export type Failure<R extends string = string> = {
  ok: false
  reason: R
  message: string
  field?: string
}
export type Result<T, R extends string = string> = Ok<T> | Failure<R>

export function ok<T>(value: T): Ok<T>
export function ok(): Ok<undefined>
export function ok<T>(value?: T): Ok<T | undefined> {
  return { ok: true, value }
}

export function fail<R extends string>(reason: R, message: string, field?: string): Failure<R> {
  return field === undefined ? { ok: false, reason, message } : { ok: false, reason, message, field }
}

/** Random ids for rows: 16 lower-case base32 characters (80 bits from the CSPRNG). */
export function newId(): string {
  const bytes = new Uint8Array(10)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}
