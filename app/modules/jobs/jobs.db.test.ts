/**
 * Background jobs against a real database, with two runners standing for two
 * app processes (on PostgreSQL each on its own pool): a period's job runs
 * once however they race, a failed job waits longer after each attempt and
 * is given up (logged) after its last, a job whose process died is taken
 * over, and the real digest reaches each person once.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db, type Database } from '~/db/client.server'
import { jobs, notificationPreferences, outbox } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { notify } from '~/modules/notifications/notifications.server'
import { createUser } from '#tests/factories'
import { secondProcessDatabase } from '#tests/second-process'
import { PERIODIC_HANDLERS, runBackgroundRound } from './background.server'
import { getJob, pruneFinishedJobs, runDueJobs, scheduleJob, type JobHandler } from './jobs.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

let other: Awaited<ReturnType<typeof secondProcessDatabase>>
beforeAll(async () => {
  other = await secondProcessDatabase()
})
afterAll(async () => {
  await other.close()
})

let serial = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`

/** Seconds from the database's now until the job may run again. */
async function secondsUntilDue(key: string) {
  const [row] = await db.select({ s: sql<number>`extract(epoch from ${jobs.runAt} - now())::float8` }).from(jobs).where(eq(jobs.key, key))
  return Number(row!.s)
}
const makeDue = (key: string) => db.update(jobs).set({ runAt: sql`now() - interval '1 second'` }).where(eq(jobs.key, key))

describe('periodic jobs across processes', () => {
  it('runs each period’s jobs once when two runners race for the same period', async () => {
    const ran: { key: string; by: string }[] = []
    const recorder =
      (by: string): JobHandler =>
      async (job) => {
        ran.push({ key: job.key, by })
        await sleep(10) // long enough for the other runner to look for the same job meanwhile
      }
    const handlersFor = (by: string) => Object.fromEntries(Object.keys(PERIODIC_HANDLERS).map((kind) => [kind, recorder(by)]))
    const runner = (by: string, database: Database) => async () => {
      for (let round = 0; round < 3; round++) await runBackgroundRound({ digestHourUtc: 0, handlers: handlersFor(by), holder: by, database })
    }
    await Promise.all([runner('process-a', db)(), runner('process-b', other.database)()])

    const keys = ran.map((r) => r.key)
    expect(new Set(keys).size).toBe(keys.length) // no key ran twice
    // Every kind ran (an hour boundary crossed during the test adds a key, never a repeat).
    expect(new Set(keys.map((k) => k.split(':')[0]))).toEqual(new Set(['maintenance', 'introductions.expire', 'introductions.outcomes', 'digest']))
    for (const { key, by } of ran) expect(await getJob(key)).toMatchObject({ state: 'done', lockedBy: by, attempts: 1 })
  })

  it('does not schedule the digest before DIGEST_HOUR_UTC by the database clock, nor at all when it is off', async () => {
    const ran: string[] = []
    const handlers = { digest: async (job: { key: string }) => void ran.push(job.key) }
    await db.delete(jobs).where(sql`${jobs.kind} = 'digest'`)
    // Hour 24 is never reached; null is DIGEST_TIMER=0.
    await runBackgroundRound({ digestHourUtc: 24, handlers })
    await runBackgroundRound({ digestHourUtc: null, handlers })
    expect(ran).toEqual([])
    expect(await db.select().from(jobs).where(sql`${jobs.kind} = 'digest'`)).toEqual([])
  })

  it('sends each person one digest when two runners run past the digest hour', async () => {
    const person = await createUser({ name: 'Dana' })
    await db.insert(notificationPreferences).values({ userId: person.id, event: 'reply', delivery: 'daily' })
    await db.transaction((tx) =>
      notify(tx, { event: 'reply', recipients: [person.id], actorId: null, postId: null, summary: 'Rui replied', path: '/', dedupeKey: unique('reply') }),
    )
    await db.delete(jobs).where(sql`${jobs.kind} = 'digest'`)
    await Promise.all([
      runBackgroundRound({ digestHourUtc: 0, holder: 'process-a' }),
      runBackgroundRound({ digestHourUtc: 0, holder: 'process-b', database: other.database }),
    ])
    const digests = await db.select().from(outbox).where(sql`${outbox.dedupeKey} like ${`digest:${person.id}:%`}`)
    expect(digests).toHaveLength(1)
    expect(digests[0]!.subject).toContain('1 update')
  })
})

