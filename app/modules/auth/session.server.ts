/**
 * Sessions, following Lucia's current guide (lucia-auth.com, "Sessions").
 * The `lucia` package was retired by its author in 2025; he recommends
 * writing this small pattern directly, which is what this module does.
 * See docs/decisions/0002-sessions-without-the-lucia-package.md.
 *
 * The model:
 * - A session token is `<id>.<secret>`. Both halves come from the operating
 *   system's CSPRNG: 15 random bytes each (120 bits), base32-encoded.
 * - The database stores the id in clear (to find the row) and only a SHA-256
 *   of the secret. A leaked database or backup therefore cannot be replayed
 *   as a cookie: the secret is needed and cannot be derived from its hash.
 * - Validation compares the hashes in constant time so response timing says
 *   nothing about how much of a guessed secret was right.
 * - Sessions last 30 days and slide: when a session is used in the second
 *   half of its life, its expiry moves to 30 days from now. Writing only
 *   then keeps most requests read-only.
 * - Sliding never goes past an absolute limit, SESSION_MAX_AGE_DAYS (90 by
 *   default) after the session was created: a stolen cookie that is used
 *   every day still dies, and everyone signs in again now and then.
 * - Signing out deletes the row; a password change or a deactivation deletes
 *   every row of the user, so stolen cookies stop working at once.
 *
 * The cookie is HttpOnly (scripts cannot read it), SameSite=Lax (not sent on
 * cross-site POSTs; see csrf.server.ts for the main defence), Path=/, and on
 * HTTPS both Secure and `__Host-`-prefixed, which makes browsers refuse a
 * cookie of that name set by a subdomain or over plain HTTP.
 */
import { sha256 } from '@oslojs/crypto/sha2'
import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding'
import { and, desc, eq, gt, lte, ne, or } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { sessions, users } from '~/db/schema'
import { env, isHttps } from '~/utils/env.server'

const DAY_MS = 24 * 60 * 60 * 1000
export const SESSION_LIFETIME_MS = 30 * DAY_MS
/** A session used with less than this left is extended (sliding expiry). */
const RENEW_WHEN_LEFT_MS = 15 * DAY_MS
/** "Last used" on the sessions page is kept to within five minutes. */
const LAST_SEEN_GRANULARITY_MS = 5 * 60 * 1000

/** The absolute limit: a session ends this long after it was created, whatever its use. */
export function sessionMaxAgeMs() {
  return env().SESSION_MAX_AGE_DAYS * DAY_MS
}

/** Bytes of randomness in each half of the token: 15 bytes = 120 bits. */
const RANDOM_BYTES = 15

function randomPart(): string {
  const bytes = new Uint8Array(RANDOM_BYTES)
  crypto.getRandomValues(bytes) // CSPRNG
  return encodeBase32LowerCaseNoPadding(bytes)
}

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret))
}

export type SessionUser = {
  id: string
  name: string
  email: string
  role: 'customer' | 'support' | 'admin'
  organizationId: string
}

export type Session = {
  id: string
  userId: string
  expiresAt: Date
  createdAt: Date
}

export type SessionMeta = { userAgent?: string | null; ipAddress?: string | null }

/** A fresh random token `<id>.<secret>` and its parts. */
export function generateSessionToken() {
  const id = randomPart()
  const secret = randomPart()
  return { id, secret, token: `${id}.${secret}` }
}

/**
 * Creates a session for `userId` and returns the token to put in the cookie.
 * Pass a transaction as `executor` when the session belongs to a larger write.
 */
export async function createSession(
  userId: string,
  meta: SessionMeta = {},
  executor: Executor = db,
): Promise<{ token: string; session: Session }> {
  const { id, secret, token } = generateSessionToken()
  const now = new Date()
  const session: Session = {
    id,
    userId,
    createdAt: now,
    // A maximum age shorter than the sliding lifetime caps the first expiry too.
    expiresAt: new Date(now.getTime() + Math.min(SESSION_LIFETIME_MS, sessionMaxAgeMs())),
  }
  await executor.insert(sessions).values({
    id,
    userId,
    secretHash: hashSecret(secret),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: session.expiresAt,
    // Kept short: these are shown on the sessions page, not used for security.
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    ipAddress: meta.ipAddress?.slice(0, 64) ?? null,
  })
  return { token, session }
}

/**
 * Looks up the session a token names, checks its secret and expiry, and
 * slides the expiry when due. Returns null for anything invalid: a malformed
 * token, an unknown id, a wrong secret, an expired session or a deactivated
 * user (whose sessions are deleted on deactivation anyway).
 */
