/**
 * Password hashing and the rules a new password must meet.
 *
 * - argon2id with 19 MiB of memory, 2 iterations and 1 lane (OWASP's first
 *   recommended setting): slow enough to make offline guessing expensive,
 *   cheap enough for a 2-core server.
 * - Each hash takes 19 MiB for tens of milliseconds, so a burst of sign-ins
 *   could exhaust memory. A small semaphore bounds concurrent hashing; excess
 *   requests wait in line, and past a queue limit they are refused with
 *   "busy" rather than piling up.
 * - Length is checked before hashing (a 1 MB password never reaches argon2),
 *   counted in Unicode code points, with no truncation.
 */
import { hash, verify } from '@node-rs/argon2'
import { dictionary } from '@zxcvbn-ts/language-common'
import { env } from '~/utils/env.server'
import { PASSWORD_MAX, PASSWORD_MIN } from './password.schema'

const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot import)
  memoryCost: 19 * 1024, // KiB → 19 MiB
  timeCost: 2,
  parallelism: 1,
} as const

// -- concurrency limit -------------------------------------------------------

const MAX_QUEUE = 200
let running = 0
const waiting: Array<() => void> = []

/** Thrown when too many hashes are already queued; callers answer 503. */
export class HashingBusyError extends Error {
  constructor() {
    super('switchboard/auth: too many password checks at once; try again in a moment')
    this.name = 'HashingBusyError'
  }
}

async function withHashingSlot<T>(work: () => Promise<T>): Promise<T> {
  const limit = env().PASSWORD_HASH_CONCURRENCY
  if (running >= limit) {
    if (waiting.length >= MAX_QUEUE) throw new HashingBusyError()
    await new Promise<void>((resolve) => waiting.push(resolve))
  } else {
    running++
  }
  try {
    return await work()
  } finally {
    // Hand the slot straight to the next waiter, or free it.
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

/** Hashes a password with argon2id. The caller has checked its length. */
export async function hashPassword(password: string): Promise<string> {
  if ([...password].length > PASSWORD_MAX) throw new Error('switchboard/auth: password too long to hash')
  return withHashingSlot(() => hash(password, ARGON2_OPTIONS))
}

/** True when `password` matches the stored argon2 hash. Never throws for a bad hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if ([...password].length > PASSWORD_MAX) return false
  return withHashingSlot(async () => {
    try {
      return await verify(passwordHash, password)
    } catch {
      return false
    }
  })
}

let dummyHash: Promise<string> | undefined

/**
 * Spends the same time as a real verification. Used when no account matches
 * an email, so that "unknown email" and "wrong password" take alike long.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hash('switchboard-dummy-password', ARGON2_OPTIONS)
  await verifyPassword(await dummyHash, password.slice(0, PASSWORD_MAX))
  return false
}

// -- rules -------------------------------------------------------------------

let common: Set<string> | undefined

/** True for passwords on zxcvbn's list of ~50,000 common ones (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(
    (dictionary['passwords-common'] as unknown as string[]).map((p) => p.toLowerCase()),
  )
  const lower = password.toLowerCase()
  // Common passwords padded to the minimum length ("password1234") count too.
  const stem = lower.replace(/[\d!@#$%^&*.]+$/, '')
  return common.has(lower) || (stem.length >= 4 && common.has(stem))
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common'

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  too_short: `Use at least ${PASSWORD_MIN} characters.`,
  too_long: `Use at most ${PASSWORD_MAX} characters.`,
  common: 'This password is too common and easy to guess. Choose another — a few unrelated words work well.',
}

/** The first rule a new password breaks, or null when it is acceptable. */
export function checkNewPassword(password: string): PasswordProblem | null {
  const length = [...password].length
  if (length < PASSWORD_MIN) return 'too_short'
  if (length > PASSWORD_MAX) return 'too_long'
  if (isCommonPassword(password)) return 'common'
  return null
}