describe('retries', () => {
  it('retries a failed job after a growing delay, and gives up after its last attempt with an error logged', async () => {
    const key = unique('flaky')
    await scheduleJob('flaky', key, { maxAttempts: 3 })
    let calls = 0
    const handlers = {
      flaky: async () => {
        calls++
        throw new Error('the mail server refused')
      },
    }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(await runDueJobs(handlers)).toEqual({ done: 0, failed: 1 })
      expect(await getJob(key)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'the mail server refused' })
      const firstWait = await secondsUntilDue(key)
      expect(firstWait).toBeGreaterThan(25) // the first retry waits about 30 s
      // Not due yet: nothing runs.
      expect(await runDueJobs(handlers)).toEqual({ done: 0, failed: 0 })
      expect(calls).toBe(1)

      await makeDue(key)
      await runDueJobs(handlers, { holder: 'process-b', database: other.database })
      expect(await getJob(key)).toMatchObject({ state: 'pending', attempts: 2 })
      expect(await secondsUntilDue(key)).toBeGreaterThan(firstWait * 1.5) // twice as long
      expect(warn).toHaveBeenCalledTimes(2)
      expect(error).not.toHaveBeenCalled()

      await makeDue(key)
      await runDueJobs(handlers)
      expect(await getJob(key)).toMatchObject({ state: 'failed', attempts: 3 })
      expect(error).toHaveBeenCalledTimes(1)
      expect(String(error.mock.calls[0]![0])).toContain(`${key} failed 3 times; giving up`)
      await makeDue(key)
      await runDueJobs(handlers)
      expect(calls).toBe(3)
    } finally {
      warn.mockRestore()
      error.mockRestore()
    }
  })

  it('finishes a job whose retry succeeds', async () => {
    const key = unique('once-flaky')
    await scheduleJob('once-flaky', key)
    let calls = 0
    const handlers = {
      'once-flaky': async () => {
        if (++calls === 1) throw new Error('database went away')
      },
    }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      await runDueJobs(handlers)
      await makeDue(key)
      expect(await runDueJobs(handlers)).toEqual({ done: 1, failed: 0 })
      expect(await getJob(key)).toMatchObject({ state: 'done', attempts: 2, lastError: null })
    } finally {
      warn.mockRestore()
    }
  })

  it('takes over a job whose process died while running it, once its lease ran out', async () => {
    const key = unique('orphan')
    await scheduleJob('orphan', key)
    const ran: string[] = []
    const handlers = { orphan: async (job: { key: string }) => void ran.push(job.key) }
    await db.update(jobs).set({ state: 'running', lockedBy: 'dead-process', lockedAt: sql`now()`, attempts: 1 }).where(eq(jobs.key, key))
    expect(await runDueJobs(handlers)).toEqual({ done: 0, failed: 0 }) // its lease still holds
    await db.update(jobs).set({ lockedAt: sql`now() - interval '16 minutes'` }).where(eq(jobs.key, key))
    expect(await runDueJobs(handlers, { holder: 'process-b' })).toEqual({ done: 1, failed: 0 })
    expect(ran).toEqual([key])
    expect(await getJob(key)).toMatchObject({ state: 'done', lockedBy: 'process-b', attempts: 2 })
  })

  it('gives up a job abandoned on its last attempt instead of running it again, with an error logged', async () => {
    const key = unique('crasher')
    await scheduleJob('crasher', key, { maxAttempts: 2 })
    await db.update(jobs).set({ state: 'running', lockedBy: 'dead-process', lockedAt: sql`now() - interval '16 minutes'`, attempts: 2 }).where(eq(jobs.key, key))
    const ran: string[] = []
    expect(await runDueJobs({ crasher: async (job) => void ran.push(job.key) })).toEqual({ done: 0, failed: 0 })
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      await pruneFinishedJobs()
      expect(String(error.mock.calls[0]![0])).toContain(`${key} was abandoned during all 2 attempts`)
    } finally {
      error.mockRestore()
    }
    expect(ran).toEqual([])
    expect(await getJob(key)).toMatchObject({ state: 'failed', attempts: 2 })
  })

  it('scheduling a key that exists adds nothing, whatever state the job is in', async () => {
    const key = unique('single')
    expect(await scheduleJob('single', key)).toBe(true)
    expect(await scheduleJob('single', key, { database: other.database })).toBe(false)
    await runDueJobs({ single: async () => {} })
    expect(await scheduleJob('single', key)).toBe(false)
    expect(await db.select().from(jobs).where(eq(jobs.key, key))).toHaveLength(1)
  })
})
