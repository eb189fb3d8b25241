import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { sessions } from '~/db/schema'
import { createUser } from '#tests/factories'
import {
  createSession,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  SESSION_LIFETIME_MS,
  sessionMaxAgeMs,
  validateSessionToken,
} from './session.server'

describe('sessions', () => {
  it('stores only a SHA-256 of the secret and validates the token', async () => {
    const user = await createUser()
    const { token, session } = await createSession(user.id, { userAgent: 'Test', ipAddress: '127.0.0.1' })
    const [id, secret] = token.split('.')
    const [row] = await db.select().from(sessions).where(eq(sessions.id, id!))
    expect(row!.secretHash).toHaveLength(32)
    expect(Buffer.from(row!.secretHash).toString()).not.toContain(secret)
    const result = await validateSessionToken(token)
    expect(result?.user.id).toBe(user.id)
    expect(result?.session.id).toBe(session.id)
  })

  it('rejects a wrong secret, a malformed token and an unknown id', async () => {
    const user = await createUser()
    const { token } = await createSession(user.id)
    const [id] = token.split('.')
    expect(await validateSessionToken(`${id}.${'a'.repeat(24)}`)).toBeNull()
    expect(await validateSessionToken('nonsense')).toBeNull()
    expect(await validateSessionToken(`${'b'.repeat(24)}.${'a'.repeat(24)}`)).toBeNull()
  })

  it('deletes an expired session and slides one in the second half of its life', async () => {
    const user = await createUser()
    const expired = await createSession(user.id)
    await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, expired.session.id))
    expect(await validateSessionToken(expired.token)).toBeNull()
    expect(await db.select().from(sessions).where(eq(sessions.id, expired.session.id))).toHaveLength(0)

    const aging = await createSession(user.id)
    const soon = new Date(Date.now() + 2 * 24 * 3600 * 1000)
    await db.update(sessions).set({ expiresAt: soon }).where(eq(sessions.id, aging.session.id))
    const result = await validateSessionToken(aging.token)
    expect(result?.renewed).toBe(true)
    expect(result!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_LIFETIME_MS - 60_000)
  })

  it('refuses and deletes a session past its absolute limit even while its sliding expiry is ahead', async () => {
    const user = await createUser()
    const old = await createSession(user.id)
    const day = 24 * 3600 * 1000
    await db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 91 * day), expiresAt: new Date(Date.now() + 20 * day) })
      .where(eq(sessions.id, old.session.id))
    expect(await validateSessionToken(old.token)).toBeNull()
    expect(await db.select().from(sessions).where(eq(sessions.id, old.session.id))).toHaveLength(0)
  })

  it('keeps a session of 89 days, sliding it no further than its absolute limit', async () => {
    const user = await createUser()
    const aging = await createSession(user.id)
    const day = 24 * 3600 * 1000
    const createdAt = new Date(Date.now() - 89 * day)
    await db
      .update(sessions)
      .set({ createdAt, expiresAt: new Date(Date.now() + 2 * day) })
      .where(eq(sessions.id, aging.session.id))
    const result = await validateSessionToken(aging.token)
    expect(result?.user.id).toBe(user.id)
    // Due to slide (2 days left), but only up to 90 days after creation.
    expect(result!.session.expiresAt.getTime()).toBeLessThanOrEqual(createdAt.getTime() + sessionMaxAgeMs())
    expect(result!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 0.5 * day)
    expect(sessionMaxAgeMs()).toBe(90 * day)
  })

  it('refuses sessions of a deactivated user', async () => {
    const user = await createUser({ active: false })
    const { token } = await createSession(user.id)
    expect(await validateSessionToken(token)).toBeNull()
  })

  it('ends one session, or all but the current one', async () => {
    const user = await createUser()
    const a = await createSession(user.id)
    const b = await createSession(user.id)
    const c = await createSession(user.id)
    await invalidateSession(a.session.id)
    expect(await validateSessionToken(a.token)).toBeNull()
    await invalidateUserSessions(user.id, { except: b.session.id })
    expect((await listUserSessions(user.id)).map((s) => s.id)).toEqual([b.session.id])
    expect(await validateSessionToken(c.token)).toBeNull()
  })
})
