/**
 * The hub's rate limits: what is counted, per what, and how much is allowed.
 * Pure data and formatting, safe anywhere; counting lives in
 * rate-limit.server.ts. Every limit can be changed with `RATE_LIMITS`
 * (README, "Rate limits"); these defaults are what production runs with.
 */

export type LimitPolicy = {
  /** How many actions a window allows. */
  points: number
  /** The window's length, in seconds. */
  windowSec: number
}

const MINUTE = 60
const HOUR = 60 * MINUTE

/**
 * Defaults. Per person: writing (a human writes far less than this; a script
 * or a hijacked session writes far more). Per IP address: the forms a
 * stranger can send signed out. Per recipient address: security emails, so
 * nobody can flood someone's inbox with reset or sign-up links.
 */
export const DEFAULT_LIMITS = {
  /** Failed sign-ins per email typed (known or not). */
  'sign-in-account': { points: 10, windowSec: 15 * MINUTE },
  /** Failed sign-ins per IP address. */
  'sign-in-ip': { points: 30, windowSec: 15 * MINUTE },
  /** Search suggestions as one types, per session. */
  suggest: { points: 30, windowSec: 10 },
  /** "Already solved?" lookups while writing a problem, per session. */
  similar: { points: 30, windowSec: 10 },
  /** Markdown previews, per person (rendering costs CPU). */
  preview: { points: 20, windowSec: MINUTE },
  /** Problems, stories, migration plans and workarounds, per person. */
  post: { points: 20, windowSec: HOUR },
  /** Replies, per person (each one emails the post's followers). */
  reply: { points: 30, windowSec: HOUR },
  /** Introductions proposed, per support person. */
  introduction: { points: 30, windowSec: HOUR },
  /** Introduction thread messages and support check-ins, per person. */
  message: { points: 30, windowSec: HOUR },
  /** Sign-up requests, per IP address. */
  'sign-up': { points: 10, windowSec: HOUR },
  /** "Forgot your password?" requests, per IP address. */
  'password-reset': { points: 10, windowSec: HOUR },
  /** Invitations created or accepted, per IP address. */
  invitation: { points: 30, windowSec: HOUR },
  /** Security emails (reset, sign-up, invitation, email change), per recipient address. */
  'security-email': { points: 5, windowSec: HOUR },
} satisfies Record<string, LimitPolicy>

/** The name of one of the limits above. */
export type LimitName = keyof typeof DEFAULT_LIMITS

/** Every limit's name, as `RATE_LIMITS` and `consumeLimit` accept them. */
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[]

const UNIT_SECONDS = { s: 1, m: MINUTE, h: HOUR, d: 24 * HOUR } as const

/**
 * Parses `RATE_LIMITS`: comma-separated `name=points/window` entries, the
 * window a number with s, m, h or d ("reply=60/1h,sign-up=20/30m").
 * Returns the overrides, or a message naming the first bad entry.
 */
export function parseLimitOverrides(text: string): { ok: true; value: Partial<Record<LimitName, LimitPolicy>> } | { ok: false; message: string } {
  const value: Partial<Record<LimitName, LimitPolicy>> = {}
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^([a-z-]+)=(\d{1,7})\/(\d{1,6})([smhd])$/.exec(entry)
    if (!match) return { ok: false, message: `"${entry}" must look like reply=30/1h (points per window in s, m, h or d)` }
    const [, name, points, amount, unit] = match
    if (!(LIMIT_NAMES as string[]).includes(name!)) {
      return { ok: false, message: `"${name}" is not a rate limit; the limits are ${LIMIT_NAMES.join(', ')}` }
    }
    const windowSec = Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS]
    if (Number(points) < 1 || windowSec < 1) return { ok: false, message: `"${entry}" must allow at least 1 in at least 1s` }
    value[name as LimitName] = { points: Number(points), windowSec }
  }
  return { ok: true, value }
}

/** "in 4 minutes", "in 30 seconds", "in 2 hours": when a limited action is allowed again. */
export function describeWait(seconds: number) {
  const s = Math.max(1, Math.ceil(seconds))
  const plural = (n: number, unit: string) => `in ${n} ${unit}${n === 1 ? '' : 's'}`
  if (s < MINUTE) return plural(s, 'second')
  if (s <= HOUR) return plural(Math.ceil(s / MINUTE), 'minute')
  return plural(Math.ceil(s / HOUR), 'hour')
}

const REFUSALS: Record<Exclude<LimitName, 'sign-in-account' | 'sign-in-ip'>, (wait: string) => string> = {
  suggest: (wait) => `Too many searches in a short time. Suggestions come back ${wait}.`,
  similar: (wait) => `Too many lookups in a short time. Similar problems come back ${wait}.`,
  preview: (wait) => `Too many previews in a short time. You can preview again ${wait}.`,
  post: (wait) => `You have posted a lot in a short time. You can post again ${wait}; what you wrote is still here.`,
  reply: (wait) => `You have replied a lot in a short time. You can reply again ${wait}; what you wrote is still here.`,
  introduction: (wait) => `You have proposed many introductions in a short time. You can propose another ${wait}.`,
  message: (wait) => `You have sent many messages in a short time. You can send another ${wait}; what you wrote is still here.`,
  'sign-up': (wait) => `Too many sign-up requests came from your network. You can try again ${wait}.`,
  'password-reset': (wait) => `Too many reset requests came from your network. You can try again ${wait}.`,
  invitation: (wait) => `Too many invitations were sent or accepted from your network. You can try again ${wait}.`,
  'security-email': (wait) =>
    `We already sent several security emails to this address in the last hour. You can ask again ${wait}.`,
}

/** The message shown past a limit: what happened and when to try again ("You can post again in 4 minutes"). */
export function limitMessage(name: keyof typeof REFUSALS, retryAfter: number) {
  return REFUSALS[name](describeWait(retryAfter))
}
