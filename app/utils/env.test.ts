import { afterEach, describe, expect, it, vi } from 'vitest'
import { absoluteUrl, env, EnvError, isHttps, parseEnv, resetEnvCache } from './env.server'

/** The EnvError `parseEnv(source)` throws. */
function envError(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(source)
  } catch (error) {
    if (error instanceof EnvError) return error
    throw error
  }
  throw new Error('parseEnv accepted the environment')
}

describe('parseEnv', () => {
  it('fills in every default', () => {
    expect(parseEnv({})).toEqual({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      PUBLIC_URL: 'http://localhost:3000',
      DATABASE_URL: undefined,
      DATABASE_POOL_SIZE: 10,
      DATABASE_CONNECT_TIMEOUT_S: 2,
      DATABASE_STATEMENT_TIMEOUT_MS: 10_000,
      MAX_IN_FLIGHT: 16,
      MAX_QUEUED_REQUESTS: 64,
      WEB_CONCURRENCY: 1,
      DATABASE_LISTEN_URL: undefined,
      SEARCH_RECONCILE_SECONDS: 30,
      DATA_DIR: './data',
      SMTP_URL: undefined,
      MAIL_FROM: 'Switchboard <no-reply@switchboard.localhost>',
      SEED_DEMO: undefined,
      DEMO_PASSWORD: 'switchboard-demo',
      TRUST_PROXY: 0,
      PASSWORD_HASH_CONCURRENCY: 4,
      RATE_LIMITS: {},
      LOG_REQUESTS: undefined,
      DIGEST_HOUR_UTC: 7,
      DIGEST_TIMER: true,
      JOBS_PERIOD_MINUTES: 60,
      MEANING_QUERY_TIMEOUT_MS: 300,
      INTRODUCTION_EXPIRY_DAYS: 14,
      INTRODUCTION_OUTCOME_DAYS: 7,
      QUIET_DAYS: 60,
      SESSION_MAX_AGE_DAYS: 90,
      SUPPORT_HOURS: '09:00-17:00',
      SUPPORT_TIMEZONE: 'UTC',
      SUPPORT_DAYS: 'Mon-Fri',
    })
  })

  it('coerces numbers and reads flags', () => {
    const e = parseEnv({
      PORT: '8080',
      DATABASE_POOL_SIZE: '3',
      TRUST_PROXY: '1',
      PASSWORD_HASH_CONCURRENCY: '2',
      SEED_DEMO: 'yes',
      LOG_REQUESTS: '0',
    })
    expect(e).toMatchObject({
      PORT: 8080,
      DATABASE_POOL_SIZE: 3,
      TRUST_PROXY: 1,
      PASSWORD_HASH_CONCURRENCY: 2,
      SEED_DEMO: true,
      LOG_REQUESTS: false,
    })
  })

  it('derives PUBLIC_URL from PORT and strips trailing slashes from a given one', () => {
    expect(parseEnv({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080')
    expect(parseEnv({ PUBLIC_URL: 'https://hub.example.com/' }).PUBLIC_URL).toBe(
      'https://hub.example.com',
    )
    expect(parseEnv({ PUBLIC_URL: 'https://hub.example.com///' }).PUBLIC_URL).toBe(
      'https://hub.example.com',
    )
    expect(parseEnv({ PUBLIC_URL: 'http://localhost:5173' }).PUBLIC_URL).toBe(
      'http://localhost:5173',
    )
  })

  it('treats empty strings as unset', () => {
    const e = parseEnv({
      PORT: '',
      PUBLIC_URL: '',
      DATABASE_URL: '',
      SMTP_URL: '',
      NODE_ENV: '',
      SEED_DEMO: '',
    })
    expect(e).toMatchObject({
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
      NODE_ENV: 'development',
    })
    expect(e.DATABASE_URL).toBeUndefined()
    expect(e.SMTP_URL).toBeUndefined()
    expect(e.SEED_DEMO).toBeUndefined()
  })

  it('refuses a bad PORT, naming it', () => {
    for (const PORT of ['abc', '0', '65536', '80.5', '-1']) {
      const error = envError({ PORT })
      expect(error.name).toBe('EnvError')
      expect(error.message).toContain('switchboard: invalid environment:')
      expect(error.problems).toHaveLength(1)
      expect(error.problems[0]).toMatch(/^PORT: /)
    }
  })

  it('refuses a DATABASE_URL that is not PostgreSQL, naming it', () => {
    const error = envError({ DATABASE_URL: 'mysql://root@localhost/app' })
    expect(error.problems).toEqual(['DATABASE_URL: must start with postgres:// or postgresql://'])
    expect(error.message).toContain('DATABASE_URL: must start with postgres:// or postgresql://')
    expect(parseEnv({ DATABASE_URL: 'postgresql://u@db/app' }).DATABASE_URL).toBe(
      'postgresql://u@db/app',
    )
    expect(parseEnv({ DATABASE_URL: 'postgres://u@db/app' }).DATABASE_URL).toBe(
      'postgres://u@db/app',
    )
  })

  it('refuses an SMTP_URL that is not smtp(s), naming it', () => {
    const error = envError({ SMTP_URL: 'http://mail.example.com' })
    expect(error.problems).toEqual(['SMTP_URL: must start with smtp:// or smtps://'])
    expect(parseEnv({ SMTP_URL: 'smtps://u:p@mail.example.com:465' }).SMTP_URL).toBe(
      'smtps://u:p@mail.example.com:465',
    )
  })

  it('refuses a PUBLIC_URL that is not an absolute http(s) URL', () => {
    for (const PUBLIC_URL of ['hub.example.com', 'ftp://hub.example.com', '/relative']) {
      expect(envError({ PUBLIC_URL }).problems).toEqual([
        'PUBLIC_URL: must be an absolute http(s) URL',
      ])
    }
  })

  it('lists every bad variable at once', () => {
    const error = envError({
      PORT: 'x',
      DATABASE_URL: 'sqlite:foo',
      SEED_DEMO: 'maybe',
      NODE_ENV: 'staging',
    })
    expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'NODE_ENV',
      'PORT',
      'SEED_DEMO',
    ])
    for (const name of ['PORT', 'DATABASE_URL', 'SEED_DEMO', 'NODE_ENV'])
      expect(error.message).toContain(`  - ${name}: `)
  })

  it('reads support hours, days and time zone, and refuses bad ones by name', () => {
    expect(parseEnv({ SUPPORT_HOURS: '08:30-18:00', SUPPORT_DAYS: 'Mon,Wed,Fri', SUPPORT_TIMEZONE: 'Europe/Berlin' })).toMatchObject({
      SUPPORT_HOURS: '08:30-18:00',
      SUPPORT_DAYS: 'Mon,Wed,Fri',
      SUPPORT_TIMEZONE: 'Europe/Berlin',
    })
    for (const [name, value] of [
      ['SUPPORT_HOURS', '9-5'],
      ['SUPPORT_HOURS', '17:00-09:00'],
      ['SUPPORT_DAYS', 'Monday-Friday'],
      ['SUPPORT_TIMEZONE', 'Mars/Olympus'],
    ] as const) {
      expect(envError({ [name]: value }).problems).toEqual([expect.stringMatching(new RegExp(`^${name}: `))])
    }
  })

  it('reads SESSION_MAX_AGE_DAYS and refuses a value outside 1–3650 by name', () => {
    expect(parseEnv({ SESSION_MAX_AGE_DAYS: '30' }).SESSION_MAX_AGE_DAYS).toBe(30)
    for (const value of ['0', '3651', '7.5', 'forever']) {
      expect(envError({ SESSION_MAX_AGE_DAYS: value }).problems).toEqual([
        'SESSION_MAX_AGE_DAYS: must be a whole number of days from 1 to 3650',
      ])
    }
  })

  it('reads QUIET_DAYS and refuses a value outside 7–365 by name', () => {
    expect(parseEnv({ QUIET_DAYS: '90' }).QUIET_DAYS).toBe(90)
    for (const value of ['6', '366', 'sixty', '30.5']) {
      expect(envError({ QUIET_DAYS: value }).problems).toEqual(['QUIET_DAYS: must be a whole number of days from 7 to 365'])
    }
  })

  it('reads JOBS_PERIOD_MINUTES and MEANING_QUERY_TIMEOUT_MS, and refuses bad ones by name', () => {
    expect(parseEnv({ JOBS_PERIOD_MINUTES: '1', MEANING_QUERY_TIMEOUT_MS: '2000' })).toMatchObject({ JOBS_PERIOD_MINUTES: 1, MEANING_QUERY_TIMEOUT_MS: 2000 })
    for (const value of ['0', '1441', 'hourly', '1.5']) {
      expect(envError({ JOBS_PERIOD_MINUTES: value }).problems).toEqual(['JOBS_PERIOD_MINUTES: must be a whole number of minutes from 1 to 1440'])
    }
    expect(envError({ MEANING_QUERY_TIMEOUT_MS: '0' }).problems).toEqual([expect.stringMatching(/^MEANING_QUERY_TIMEOUT_MS: /)])
  })

  it('reads DATABASE_LISTEN_URL and SEARCH_RECONCILE_SECONDS, and refuses bad ones by name', () => {
    const e = parseEnv({ DATABASE_LISTEN_URL: 'postgres://db:5432/hub', SEARCH_RECONCILE_SECONDS: '5' })
    expect([e.DATABASE_LISTEN_URL, e.SEARCH_RECONCILE_SECONDS]).toEqual(['postgres://db:5432/hub', 5])
    expect(envError({ DATABASE_LISTEN_URL: 'mysql://db/hub' }).problems).toEqual(['DATABASE_LISTEN_URL: must start with postgres:// or postgresql://'])
    for (const value of ['0', '3601', 'often', '1.5']) {
      expect(envError({ SEARCH_RECONCILE_SECONDS: value }).problems).toEqual(['SEARCH_RECONCILE_SECONDS: must be a whole number of seconds from 1 to 3600'])
    }
  })

  it('refuses a short DEMO_PASSWORD', () => {
    expect(envError({ DEMO_PASSWORD: 'short' }).problems).toEqual([
      'DEMO_PASSWORD: must be at least 12 characters',
    ])
  })
})

describe('isHttps and absoluteUrl', () => {
  it('decide HTTPS from PUBLIC_URL', () => {
    expect(isHttps(parseEnv({ PUBLIC_URL: 'https://hub.example.com' }))).toBe(true)
    expect(isHttps(parseEnv({ PUBLIC_URL: 'http://hub.example.com' }))).toBe(false)
    expect(isHttps(parseEnv({}))).toBe(false)
  })

  it('build links under PUBLIC_URL', () => {
    const e = parseEnv({ PUBLIC_URL: 'https://hub.example.com/' })
    expect(absoluteUrl('/invitations/abc', e)).toBe('https://hub.example.com/invitations/abc')
    expect(absoluteUrl('/login', parseEnv({ PORT: '4000' }))).toBe('http://localhost:4000/login')
  })
})

describe('env()', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    resetEnvCache()
  })

  it('parses process.env once and again after resetEnvCache', () => {
    resetEnvCache()
    vi.stubEnv('PUBLIC_URL', 'https://one.example.com/')
    expect(env().PUBLIC_URL).toBe('https://one.example.com')
    vi.stubEnv('PUBLIC_URL', 'https://two.example.com')
    expect(env().PUBLIC_URL).toBe('https://one.example.com') // cached
    resetEnvCache()
    expect(env().PUBLIC_URL).toBe('https://two.example.com')
  })
})
