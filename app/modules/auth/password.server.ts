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
import type { ZxcvbnResult } from '@zxcvbn-ts/core'
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
//
// Strength is estimated by zxcvbn (@zxcvbn-ts/core with the common and
// English dictionaries), which spots what attackers try first: common
// passwords, words, names, keyboard runs ("qwertyqwerty"), repeats
// ("aaaaaaaaaaaa"), sequences ("abcdefghijkl"), dates and l33t, and — given
// as user inputs — the person's own name and email and the product's name.
// A password must score at least MIN_PASSWORD_SCORE (3 of 4: "safely
// unguessable", about 10^8 guesses or more). See decision 0002.

/** The lowest zxcvbn score (0–4) a new password may have. */
export const MIN_PASSWORD_SCORE = 3

/** Words every Switchboard password is checked against besides the person's own. */
const PRODUCT_WORDS = ['switchboard', 'switchboard-demo', 'vendor', 'customer', 'support']

type Estimator = { check(password: string, userInputs?: (string | number)[]): ZxcvbnResult }
let estimator: Promise<Estimator> | undefined

/**
 * zxcvbn with its dictionaries, built once on first use: the dictionaries are
 * a few megabytes, so they are loaded only when someone sets a password (never
 * at boot, never in the browser bundle).
 */
function loadEstimator(): Promise<Estimator> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ])
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    })
  })()
  estimator.catch(() => (estimator = undefined))
  return estimator
}

/** Who the password is for: their name and email are refused as (parts of) it. */
export type PasswordOwner = { name?: string | null; email?: string | null }

/** The person's name and email, split into the pieces someone might reuse. */
function userInputs(owner: PasswordOwner): string[] {
  const inputs = new Set(PRODUCT_WORDS)
  const add = (value: string | null | undefined) => {
    const v = value?.trim().toLowerCase()
    if (!v) return
    inputs.add(v)
    for (const part of v.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) inputs.add(part)
  }
  add(owner.name)
  add(owner.email)
  add(owner.email?.slice(0, owner.email.lastIndexOf('@')))
  return [...inputs]
}

export type PasswordProblem = 'too_short' | 'too_long' | 'weak'

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  too_short: `Use at least ${PASSWORD_MIN} characters.`,
  too_long: `Use at most ${PASSWORD_MAX} characters.`,
  weak: 'This password is too easy to guess.',
}

export type PasswordVerdict = { problem: PasswordProblem; message: string }

/**
 * The first rule a new password breaks, with a message that says why (for a
 * weak one, zxcvbn's warning and suggestions), or null when it is
 * acceptable. `owner` is the person it is for.
 */
export async function checkNewPassword(password: string, owner: PasswordOwner = {}): Promise<PasswordVerdict | null> {
  const length = [...password].length
  if (length < PASSWORD_MIN) return { problem: 'too_short', message: PASSWORD_PROBLEM_MESSAGES.too_short }
  if (length > PASSWORD_MAX) return { problem: 'too_long', message: PASSWORD_PROBLEM_MESSAGES.too_long }
  const result = (await loadEstimator()).check(password, userInputs(owner))
  if (result.score >= MIN_PASSWORD_SCORE) return null
  const { warning, suggestions } = result.feedback
  const advice = [warning, ...suggestions, 'A few unrelated words work well.'].filter(Boolean)
  return { problem: 'weak', message: [PASSWORD_PROBLEM_MESSAGES.weak, ...new Set(advice)].join(' ') }
}
