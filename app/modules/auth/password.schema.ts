import { z } from 'zod'

export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 128

const length = (v: string) => [...v].length

/**
 * A new password: 12–128 characters of any kind (counted as Unicode code
 * points, never trimmed or truncated). The server also refuses ones that
 * are easy to guess (zxcvbn, see password.server.ts).
 */
export const NewPasswordField = z
  .string({ error: 'Choose a password.' })
  .refine((v) => v.length > 0, 'Choose a password.')
  .refine((v) => length(v) >= PASSWORD_MIN || v.length === 0, `Use at least ${PASSWORD_MIN} characters.`)
  .refine((v) => length(v) <= PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
  .refine((v) => !v.includes('\u0000'), 'Passwords cannot contain NUL characters.')

/** A password being checked (sign-in, confirmation): only presence and the upper bound. */
export const CurrentPasswordField = z
  .string({ error: 'Enter your password.' })
  .refine((v) => v.length > 0, 'Enter your password.')
  .refine((v) => length(v) <= PASSWORD_MAX, `Passwords are at most ${PASSWORD_MAX} characters.`)
