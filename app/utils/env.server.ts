/**
 * The environment, validated once at boot. A bad value stops the server with
 * a message naming the variable, instead of failing later in a request.
 * Every variable is listed in the README's configuration table.
 */
import { z } from 'zod'
import { parseLimitOverrides } from './rate-limits'

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : ['1', 'true', 'yes'].includes(v)))

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().max(1_000_000).default(fallback)

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    /** Absolute base of every link in emails and feeds; also decides HTTPS-only cookies. */
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
      .optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    DATABASE_POOL_SIZE: positiveInt(10),
    /** Seconds to wait for a new database connection before a request fails with 503. */
    DATABASE_CONNECT_TIMEOUT_S: z.coerce.number().int().min(1).max(60).default(2),
    /** PostgreSQL statement_timeout of the server's connections, in ms; 0 turns it off. */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
    /** Requests answered at once by one process; more wait in a queue. */
    MAX_IN_FLIGHT: positiveInt(16),
    /** Requests that may wait for a slot; past that, a fast 503 with Retry-After. */
    MAX_QUEUED_REQUESTS: z.coerce.number().int().min(0).max(100_000).default(64),
    /** App processes serving one port (node:cluster); more than 1 needs DATABASE_URL. */
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    /** A direct (not pooled) connection for LISTEN and migrations, when DATABASE_URL goes through a transaction-mode pooler. */
    DATABASE_LISTEN_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    /** Seconds between two reads of the search change log without a notification (the safety net). */
    SEARCH_RECONCILE_SECONDS: z.coerce
      .number({ error: 'must be a whole number of seconds from 1 to 3600' })
      .int('must be a whole number of seconds from 1 to 3600')
      .min(1, 'must be a whole number of seconds from 1 to 3600')
      .max(3600, 'must be a whole number of seconds from 1 to 3600')
      .default(30),
    DATA_DIR: z.string().min(1).default('./data'),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Switchboard <no-reply@switchboard.localhost>'),
    SEED_DEMO: flag,
    DEMO_PASSWORD: z.string().min(12, 'must be at least 12 characters').default('switchboard-demo'),
    /** Number of proxies in front of the app whose X-Forwarded-For is trusted. */
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    /** Maximum concurrent argon2 computations (each takes 19 MiB). */
    PASSWORD_HASH_CONCURRENCY: positiveInt(4),
    LOG_REQUESTS: flag,
    /** Days after signing in when a session ends however often it is used (sign in again). */
    SESSION_MAX_AGE_DAYS: z.coerce
      .number({ error: 'must be a whole number of days from 1 to 3650' })
      .int('must be a whole number of days from 1 to 3650')
      .min(1, 'must be a whole number of days from 1 to 3650')
      .max(3650, 'must be a whole number of days from 1 to 3650')
      .default(90),
    /** Days an introduction request waits for both answers. */
    INTRODUCTION_EXPIRY_DAYS: positiveInt(14),
    /** Days after connecting when the asker is asked whether it helped. */
    INTRODUCTION_OUTCOME_DAYS: positiveInt(7),
    /** Days without a post, reply or sign-in after which an organization is a quiet customer. */
    QUIET_DAYS: z.coerce
      .number({ error: 'must be a whole number of days from 7 to 365' })
      .int('must be a whole number of days from 7 to 365')
      .min(7, 'must be a whole number of days from 7 to 365')
      .max(365, 'must be a whole number of days from 7 to 365')
      .default(60),
    /** The daily digest goes out once a day, at the first hourly check after this hour (UTC). */
    DIGEST_HOUR_UTC: z.coerce
      .number({ error: 'must be a whole hour from 0 to 23' })
      .int('must be a whole hour from 0 to 23')
      .min(0, 'must be a whole hour from 0 to 23')
      .max(23, 'must be a whole hour from 0 to 23')
      .default(7),
    /** How long a text being typed waits for the encoder thread before similar problems rank by words alone. */
    MEANING_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(300),
    /** Length of the periodic jobs' period (maintenance, introduction expiry and outcomes): once per period across processes. */
    JOBS_PERIOD_MINUTES: z.coerce
      .number({ error: 'must be a whole number of minutes from 1 to 1440' })
      .int('must be a whole number of minutes from 1 to 1440')
      .min(1, 'must be a whole number of minutes from 1 to 1440')
      .max(1440, 'must be a whole number of minutes from 1 to 1440')
      .default(60),
    /** Run the digest timer inside the server; default on, off when NODE_ENV=test. */
    DIGEST_TIMER: flag,
    /** Support hours on a support day, local to SUPPORT_TIMEZONE ("09:00-17:00"); the same-day target is their end. */
    SUPPORT_HOURS: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, { message: 'must look like 09:00-17:00', abort: true })
      .refine((v) => {
        const [start, end] = v.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)))
        return start! < end! && end! <= 24 * 60
      }, 'must start before it ends, within one day')
      .default('09:00-17:00'),
    /** IANA time zone of the support team ("Europe/Berlin"). */
    SUPPORT_TIMEZONE: z
      .string()
      .refine((v) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: v })
          return true
        } catch {
          return false
        }
      }, 'must be an IANA time zone name such as Europe/Berlin or UTC')
      .default('UTC'),
    /** Support days: a range ("Mon-Fri") or a list ("Mon,Tue,Thu"). */
    SUPPORT_DAYS: z
      .string()
      .regex(
        /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun)|(,(Mon|Tue|Wed|Thu|Fri|Sat|Sun))*)$/,
        'must be a range like Mon-Fri or a list like Mon,Tue,Thu',
      )
      .default('Mon-Fri'),
    /** Rate-limit overrides, "name=points/window" comma-separated ("reply=60/1h"); see the README. */
    RATE_LIMITS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (!text) return {}
        const parsed = parseLimitOverrides(text)
        if (parsed.ok) return parsed.value
        ctx.addIssue({ code: 'custom', message: parsed.message })
        return z.NEVER
      }),
  })
  .transform((env) => ({
    ...env,
    PUBLIC_URL: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    DIGEST_TIMER: env.DIGEST_TIMER ?? env.NODE_ENV !== 'test',
  }))

export type Env = z.infer<typeof EnvSchema>

/** Thrown by `parseEnv`; its message lists every bad variable by name. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`switchboard: invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'EnvError'
  }
}

/** Parses and validates `source` (normally `process.env`); throws `EnvError` naming the bad variables. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset so `FOO= npm start` means "default".
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  )
  const result = EnvSchema.safeParse(cleaned)
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    )
  }
  return result.data
}

let cached: Env | undefined

/** The validated environment of this process, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env)
  return cached
}

/** Forget the cached environment (tests that change `process.env`). */
export function resetEnvCache() {
  cached = undefined
}

/** True when links and cookies must be HTTPS-only. */
export function isHttps(e: Env = env()) {
  return e.PUBLIC_URL.startsWith('https://')
}

/** An absolute URL for `path` under PUBLIC_URL; every emailed link goes through this. */
export function absoluteUrl(path: string, e: Env = env()) {
  return new URL(path, `${e.PUBLIC_URL}/`).toString()
}
