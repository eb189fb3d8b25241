import { describe, expect, it } from 'vitest'
import {
  generateSessionToken,
  readSessionToken,
  serializeBlankSessionCookie,
  serializeSessionCookie,
  sessionCookieName,
} from './session.server'

describe('generateSessionToken', () => {
  it('is <id>.<secret>, each 24 base32 characters (120 random bits)', () => {
    const { id, secret, token } = generateSessionToken()
    expect(token).toBe(`${id}.${secret}`)
    expect(id).toMatch(/^[a-z2-7]{24}$/)
    expect(secret).toMatch(/^[a-z2-7]{24}$/)
    // 24 base32 characters carry 24 × 5 = 120 bits.
    expect(secret.length * 5).toBeGreaterThanOrEqual(120)
  })

  it('never repeats and uses the whole alphabet', () => {
    const tokens = Array.from({ length: 500 }, () => generateSessionToken())
    expect(new Set(tokens.map((t) => t.id)).size).toBe(500)
    expect(new Set(tokens.map((t) => t.secret)).size).toBe(500)
    const seen = new Set(tokens.flatMap((t) => [...t.id, ...t.secret]))
    expect(seen.size).toBe(32)
  })
})

describe('the session cookie', () => {
  const token = `${'a'.repeat(24)}.${'b'.repeat(24)}`
  const expiresAt = new Date('2030-01-02T03:04:05Z')

  it('over HTTP: HttpOnly, SameSite=Lax, Path=/, with an expiry, no Secure and no __Host- prefix', () => {
    expect(serializeSessionCookie(token, expiresAt, false)).toBe(
      `switchboard_session=${token}; HttpOnly; SameSite=Lax; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT`,
    )
  })

  it('over HTTPS: also Secure, and named with the __Host- prefix', () => {
    const cookie = serializeSessionCookie(token, expiresAt, true)
    expect(cookie).toBe(
      `__Host-switchboard_session=${token}; HttpOnly; SameSite=Lax; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure`,
    )
    // __Host- cookies must not carry a Domain attribute.
    expect(cookie).not.toMatch(/Domain=/i)
  })

  it('is removed with an empty value and Max-Age=0, with the same attributes', () => {
    expect(serializeBlankSessionCookie(false)).toBe(
      'switchboard_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0',
    )
    expect(serializeBlankSessionCookie(true)).toBe(
      '__Host-switchboard_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure',
    )
  })

  it('follows PUBLIC_URL when HTTPS is not said (http://switchboard.test in tests)', () => {
    expect(sessionCookieName()).toBe('switchboard_session')
    expect(serializeSessionCookie(token, expiresAt)).not.toContain('Secure')
    expect(serializeBlankSessionCookie()).not.toContain('Secure')
  })
})

describe('readSessionToken', () => {
  it('finds the session cookie among others, whatever the spacing', () => {
    expect(readSessionToken('theme=dark; switchboard_session=abc.def; lang=en', false)).toBe(
      'abc.def',
    )
    expect(readSessionToken('switchboard_session=abc.def', false)).toBe('abc.def')
    expect(readSessionToken('a=1;switchboard_session= abc.def ;b=2', false)).toBe('abc.def')
  })

  it('reads the __Host- cookie over HTTPS and only that one', () => {
    const header = 'switchboard_session=plain.one; __Host-switchboard_session=secure.one'
    expect(readSessionToken(header, true)).toBe('secure.one')
    expect(readSessionToken(header, false)).toBe('plain.one')
    expect(readSessionToken('switchboard_session=plain.one', true)).toBeNull()
  })

  it('answers null without a header, without the cookie, or with an empty value', () => {
    expect(readSessionToken(null, false)).toBeNull()
    expect(readSessionToken('', false)).toBeNull()
    expect(readSessionToken('theme=dark; lang=en', false)).toBeNull()
    expect(readSessionToken('switchboard_session=', false)).toBeNull()
    expect(readSessionToken('switchboard_session', false)).toBeNull()
  })

  it('does not take a cookie whose name only contains the session cookie’s name', () => {
    expect(
      readSessionToken('old_switchboard_session=x.y; switchboard_session_v0=z.w', false),
    ).toBeNull()
  })

  it('takes the first of two session cookies', () => {
    expect(
      readSessionToken('switchboard_session=first.one; switchboard_session=second.one', false),
    ).toBe('first.one')
  })
})