export async function validateSessionToken(
  token: string,
): Promise<{ session: Session; user: SessionUser; renewed: boolean } | null> {
  const parts = token.split('.')
  if (parts.length !== 2) return null
  const [id, secret] = parts as [string, string]
  // Reject obviously malformed tokens before touching the database.
  if (!/^[a-z2-7]{24}$/.test(id) || !/^[a-z2-7]{24}$/.test(secret)) return null

  const [row] = await db
    .select({
      id: sessions.id,
      userId: sessions.userId,
      secretHash: sessions.secretHash,
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
      lastSeenAt: sessions.lastSeenAt,
      user: {
        id: users.id,
        name: users.name,
        email: users.email,
        role: users.role,
        organizationId: users.organizationId,
        active: users.active,
      },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id))
    .limit(1)
  if (!row) return null

  // Constant-time: the comparison takes as long whatever prefix matches.
  if (!constantTimeEqual(hashSecret(secret), row.secretHash)) return null

  const now = Date.now()
  // The absolute limit counts from creation, so no amount of sliding extends it.
  const endOfLife = row.createdAt.getTime() + sessionMaxAgeMs()
  if (row.expiresAt.getTime() <= now || endOfLife <= now || !row.user.active) {
    await db.delete(sessions).where(eq(sessions.id, id))
    return null
  }

  // A session made before a shorter limit was configured ends at that limit.
  let expiresAt = new Date(Math.min(row.expiresAt.getTime(), endOfLife))
  let renewed = false
  if (expiresAt.getTime() - now < RENEW_WHEN_LEFT_MS) {
    const slid = Math.min(now + SESSION_LIFETIME_MS, endOfLife)
    // Near the end of life there is nothing left to slide; keep the row read-only.
    if (slid > expiresAt.getTime()) {
      expiresAt = new Date(slid)
      renewed = true
    }
  }
  // Write only when the expiry slides or "last used" is stale, so most
  // requests stay read-only.
  if (renewed || now - row.lastSeenAt.getTime() > LAST_SEEN_GRANULARITY_MS) {
    await db
      .update(sessions)
      .set({ expiresAt, lastSeenAt: new Date(now) })
      .where(eq(sessions.id, id))
  }
  const { active: _active, ...user } = row.user
  return {
    session: { id: row.id, userId: row.userId, createdAt: row.createdAt, expiresAt },
    user,
    renewed,
  }
}

/** Ends one session (sign-out). */
export async function invalidateSession(sessionId: string, executor: Executor = db) {
  await executor.delete(sessions).where(eq(sessions.id, sessionId))
}

/** Ends every session of a user, optionally keeping one (the current one). */
export async function invalidateUserSessions(
  userId: string,
  options: { except?: string } = {},
  executor: Executor = db,
) {
  await executor
    .delete(sessions)
    .where(
      options.except
        ? and(eq(sessions.userId, userId), ne(sessions.id, options.except))
        : eq(sessions.userId, userId),
    )
}

/** A user's live sessions, most recently used first (for the sessions page). */
export async function listUserSessions(userId: string) {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      userAgent: sessions.userAgent,
      ipAddress: sessions.ipAddress,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        gt(sessions.expiresAt, new Date()),
        gt(sessions.createdAt, new Date(Date.now() - sessionMaxAgeMs())),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt))
}

/** Deletes expired sessions and those past their absolute limit; run now and then by the maintenance timer. */
export async function deleteExpiredSessions() {
  const now = Date.now()
  await db
    .delete(sessions)
    .where(or(lte(sessions.expiresAt, new Date(now)), lte(sessions.createdAt, new Date(now - sessionMaxAgeMs()))))
}

// ---------------------------------------------------------------------------
// The cookie

/** `__Host-` only over HTTPS: browsers ignore that prefix without Secure. */
export function sessionCookieName(https = isHttps()) {
  return https ? '__Host-switchboard_session' : 'switchboard_session'
}

/** A Set-Cookie value that stores `token` until `expiresAt`. */
export function serializeSessionCookie(token: string, expiresAt: Date, https = isHttps()) {
  const parts = [
    `${sessionCookieName(https)}=${token}`,
    'HttpOnly', // not readable from scripts
    'SameSite=Lax', // not sent with cross-site POSTs
    'Path=/', // required by the __Host- prefix; one session for the whole hub
    `Expires=${expiresAt.toUTCString()}`,
  ]
  if (https) parts.push('Secure') // never sent over plain HTTP
  return parts.join('; ')
}

/** A Set-Cookie value that removes the session cookie. */
export function serializeBlankSessionCookie(https = isHttps()) {
  const parts = [`${sessionCookieName(https)}=`, 'HttpOnly', 'SameSite=Lax', 'Path=/', 'Max-Age=0']
  if (https) parts.push('Secure')
  return parts.join('; ')
}

/** The session token in a Cookie header, if any. */
export function readSessionToken(cookieHeader: string | null, https = isHttps()): string | null {
  if (!cookieHeader) return null
  const name = sessionCookieName(https)
  for (const pair of cookieHeader.split(';')) {
    const index = pair.indexOf('=')
    if (index === -1) continue
    if (pair.slice(0, index).trim() === name) return pair.slice(index + 1).trim() || null
  }
  return null
}
