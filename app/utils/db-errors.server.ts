/**
 * Recognising database errors that commands turn into named failures. Both
 * drivers report PostgreSQL's SQLSTATE in `code` (drizzle may wrap the
 * driver's error in `cause`) and the constraint's name in `constraint_name`
 * (postgres.js) or `constraint` (PGlite).
 */
type PgError = { code?: string; constraint_name?: string; constraint?: string; cause?: unknown }

/** True for a unique violation (23505), of `constraint` when given. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as PgError | undefined
  if (e?.cause && !e.code) return isUniqueViolation(e.cause, constraint)
  if (e?.code !== '23505') return false
  return !constraint || e.constraint_name === constraint || e.constraint === constraint
}

/**
 * True for PostgreSQL's "invalid byte sequence" (22021), which is what a NUL
 * byte in a text parameter produces. It is always the request's fault, never
 * the server's: the error handling answers it with 400 instead of 500.
 */
export function isInvalidTextEncoding(error: unknown): boolean {
  let e = error as PgError | undefined
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.code === '22021') return true
    e = e.cause as PgError | undefined
  }
  return false
}
