/**
 * Every account flow against a real database. Each failure branch checks the
 * exact outcome and that nothing was written; the database is shared by the
 * tests of this file, so each test makes its own people and organizations
 * and compares row counts before and after.
 *
 * Delivery after commit (`kickMailer`) is replaced by a spy: messages stay
 * in the outbox, where the tests read them, and the spy shows that delivery
 * was asked for.
 */
import { and, count, eq, sql } from 'drizzle-orm'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import {
  auditLog,
  emailTokens,
  invitations,
  organizationDomains,
  organizations,
  outbox,
  sessions,
  rateLimits,
  users,
  type Role,
} from '~/db/schema'
import { PASSWORD_PROBLEM_MESSAGES, verifyPassword } from '~/modules/auth/password.server'
import { createSession, validateSessionToken } from '~/modules/auth/session.server'
import {
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_IP,
  THROTTLE_WINDOW_MS,
} from '~/modules/auth/throttle.server'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import {
  actorOf,
  createOrganization as insertOrganization,
  createUser,
  TEST_PASSWORD,
} from '#tests/factories'
import { countRows } from '#tests/row-counts'
import { pointsUsed } from '~/utils/rate-limit.server'
import {
  acceptInvitation,
  changePassword,
  completeSignUp,
  confirmEmailChange,
  createAdminAccount,
  createOrganization,
  deactivateUser,
  EMAIL_CHANGE_LIFETIME_MS,
  getInvitation,
  getOrganization,
  getOwnProfile,
  getPasswordReset,
  getSignUp,
  INVITATION_LIFETIME_MS,
  inviteUser,
  listOrganizations,
  MESSAGES,
  PASSWORD_RESET_LIFETIME_MS,
  reactivateUser,
  requestEmailChange,
  requestPasswordReset,
  requestSignUp,
  resetPassword,
  revokeInvitation,
  setOrganizationDomains,
  signIn,
  signOut,
  SIGN_UP_LIFETIME_MS,
  updateProfile,
} from './accounts.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

beforeEach(() => {
  vi.mocked(kickMailer).mockClear()
})

const NEW_PASSWORD = 'violet submarine under the bridge'
const COMMON_PASSWORD = 'password1234'

// -- helpers -------------------------------------------------------------------

let serial = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`
const uniqueEmail = (domain = 'example.test') => `${unique('person')}@${domain}`
const uniqueDomain = () => `${unique('d')}.example`
const uniqueIp = () => {
  const n = ++serial
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
}

/** An admin of a fresh vendor organization, as an acting user. */
async function newAdmin(values: { name?: string } = {}) {
  return actorOf(await createUser({ role: 'admin', name: values.name ?? 'Ada Admin' }))
}

const TABLES = {
  users,
  organizations,
  organizationDomains,
  invitations,
  emailTokens,
  outbox,
  sessions,
  auditLog,
  rateLimits,
}

/** Row counts of every table an account flow writes to, in one query. */
const rowCounts = () => countRows(TABLES)

/** Runs `action` and checks that it left every table as it was. */
async function expectNothingWritten<T>(action: () => Promise<T>): Promise<T> {
  const before = await rowCounts()
  const result = await action()
  expect(await rowCounts()).toEqual(before)
  return result
}

/** Like expectNothingWritten, except for the named tables. */
async function expectNothingWrittenBut<T>(
  changing: Array<keyof typeof TABLES>,
  action: () => Promise<T>,
) {
  const omit = (counts: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(counts).filter(([name]) => !changing.includes(name as keyof typeof TABLES)),
    )
  const before = omit(await rowCounts())
  const result = await action()
  expect(omit(await rowCounts())).toEqual(before)
  return result
}

async function getUser(id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id))
  return row
}

async function usersWithEmail(email: string) {
  return db.select().from(users).where(eq(users.email, email.toLowerCase()))
}

async function emailsTo(address: string) {
  return db.select().from(outbox).where(eq(outbox.toAddress, address)).orderBy(outbox.createdAt)
}

/** The one message queued for `address` (fails when there are more or none). */
async function onlyEmailTo(address: string) {
  const rows = await emailsTo(address)
  expect(rows).toHaveLength(1)
  return rows[0]!
}

/** The token of the absolute `http://switchboard.test/<path>/<token>` link in `text`. */
function linkToken(text: string, path: string) {
  const match = new RegExp(`http://switchboard\\.test/${path}/([a-z2-7]{32})(?![a-z0-9])`).exec(
    text,
  )
  expect(match, `no /${path}/<token> link in:\n${text}`).not.toBeNull()
  return match![1]!
}

async function sessionCount(userId: string) {
  const [row] = await db
    .select({ value: count() })
    .from(sessions)
    .where(eq(sessions.userId, userId))
  return row!.value
}

/** Failed sign-ins counted now for "email:<address>" or "ip:<address>". */
async function failuresFor(key: string) {
  const [kind, ...rest] = key.split(':')
  return pointsUsed(kind === 'ip' ? 'sign-in-ip' : 'sign-in-account', rest.join(':'))
}

/**
 * Counts `howMany` failures as if they happened `ageMs` ago: they open the
 * key's window then, or join the window already open (as real ones would).
 */
async function addOldFailures(key: string, howMany: number, ageMs: number) {
  const [kind, ...rest] = key.split(':')
  const name = kind === 'ip' ? 'sign-in-ip' : 'sign-in-account'
  const windowSec = THROTTLE_WINDOW_MS / 1000
  await db.execute(sql`
    insert into rate_limits as r (key, points, reset_at)
    values (${`${name}:${rest.join(':')}`}, ${howMany}::int, now() + (${windowSec}::int - ${Math.round(ageMs / 1000)}::int) * interval '1 second')
    on conflict (key) do update set
      points = case when r.reset_at <= now() then excluded.points else r.points + excluded.points end,
      reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end`)
}

async function auditActions(subjectId: string) {
  const rows = await db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(eq(auditLog.subjectId, subjectId))
    .orderBy(auditLog.id)
  return rows.map((r) => r.action)
}

/** Makes exactly `ids` the active admins (other tests of this file create admins too). */
async function onlyActiveAdmins(ids: string[]) {
  await db
    .update(users)
    .set({
      active: sql`${users.id} in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    })
    .where(eq(users.role, 'admin'))
}

const minutesAgo = (minutes: number) => minutes * 60 * 1000

// -- sign-in --------------------------------------------------------------------

describe('signIn', () => {
  it('opens a session for the right email and password, whatever the case of the email', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const ip = uniqueIp()
    const result = await signIn(
      { email: user.email.toUpperCase(), password: TEST_PASSWORD },
      { userAgent: 'Vitest', ipAddress: ip },
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.userId).toBe(user.id)
    const validated = await validateSessionToken(result.value.token)
    expect(validated?.user).toEqual({
      id: user.id,
      name: user.name,
      email: user.email,
      role: 'customer',
      organizationId: user.organizationId,
    })
    expect(validated?.session.expiresAt.getTime()).toBe(result.value.expiresAt.getTime())
    const [row] = await db.select().from(sessions).where(eq(sessions.userId, user.id))
    expect(row).toMatchObject({ userAgent: 'Vitest', ipAddress: ip })
    expect((await getUser(user.id))?.lastSignInAt).toBeInstanceOf(Date)
    // A success is not a failure, for the account or the address.
    expect(await failuresFor(`email:${user.email}`)).toBe(0)
    expect(await failuresFor(`ip:${ip}`)).toBe(0)
  })

  it('gives an unknown email and a wrong password the same answer, and counts both', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const unknown = uniqueEmail()
    const wrongPassword = await expectNothingWrittenBut(['rateLimits'], () =>
      signIn({ email: user.email, password: 'not the password at all' }),
    )
    const unknownEmail = await signIn({ email: unknown, password: TEST_PASSWORD })
    const expected = {
      ok: false,
      reason: 'invalid_credentials',
      message: MESSAGES.invalidCredentials,
    }
    expect(wrongPassword).toEqual(expected)
    expect(unknownEmail).toEqual(expected)
    expect(await failuresFor(`email:${user.email}`)).toBe(1)
    expect(await failuresFor(`email:${unknown}`)).toBe(1)
    expect(await sessionCount(user.id)).toBe(0)
    expect((await getUser(user.id))?.lastSignInAt).toBeNull()
  })

  it('refuses a deactivated account with the right password, without revealing it to a wrong one', async () => {
    const user = await createUser({ email: uniqueEmail(), active: false })
    expect(await signIn({ email: user.email, password: TEST_PASSWORD })).toEqual({
      ok: false,
      reason: 'deactivated',
      message: MESSAGES.deactivated,
    })
    // The right password is not a failed guess.
    expect(await failuresFor(`email:${user.email}`)).toBe(0)
    expect(await signIn({ email: user.email, password: 'a wrong password' })).toMatchObject({
      reason: 'invalid_credentials',
      message: MESSAGES.invalidCredentials,
    })
    expect(await failuresFor(`email:${user.email}`)).toBe(1)
    expect(await sessionCount(user.id)).toBe(0)
  })

  it(`throttles an account after ${MAX_FAILURES_PER_ACCOUNT} failures, even with the right password`, async () => {
    const user = await createUser({ email: uniqueEmail() })
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      const attempt = await signIn(
        { email: user.email, password: `wrong password ${i}` },
        { ipAddress: uniqueIp() },
      )
      expect(attempt.ok ? 'ok' : attempt.reason).toBe('invalid_credentials')
    }
    const before = await rowCounts()
    const throttled = await signIn(
      { email: user.email, password: TEST_PASSWORD },
      { ipAddress: uniqueIp() },
    )
    expect(throttled.ok).toBe(false)
    if (throttled.ok) return
    expect(throttled.reason).toBe('throttled')
    expect(throttled.retryAfter).toBeGreaterThan(0)
    expect(throttled.retryAfter).toBeLessThanOrEqual(900)
    expect(throttled.message).toBe(MESSAGES.throttled(throttled.retryAfter!))
    expect(throttled.message).toBe(
      'Too many failed sign-ins. Wait 15 minutes and try again, or reset your password.',
    )
    // A refused attempt is not counted again, so hammering does not extend the wait.
    expect(await rowCounts()).toEqual(before)
    expect(await failuresFor(`email:${user.email}`)).toBe(MAX_FAILURES_PER_ACCOUNT)
    expect(await sessionCount(user.id)).toBe(0)
    // Keyed by the email typed, in any case.
    expect(
      await signIn({ email: user.email.toUpperCase(), password: TEST_PASSWORD }),
    ).toMatchObject({
      reason: 'throttled',
    })
  })

  it('cannot be bypassed by sending many attempts at once', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const burst = 2 * MAX_FAILURES_PER_ACCOUNT + 5
    const results = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        signIn({ email: user.email, password: `parallel guess ${i}` }),
      ),
    )
    const reasons = results.map((r) => (r.ok ? 'ok' : r.reason))
    expect(reasons.filter((r) => r === 'invalid_credentials')).toHaveLength(
      MAX_FAILURES_PER_ACCOUNT,
    )
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(burst - MAX_FAILURES_PER_ACCOUNT)
    expect(await failuresFor(`email:${user.email}`)).toBe(MAX_FAILURES_PER_ACCOUNT)
  })

  it('throttles unknown emails alike, so the limit does not reveal who has an account', async () => {
    const email = uniqueEmail()
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++)
      await signIn({ email, password: 'guess number one' })
    expect(await signIn({ email, password: 'guess number two' })).toMatchObject({
      ok: false,
      reason: 'throttled',
    })
  })

  it(`throttles an IP address after ${MAX_FAILURES_PER_IP} failures across different emails`, async () => {
    const ip = uniqueIp()
    const user = await createUser({ email: uniqueEmail() })
    // All at once: the limit holds for a parallel burst too.
    const attempts = await Promise.all(
      Array.from({ length: MAX_FAILURES_PER_IP + 5 }, () =>
        signIn({ email: uniqueEmail(), password: 'spraying passwords' }, { ipAddress: ip }),
      ),
    )
    const reasons = attempts.map((a) => (a.ok ? 'ok' : a.reason))
    expect(reasons.filter((r) => r === 'invalid_credentials')).toHaveLength(MAX_FAILURES_PER_IP)
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(5)
    expect(await failuresFor(`ip:${ip}`)).toBe(MAX_FAILURES_PER_IP)

    const fromThatIp = await expectNothingWritten(() =>
      signIn({ email: user.email, password: TEST_PASSWORD }, { ipAddress: ip }),
    )
    expect(fromThatIp).toMatchObject({ ok: false, reason: 'throttled' })
    if (fromThatIp.ok) return
    expect(fromThatIp.retryAfter).toBeGreaterThan(0)
    expect(fromThatIp.retryAfter).toBeLessThanOrEqual(900)
    // The account itself is not blocked elsewhere.
    expect(
      (await signIn({ email: user.email, password: TEST_PASSWORD }, { ipAddress: uniqueIp() })).ok,
    ).toBe(true)
  })

  it('clears the account’s failures after a successful sign-in', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const almost = MAX_FAILURES_PER_ACCOUNT - 1
    for (let i = 0; i < almost; i++)
      await signIn({ email: user.email, password: 'wrong password!' })
    expect(await failuresFor(`email:${user.email}`)).toBe(almost)
    expect((await signIn({ email: user.email, password: TEST_PASSWORD })).ok).toBe(true)
    expect(await failuresFor(`email:${user.email}`)).toBe(0)
    // Without the reset these would add up past the limit.
    for (let i = 0; i < almost; i++)
      await signIn({ email: user.email, password: 'wrong password!' })
    expect((await signIn({ email: user.email, password: TEST_PASSWORD })).ok).toBe(true)
  })

  it('no longer counts failures older than 15 minutes', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const ip = uniqueIp()
    await addOldFailures(
      `email:${user.email}`,
      MAX_FAILURES_PER_ACCOUNT * 2,
      THROTTLE_WINDOW_MS + minutesAgo(1),
    )
    await addOldFailures(`ip:${ip}`, MAX_FAILURES_PER_IP * 2, THROTTLE_WINDOW_MS + minutesAgo(1))
    expect(
      (await signIn({ email: user.email, password: TEST_PASSWORD }, { ipAddress: ip })).ok,
    ).toBe(true)
  })

  it('lets an account in again once its oldest counted failure leaves the window', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const key = `email:${user.email}`
    // The oldest counted failure was 14 minutes ago: one minute left.
    await addOldFailures(key, 1, minutesAgo(14))
    await addOldFailures(key, MAX_FAILURES_PER_ACCOUNT - 1, minutesAgo(1))
    const result = await signIn({ email: user.email, password: TEST_PASSWORD })
    expect(result).toMatchObject({ ok: false, reason: 'throttled' })
    if (result.ok) return
    expect(result.retryAfter).toBeGreaterThan(55)
    expect(result.retryAfter).toBeLessThanOrEqual(60)
    expect(result.message).toBe(
      'Too many failed sign-ins. Wait 1 minute and try again, or reset your password.',
    )
    // One failure aged out: under the limit again.
    await db.delete(rateLimits).where(eq(rateLimits.key, `sign-in-account:${user.email}`))
    await addOldFailures(key, 1, minutesAgo(16))
    await addOldFailures(key, MAX_FAILURES_PER_ACCOUNT - 1, minutesAgo(1))
    expect((await signIn({ email: user.email, password: TEST_PASSWORD })).ok).toBe(true)
  })

  it('signOut ends the session', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const result = await signIn({ email: user.email, password: TEST_PASSWORD })
    if (!result.ok) throw new Error(result.message)
    const validated = await validateSessionToken(result.value.token)
    await signOut(validated!.session.id)
    expect(await validateSessionToken(result.value.token)).toBeNull()
  })
})

// -- organizations ------------------------------------------------------------------

describe('organizations', () => {
  it('an admin creates a customer organization with its domains', async () => {
    const admin = await newAdmin()
    const name = unique('Acme Widgets')
    const domains = [uniqueDomain(), uniqueDomain()]
    const result = await createOrganization(admin, { name, domains })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const [row] = await db.select().from(organizations).where(eq(organizations.id, result.value.id))
    expect(row).toMatchObject({ name, isVendor: false })
    const stored = await db
      .select({ domain: organizationDomains.domain })
      .from(organizationDomains)
      .where(eq(organizationDomains.organizationId, result.value.id))
    expect(stored.map((d) => d.domain).sort()).toEqual([...domains].sort())
    expect(await auditActions(result.value.id)).toEqual(['organization.create'])

    const listed = await listOrganizations(admin)
    expect(listed.ok && listed.value.find((o) => o.id === result.value.id)).toMatchObject({
      name,
      members: 0,
      domains: [...domains].sort(),
    })
  })

  it('refuses a name another organization has, in any case', async () => {
    const admin = await newAdmin()
    const name = unique('Globex Corporation')
    await insertOrganization({ name })
    const result = await expectNothingWritten(() =>
      createOrganization(admin, { name: name.toUpperCase(), domains: [uniqueDomain()] }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'name_taken',
      message: MESSAGES.organizationNameTaken,
      field: 'name',
    })
  })

  it('refuses a domain that belongs to another organization, saving nothing', async () => {
    const admin = await newAdmin()
    const taken = uniqueDomain()
    await insertOrganization({ domains: [taken] })
    const result = await expectNothingWritten(() =>
      createOrganization(admin, { name: unique('Initech'), domains: [uniqueDomain(), taken] }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'domain_taken',
      message: MESSAGES.domainTaken(taken),
      field: 'domains',
    })
    expect(MESSAGES.domainTaken(taken)).toBe(
      `The domain ${taken} already belongs to another organization.`,
    )
  })

  it('is only for admins', async () => {
    for (const role of ['support', 'customer'] as const) {
      const actor = actorOf(await createUser({ role }))
      const expected = { ok: false, reason: 'forbidden', message: MESSAGES.forbidden }
      expect(
        await expectNothingWritten(() =>
          createOrganization(actor, { name: unique('Hooli'), domains: [] }),
        ),
      ).toEqual(expected)
      const organization = await insertOrganization({ domains: [uniqueDomain()] })
      expect(
        await expectNothingWritten(() =>
          setOrganizationDomains(actor, organization.id, [uniqueDomain()]),
        ),
      ).toEqual(expected)
      expect(await listOrganizations(actor)).toEqual(expected)
      expect(await getOrganization(actor, organization.id)).toEqual(expected)
    }
  })

  it('setOrganizationDomains replaces the domains, keeping its own', async () => {
    const admin = await newAdmin()
    const kept = uniqueDomain()
    const dropped = uniqueDomain()
    const added = uniqueDomain()
    const organization = await insertOrganization({ domains: [kept, dropped] })
    expect(await setOrganizationDomains(admin, organization.id, [kept, added])).toEqual({
      ok: true,
      value: undefined,
    })
    const stored = await db
      .select({ domain: organizationDomains.domain })
      .from(organizationDomains)
      .where(eq(organizationDomains.organizationId, organization.id))
    expect(stored.map((d) => d.domain).sort()).toEqual([kept, added].sort())
    expect(await auditActions(organization.id)).toEqual(['organization.domains'])

    expect(await setOrganizationDomains(admin, organization.id, [])).toEqual({
      ok: true,
      value: undefined,
    })
    const detail = await getOrganization(admin, organization.id)
    expect(detail.ok && detail.value.domains).toEqual([])
  })

  it('setOrganizationDomains refuses another organization’s domain and keeps the old list', async () => {
    const admin = await newAdmin()
    const own = uniqueDomain()
    const theirs = uniqueDomain()
    const organization = await insertOrganization({ domains: [own] })
    await insertOrganization({ domains: [theirs] })
    const result = await expectNothingWritten(() =>
      setOrganizationDomains(admin, organization.id, [uniqueDomain(), theirs]),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'domain_taken',
      message: MESSAGES.domainTaken(theirs),
      field: 'domains',
    })
    const stored = await db
      .select({ domain: organizationDomains.domain })
      .from(organizationDomains)
      .where(eq(organizationDomains.organizationId, organization.id))
    expect(stored.map((d) => d.domain)).toEqual([own])
  })

  it('answers not_found for an organization that does not exist', async () => {
    const admin = await newAdmin()
    const expected = { ok: false, reason: 'not_found', message: MESSAGES.organizationNotFound }
    expect(
      await expectNothingWritten(() =>
        setOrganizationDomains(admin, 'nosuchorganizat', [uniqueDomain()]),
      ),
    ).toEqual(expected)
    expect(await getOrganization(admin, 'nosuchorganizat')).toEqual(expected)
  })

  it('two admins creating the same name at once make one organization', async () => {
    const [a, b] = [await newAdmin(), await newAdmin()]
    const name = unique('Umbrella')
    const results = await Promise.all([
      createOrganization(a, { name, domains: [] }),
      createOrganization(b, { name: name.toLowerCase(), domains: [] }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toEqual({
      ok: false,
      reason: 'name_taken',
      message: MESSAGES.organizationNameTaken,
      field: 'name',
    })
    const rows = await db
      .select()
      .from(organizations)
      .where(sql`lower(${organizations.name}) = lower(${name})`)
    expect(rows).toHaveLength(1)
  })
})

// -- invitations ----------------------------------------------------------------------

async function invite(
  admin: ReturnType<typeof actorOf>,
  values: { organizationId?: string; email?: string; role?: Role } = {},
) {
  const organizationId = values.organizationId ?? (await insertOrganization()).id
  const email = values.email ?? uniqueEmail()
  const result = await inviteUser(admin, { organizationId, email, role: values.role ?? 'customer' })
  if (!result.ok) throw new Error(`invite failed: ${result.message}`)
  return { ...result.value, email: email.toLowerCase(), organizationId }
}

describe('invitations', () => {
  it('inviteUser stores the invitation and queues an email with an absolute single-use link', async () => {
    const admin = await newAdmin({ name: 'Grace Hopper' })
    const organization = await insertOrganization({ name: unique('Stark Industries') })
    const email = uniqueEmail()
    const before = await rowCounts()
    const result = await inviteUser(admin, {
      organizationId: organization.id,
      email: email.toUpperCase(),
      role: 'customer',
    })
    expect(result.ok).toBe(true)
    if (!result.ok) return

    const [row] = await db.select().from(invitations).where(eq(invitations.id, result.value.id))
    expect(row).toMatchObject({
      email,
      organizationId: organization.id,
      role: 'customer',
      invitedById: admin.id,
      acceptedAt: null,
      revokedAt: null,
    })
    expect(Math.abs(row!.expiresAt.getTime() - (Date.now() + INVITATION_LIFETIME_MS))).toBeLessThan(
      60_000,
    )
    // Only a hash of the token is kept.
    expect(Buffer.from(row!.tokenHash).toString('utf8')).not.toContain(result.value.token)

    const message = await onlyEmailTo(email)
    expect(message.subject).toBe('Grace Hopper invited you to Switchboard')
    expect(message.text).toContain(
      `Grace Hopper invited you to join ${organization.name} on Switchboard`,
    )
    const token = linkToken(message.text, 'invitations')
    expect(token).toBe(result.value.token)
    expect(message.html).toContain(`href="http://switchboard.test/invitations/${token}"`)
    expect(message.status).toBe('pending')
    expect(kickMailer).toHaveBeenCalled()
    expect(await auditActions(result.value.id)).toEqual(['invitation.create'])

    const after = await rowCounts()
    expect(after).toEqual({
      ...before,
      invitations: before.invitations + 1,
      outbox: before.outbox + 1,
      auditLog: before.auditLog + 1,
      // The address's security-email limit, opened by this first email.
      rateLimits: before.rateLimits + 1,
    })

    expect(await getInvitation(token)).toEqual({
      ok: true,
      value: {
        id: result.value.id,
        email,
        role: 'customer',
        organizationId: organization.id,
        organizationName: organization.name,
      },
    })
  })

  it('refuses support and admin roles in a customer organization', async () => {
    const admin = await newAdmin()
    const customerOrg = await insertOrganization()
    for (const role of ['support', 'admin'] as const) {
      const result = await expectNothingWritten(() =>
        inviteUser(admin, { organizationId: customerOrg.id, email: uniqueEmail(), role }),
      )
      expect(result).toEqual({
        ok: false,
        reason: 'role_not_allowed',
        message: MESSAGES.staffRoleOutsideVendor,
        field: 'role',
      })
    }
    expect(kickMailer).not.toHaveBeenCalled()
  })

  it('allows staff roles in the vendor organization', async () => {
    const admin = await newAdmin()
    const { token } = await invite(admin, { organizationId: admin.organizationId, role: 'support' })
    expect(await getInvitation(token)).toMatchObject({ ok: true, value: { role: 'support' } })
  })

  it('refuses an email that already has an account, in any case', async () => {
    const admin = await newAdmin()
    const existing = await createUser({ email: uniqueEmail() })
    const result = await expectNothingWritten(() =>
      inviteUser(admin, {
        organizationId: existing.organizationId,
        email: existing.email.toUpperCase(),
        role: 'customer',
      }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'already_member',
      message: MESSAGES.alreadyMember,
      field: 'email',
    })
  })

  it('is only for admins, and needs an existing organization', async () => {
    const organization = await insertOrganization()
    for (const role of ['support', 'customer'] as const) {
      const actor = actorOf(
        await createUser({
          role,
          organizationId: role === 'customer' ? organization.id : undefined,
        }),
      )
      expect(
        await expectNothingWritten(() =>
          inviteUser(actor, {
            organizationId: organization.id,
            email: uniqueEmail(),
            role: 'customer',
          }),
        ),
      ).toEqual({ ok: false, reason: 'forbidden', message: MESSAGES.forbidden })
    }
    const admin = await newAdmin()
    expect(
      await expectNothingWritten(() =>
        inviteUser(admin, {
          organizationId: 'nosuchorganizat',
          email: uniqueEmail(),
          role: 'customer',
        }),
      ),
    ).toEqual({ ok: false, reason: 'not_found', message: MESSAGES.organizationNotFound })
  })

  it('getInvitation refuses malformed and unknown links', async () => {
    const invalid = { ok: false, reason: 'invalid', message: MESSAGES.linkInvalid }
    expect(await getInvitation(undefined)).toEqual(invalid)
    expect(await getInvitation('')).toEqual(invalid)
    expect(await getInvitation('not-a-token')).toEqual(invalid)
    expect(await getInvitation('a'.repeat(33))).toEqual(invalid)
    expect(await getInvitation('a'.repeat(32))).toEqual(invalid)
  })

  it('getInvitation and acceptInvitation refuse an expired invitation', async () => {
    const admin = await newAdmin()
    const { id, token, email } = await invite(admin)
    await db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, id))
    const expired = { ok: false, reason: 'expired', message: MESSAGES.linkExpired }
    expect(await getInvitation(token)).toEqual(expired)
    expect(
      await expectNothingWritten(() =>
        acceptInvitation(token, { name: 'Late', password: NEW_PASSWORD }),
      ),
    ).toEqual(expired)
    expect(await usersWithEmail(email)).toHaveLength(0)
  })

  it('getInvitation and acceptInvitation refuse a revoked invitation', async () => {
    const admin = await newAdmin()
    const { id, token } = await invite(admin)
    expect(await revokeInvitation(actorOf(await createUser({ role: 'support' })), id)).toEqual({
      ok: false,
      reason: 'forbidden',
      message: MESSAGES.forbidden,
    })
    expect(await revokeInvitation(admin, id)).toEqual({ ok: true, value: undefined })
    expect(await revokeInvitation(admin, id)).toEqual({
      ok: false,
      reason: 'not_found',
      message: 'That invitation is not open any more.',
    })
    const revoked = { ok: false, reason: 'revoked', message: MESSAGES.invitationRevoked }
    expect(await getInvitation(token)).toEqual(revoked)
    expect(
      await expectNothingWritten(() =>
        acceptInvitation(token, { name: 'Nope', password: NEW_PASSWORD }),
      ),
    ).toEqual(revoked)
  })

  it('acceptInvitation creates the account with the invited role, signs it in and uses up the link', async () => {
    const admin = await newAdmin()
    const { id, token, email } = await invite(admin, {
      organizationId: admin.organizationId,
      role: 'support',
    })
    const result = await acceptInvitation(
      token,
      { name: 'Sam Support', password: NEW_PASSWORD },
      { userAgent: 'Vitest' },
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return

    const user = await getUser(result.value.userId)
    expect(user).toMatchObject({
      email,
      name: 'Sam Support',
      role: 'support',
      organizationId: admin.organizationId,
      active: true,
    })
    expect(user!.lastSignInAt).toBeInstanceOf(Date)
    expect(await verifyPassword(user!.passwordHash, NEW_PASSWORD)).toBe(true)
    expect((await validateSessionToken(result.value.token))?.user.id).toBe(user!.id)

    const [row] = await db.select().from(invitations).where(eq(invitations.id, id))
    expect(row!.acceptedAt).toBeInstanceOf(Date)
    expect(row!.acceptedUserId).toBe(user!.id)
    expect(await auditActions(id)).toEqual(['invitation.create', 'invitation.accept'])

    // Second use of the same link.
    const again = await expectNothingWritten(() =>
      acceptInvitation(token, { name: 'Someone Else', password: 'another long password' }),
    )
    expect(again).toEqual({ ok: false, reason: 'used', message: MESSAGES.linkUsed })
    expect(await getInvitation(token)).toEqual(again)
    expect(await usersWithEmail(email)).toHaveLength(1)
  })

  it('acceptInvitation refuses a weak or common password and writes nothing', async () => {
    const admin = await newAdmin()
    const { token, email } = await invite(admin)
    expect(
      await expectNothingWritten(() =>
        acceptInvitation(token, { name: 'Weak', password: COMMON_PASSWORD }),
      ),
    ).toEqual({
      ok: false,
      reason: 'weak_password',
      message: expect.stringMatching(/^This password is too easy to guess\. /),
      field: 'password',
    })
    expect(
      await expectNothingWritten(() =>
        acceptInvitation(token, { name: 'Weak', password: 'short' }),
      ),
    ).toEqual({
      ok: false,
      reason: 'weak_password',
      message: PASSWORD_PROBLEM_MESSAGES.too_short,
      field: 'password',
    })
    expect(await usersWithEmail(email)).toHaveLength(0)
    // The link still works.
    expect((await getInvitation(token)).ok).toBe(true)
    expect((await acceptInvitation(token, { name: 'Strong', password: NEW_PASSWORD })).ok).toBe(
      true,
    )
  })

  it('acceptInvitation refuses when the email got an account meanwhile', async () => {
    const admin = await newAdmin()
    const { token, email } = await invite(admin)
    await createUser({ email })
    expect(
      await expectNothingWritten(() =>
        acceptInvitation(token, { name: 'Twin', password: NEW_PASSWORD }),
      ),
    ).toEqual({
      ok: false,
      reason: 'email_taken',
      message: MESSAGES.emailTaken,
    })
  })

  it('the same link used twice at once creates one account', async () => {
    const admin = await newAdmin()
    const { token, email } = await invite(admin)
    const results = await Promise.all([
      acceptInvitation(token, { name: 'First', password: NEW_PASSWORD }),
      acceptInvitation(token, { name: 'Second', password: NEW_PASSWORD }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    const refused = results.find((r) => !r.ok)
    expect([MESSAGES.linkUsed, MESSAGES.emailTaken]).toContain(
      refused && !refused.ok && refused.message,
    )
    expect(await usersWithEmail(email)).toHaveLength(1)
  })

  it('re-inviting an email withdraws the earlier invitation', async () => {
    const admin = await newAdmin()
    const email = uniqueEmail()
    const first = await invite(admin, { email })
    const second = await invite(admin, { email, organizationId: first.organizationId })
    expect(second.token).not.toBe(first.token)
    expect(await getInvitation(first.token)).toEqual({
      ok: false,
      reason: 'revoked',
      message: MESSAGES.invitationRevoked,
    })
    const [firstRow] = await db.select().from(invitations).where(eq(invitations.id, first.id))
    expect(firstRow!.revokedAt).toBeInstanceOf(Date)
    expect((await emailsTo(email)).map((m) => linkToken(m.text, 'invitations'))).toEqual([
      first.token,
      second.token,
    ])
    expect(
      (await acceptInvitation(second.token, { name: 'Newest', password: NEW_PASSWORD })).ok,
    ).toBe(true)
  })

  it('getOrganization lists members and open invitations only', async () => {
    const admin = await newAdmin()
    const organization = await insertOrganization()
    const member = await createUser({ organizationId: organization.id, name: 'Member One' })
    const open = await invite(admin, { organizationId: organization.id })
    const revoked = await invite(admin, { organizationId: organization.id })
    await revokeInvitation(admin, revoked.id)
    const detail = await getOrganization(admin, organization.id)
    expect(detail.ok).toBe(true)
    if (!detail.ok) return
    expect(detail.value.members.map((m) => m.id)).toEqual([member.id])
    expect(detail.value.invitations.map((i) => i.id)).toEqual([open.id])
  })
})

// -- sign-up by allowed domain ------------------------------------------------------------

async function signUpOrganization() {
  const domain = uniqueDomain()
  const organization = await insertOrganization({
    name: unique('Wayne Enterprises'),
    domains: [domain],
  })
  return { domain, organization }
}

async function requestSignUpToken(email: string) {
  const result = await requestSignUp(email)
  if (!result.ok) throw new Error(result.message)
  return linkToken((await onlyEmailTo(email.toLowerCase())).text, 'signup')
}

describe('sign-up by allowed domain', () => {
  it('refuses an email whose domain no organization allows, writing nothing', async () => {
    await signUpOrganization()
    const email = uniqueEmail('not-allowed.example')
    const result = await expectNothingWritten(() => requestSignUp(email))
    expect(result).toEqual({
      ok: false,
      reason: 'domain_not_allowed',
      message: MESSAGES.domainNotAllowed,
      field: 'email',
    })
    expect(kickMailer).not.toHaveBeenCalled()
  })

  it('does not treat a subdomain as the allowed domain', async () => {
    const { domain } = await signUpOrganization()
    expect(
      await expectNothingWritten(() => requestSignUp(uniqueEmail(`mail.${domain}`))),
    ).toMatchObject({
      reason: 'domain_not_allowed',
    })
  })

  it('queues a confirmation link for an allowed domain', async () => {
    const { domain, organization } = await signUpOrganization()
    const email = uniqueEmail(domain)
    const before = await rowCounts()
    expect(await requestSignUp(email.toUpperCase())).toEqual({ ok: true, value: undefined })
    expect(kickMailer).toHaveBeenCalled()
    const message = await onlyEmailTo(email)
    expect(message.subject).toBe('Confirm your email to join Switchboard')
    expect(message.text).toContain(`You asked to join ${organization.name} on Switchboard.`)
    const token = linkToken(message.text, 'signup')

    const [row] = await db.select().from(emailTokens).where(eq(emailTokens.email, email))
    expect(row).toMatchObject({
      purpose: 'sign_up',
      organizationId: organization.id,
      userId: null,
      usedAt: null,
    })
    expect(Math.abs(row!.expiresAt.getTime() - (Date.now() + SIGN_UP_LIFETIME_MS))).toBeLessThan(
      60_000,
    )
    expect(await rowCounts()).toEqual({
      ...before,
      emailTokens: before.emailTokens + 1,
      outbox: before.outbox + 1,
      rateLimits: before.rateLimits + 1,
    })
    expect(await getSignUp(token)).toEqual({
      ok: true,
      value: { email, organizationName: organization.name },
    })
  })

  it('tells an existing account holder instead, without a link', async () => {
    const { domain, organization } = await signUpOrganization()
    const existing = await createUser({
      email: uniqueEmail(domain),
      organizationId: organization.id,
      name: 'Bruce',
    })
    const result = await expectNothingWrittenBut(['outbox', 'rateLimits'], () => requestSignUp(existing.email))
    // The same answer as for a new address.
    expect(result).toEqual({ ok: true, value: undefined })
    const message = await onlyEmailTo(existing.email)
    expect(message.subject).toBe('You already have a Switchboard account')
    expect(message.text).toContain('Hello Bruce,')
    expect(message.text).toContain('http://switchboard.test/login')
    expect(message.text).not.toMatch(/\/signup\//)
    expect(
      await db.select().from(emailTokens).where(eq(emailTokens.email, existing.email)),
    ).toHaveLength(0)
  })

  it('completeSignUp creates a customer in the domain’s organization and signs them in', async () => {
    const { domain, organization } = await signUpOrganization()
    const email = uniqueEmail(domain)
    const token = await requestSignUpToken(email)
    const result = await completeSignUp(
      token,
      { name: 'Dana Domain', password: NEW_PASSWORD },
      { ipAddress: '203.0.113.9' },
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(await getUser(result.value.userId)).toMatchObject({
      email,
      name: 'Dana Domain',
      role: 'customer',
      organizationId: organization.id,
      active: true,
    })
    expect((await validateSessionToken(result.value.token))?.user.email).toBe(email)
    const [row] = await db.select().from(emailTokens).where(eq(emailTokens.email, email))
    expect(row!.usedAt).toBeInstanceOf(Date)
    expect(await auditActions(result.value.userId)).toEqual(['user.sign_up'])

    const again = await expectNothingWritten(() =>
      completeSignUp(token, { name: 'Again', password: NEW_PASSWORD }),
    )
    expect(again).toEqual({ ok: false, reason: 'used', message: MESSAGES.linkUsed })
    expect(await usersWithEmail(email)).toHaveLength(1)
  })

  it('refuses an expired confirmation link', async () => {
    const { domain } = await signUpOrganization()
    const email = uniqueEmail(domain)
    const token = await requestSignUpToken(email)
    await db
      .update(emailTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(emailTokens.email, email))
    const expired = { ok: false, reason: 'expired', message: MESSAGES.linkExpired }
    expect(await getSignUp(token)).toEqual(expired)
    expect(
      await expectNothingWritten(() =>
        completeSignUp(token, { name: 'Late', password: NEW_PASSWORD }),
      ),
    ).toEqual(expired)
  })

  it('refuses malformed and unknown links, and links of another purpose', async () => {
    const invalid = { ok: false, reason: 'invalid', message: MESSAGES.linkInvalid }
    expect(await getSignUp(undefined)).toEqual(invalid)
    expect(await completeSignUp('b'.repeat(32), { name: 'X', password: NEW_PASSWORD })).toEqual(
      invalid,
    )
    const user = await createUser({ email: uniqueEmail() })
    await requestPasswordReset(user.email)
    const resetToken = linkToken((await onlyEmailTo(user.email)).text, 'reset-password')
    expect(
      await expectNothingWritten(() =>
        completeSignUp(resetToken, { name: 'X', password: NEW_PASSWORD }),
      ),
    ).toEqual(invalid)
  })

  it('refuses a weak password and keeps the link usable', async () => {
    const { domain } = await signUpOrganization()
    const email = uniqueEmail(domain)
    const token = await requestSignUpToken(email)
    expect(
      await expectNothingWritten(() =>
        completeSignUp(token, { name: 'Weak', password: COMMON_PASSWORD }),
      ),
    ).toEqual({
      ok: false,
      reason: 'weak_password',
      message: expect.stringMatching(/^This password is too easy to guess\. /),
      field: 'password',
    })
    expect((await getSignUp(token)).ok).toBe(true)
  })

  it('refuses when the email got an account meanwhile, and keeps the link unused', async () => {
    const { domain } = await signUpOrganization()
    const email = uniqueEmail(domain)
    const token = await requestSignUpToken(email)
    await createUser({ email })
    expect(
      await expectNothingWritten(() =>
        completeSignUp(token, { name: 'Twin', password: NEW_PASSWORD }),
      ),
    ).toEqual({
      ok: false,
      reason: 'email_taken',
      message: MESSAGES.emailTaken,
    })
  })
})

// -- forgotten password ---------------------------------------------------------------------

async function resetTokenFor(email: string) {
  await requestPasswordReset(email)
  const messages = await emailsTo(email)
  return linkToken(messages.at(-1)!.text, 'reset-password')
}

describe('forgotten password', () => {
  /** Unknown addresses get a dead token row and an audit entry, the same amount of work as an account. */
  async function expectNoUsableLink(email: string) {
    expect(await emailsTo(email)).toHaveLength(0)
    const tokens = await db.select().from(emailTokens).where(eq(emailTokens.email, email))
    expect(tokens).toHaveLength(1)
    expect(tokens[0]!.usedAt).not.toBeNull()
    expect(tokens[0]!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now())
    const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'password_reset.unknown_email'))
    expect(audit.map((a) => a.details)).toContainEqual({ email })
  }

  it('answers ok for an unknown email, sends nothing and leaves no usable link', async () => {
    const email = uniqueEmail()
    expect(
      await expectNothingWrittenBut(['emailTokens', 'auditLog', 'rateLimits'], () => requestPasswordReset(email)),
    ).toEqual({ ok: true, value: undefined })
    await expectNoUsableLink(email)
  })

  it('answers ok for a deactivated account, sends nothing and leaves no usable link', async () => {
    const user = await createUser({ email: uniqueEmail(), active: false })
    expect(
      await expectNothingWrittenBut(['emailTokens', 'auditLog', 'rateLimits'], () => requestPasswordReset(user.email)),
    ).toEqual({ ok: true, value: undefined })
    await expectNoUsableLink(user.email)
    expect(await db.select().from(emailTokens).where(eq(emailTokens.userId, user.id))).toHaveLength(0)
  })

  it('runs the same statements for an unknown address as for an account (no timing difference to measure)', async () => {
    // Every statement either driver prepares, in order, while each request runs.
    const session = (db as unknown as { session: object }).session
    const proto = Object.getPrototypeOf(session) as { prepareQuery: (query: { sql: string }, ...rest: unknown[]) => unknown }
    const recorded = vi.spyOn(proto, 'prepareQuery')
    const run = async (email: string) => {
      recorded.mockClear()
      await requestPasswordReset(email)
      return recorded.mock.calls.map(([query]) => query.sql)
    }
    try {
      const user = await createUser({ email: uniqueEmail() })
      const known = await run(user.email)
      const unknown = await run(uniqueEmail())
      const verb = (sql: string) => sql.trim().split(/\s+/)[0]!.toLowerCase()
      // Look-up, the address's security-email limit, retiring old links, the token, the last row.
      expect(known.map(verb)).toEqual(['select', 'insert', 'update', 'insert', 'insert'])
      expect(unknown.map(verb)).toEqual(known.map(verb))
      // The same table is read and the same tables written until the last row,
      // which is the email for an account and an audit entry otherwise.
      expect(unknown.slice(0, 4)).toEqual(known.slice(0, 4))
      expect(known[4]).toMatch(/^insert into "outbox"/)
      expect(unknown[4]).toMatch(/^insert into "audit_log"/)
    } finally {
      recorded.mockRestore()
    }
  })

  it('emails a link to reset the password, valid for one hour', async () => {
    const user = await createUser({ email: uniqueEmail(), name: 'Rita' })
    expect(await requestPasswordReset(user.email.toUpperCase())).toEqual({
      ok: true,
      value: undefined,
    })
    expect(kickMailer).toHaveBeenCalled()
    const message = await onlyEmailTo(user.email)
    expect(message.subject).toBe('Reset your Switchboard password')
    expect(message.text).toContain('Hello Rita,')
    const token = linkToken(message.text, 'reset-password')
    const [row] = await db.select().from(emailTokens).where(eq(emailTokens.userId, user.id))
    expect(row).toMatchObject({ purpose: 'password_reset', email: user.email, usedAt: null })
    expect(
      Math.abs(row!.expiresAt.getTime() - (Date.now() + PASSWORD_RESET_LIFETIME_MS)),
    ).toBeLessThan(60_000)
    expect(await getPasswordReset(token)).toEqual({ ok: true, value: { email: user.email } })
  })

  it('refuses an expired link and leaves the password alone', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const token = await resetTokenFor(user.email)
    await db
      .update(emailTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(emailTokens.userId, user.id))
    const expired = { ok: false, reason: 'expired', message: MESSAGES.linkExpired }
    expect(await getPasswordReset(token)).toEqual(expired)
    expect(await expectNothingWritten(() => resetPassword(token, NEW_PASSWORD))).toEqual(expired)
    expect((await getUser(user.id))!.passwordHash).toBe(user.passwordHash)
  })

  it('sets the new password, ends every session and opens a new one; the link works once', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const old = [await createSession(user.id), await createSession(user.id)]
    const token = await resetTokenFor(user.email)
    const result = await resetPassword(token, NEW_PASSWORD, { userAgent: 'Reset browser' })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    for (const session of old) expect(await validateSessionToken(session.token)).toBeNull()
    expect((await validateSessionToken(result.value.token))?.user.id).toBe(user.id)
    expect(await sessionCount(user.id)).toBe(1)
    expect(await auditActions(user.id)).toEqual(['user.password_reset'])

    expect((await signIn({ email: user.email, password: TEST_PASSWORD })).ok).toBe(false)
    expect((await signIn({ email: user.email, password: NEW_PASSWORD })).ok).toBe(true)

    const hash = (await getUser(user.id))!.passwordHash
    const reused = await expectNothingWritten(() =>
      resetPassword(token, 'yet another long password'),
    )
    expect(reused).toEqual({ ok: false, reason: 'used', message: MESSAGES.linkUsed })
    expect((await getUser(user.id))!.passwordHash).toBe(hash)
  })

  it('a new request invalidates the older link', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const older = await resetTokenFor(user.email)
    const newer = await resetTokenFor(user.email)
    expect(older).not.toBe(newer)
    const refused = { ok: false, reason: 'used', message: MESSAGES.linkUsed }
    expect(await getPasswordReset(older)).toEqual(refused)
    expect(await expectNothingWritten(() => resetPassword(older, NEW_PASSWORD))).toEqual(refused)
    expect((await resetPassword(newer, NEW_PASSWORD)).ok).toBe(true)
  })

  it('refuses a common password, keeping the sessions and the link', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const session = await createSession(user.id)
    const token = await resetTokenFor(user.email)
    expect(await expectNothingWritten(() => resetPassword(token, COMMON_PASSWORD))).toEqual({
      ok: false,
      reason: 'weak_password',
      message: expect.stringMatching(/^This password is too easy to guess\. /),
      field: 'password',
    })
    expect(await validateSessionToken(session.token)).not.toBeNull()
    expect((await getPasswordReset(token)).ok).toBe(true)
  })

  it('refuses the link of an account deactivated since it was sent', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const token = await resetTokenFor(user.email)
    await db.update(users).set({ active: false }).where(eq(users.id, user.id))
    expect(await expectNothingWritten(() => resetPassword(token, NEW_PASSWORD))).toEqual({
      ok: false,
      reason: 'invalid',
      message: MESSAGES.linkInvalid,
    })
  })
})

// -- own account ------------------------------------------------------------------------------

describe('changePassword', () => {
  it('refuses a wrong current password and changes nothing', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const session = await createSession(user.id)
    const result = await expectNothingWritten(() =>
      changePassword(actorOf(user), { currentPassword: 'not my password', password: NEW_PASSWORD }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'wrong_password',
      message: MESSAGES.wrongPassword,
      field: 'currentPassword',
    })
    expect((await getUser(user.id))!.passwordHash).toBe(user.passwordHash)
    expect(await validateSessionToken(session.token)).not.toBeNull()
  })

  it('refuses a common new password and changes nothing', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const result = await expectNothingWritten(() =>
      changePassword(actorOf(user), { currentPassword: TEST_PASSWORD, password: COMMON_PASSWORD }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'weak_password',
      message: expect.stringMatching(/^This password is too easy to guess\. /),
      field: 'password',
    })
    expect((await getUser(user.id))!.passwordHash).toBe(user.passwordHash)
  })

  it('changes the password, ends every old session, opens a new one and tells the user', async () => {
    const user = await createUser({ email: uniqueEmail(), name: 'Pat' })
    const old = [await createSession(user.id), await createSession(user.id)]
    const result = await changePassword(actorOf(user), {
      currentPassword: TEST_PASSWORD,
      password: NEW_PASSWORD,
    })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    for (const session of old) expect(await validateSessionToken(session.token)).toBeNull()
    expect((await validateSessionToken(result.value.token))?.user.id).toBe(user.id)
    expect(await sessionCount(user.id)).toBe(1)
    expect(await verifyPassword((await getUser(user.id))!.passwordHash, NEW_PASSWORD)).toBe(true)

    const message = await onlyEmailTo(user.email)
    expect(message.subject).toBe('Your Switchboard password was changed')
    expect(message.text).toContain('Hello Pat,')
    expect(message.text).toContain('http://switchboard.test/forgot-password')
    expect(kickMailer).toHaveBeenCalled()
    expect(await auditActions(user.id)).toEqual(['user.password_change'])
  })
})

describe('email change', () => {
  async function requestToken(user: Awaited<ReturnType<typeof createUser>>, email: string) {
    const result = await requestEmailChange(actorOf(user), {
      email,
      currentPassword: TEST_PASSWORD,
    })
    if (!result.ok) throw new Error(result.message)
    return linkToken((await emailsTo(email.toLowerCase())).at(-1)!.text, 'email-change')
  }

  it('refuses a wrong password', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const result = await expectNothingWritten(() =>
      requestEmailChange(actorOf(user), {
        email: uniqueEmail(),
        currentPassword: 'not my password',
      }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'wrong_password',
      message: MESSAGES.wrongPassword,
      field: 'currentPassword',
    })
  })

  it('refuses the address the account already has, in any case', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const result = await expectNothingWritten(() =>
      requestEmailChange(actorOf(user), {
        email: user.email.toUpperCase(),
        currentPassword: TEST_PASSWORD,
      }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'same_email',
      message: MESSAGES.sameEmail,
      field: 'email',
    })
  })

  it('refuses an address another account uses', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const other = await createUser({ email: uniqueEmail() })
    const result = await expectNothingWritten(() =>
      requestEmailChange(actorOf(user), { email: other.email, currentPassword: TEST_PASSWORD }),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'email_taken',
      message: 'Another account already uses this email address.',
      field: 'email',
    })
  })

  it('changes the address only when the link sent to it is opened, and tells the old address', async () => {
    const user = await createUser({ email: uniqueEmail(), name: 'Eve' })
    const newEmail = uniqueEmail()
    const result = await requestEmailChange(actorOf(user), {
      email: newEmail.toUpperCase(),
      currentPassword: TEST_PASSWORD,
    })
    expect(result).toEqual({ ok: true, value: { email: newEmail } })
    const confirmation = await onlyEmailTo(newEmail)
    expect(confirmation.subject).toBe('Confirm your new email address for Switchboard')
    const token = linkToken(confirmation.text, 'email-change')
    const [row] = await db.select().from(emailTokens).where(eq(emailTokens.userId, user.id))
    expect(row).toMatchObject({ purpose: 'email_change', email: newEmail, usedAt: null })
    expect(
      Math.abs(row!.expiresAt.getTime() - (Date.now() + EMAIL_CHANGE_LIFETIME_MS)),
    ).toBeLessThan(60_000)
    // Nothing changes yet.
    expect((await getUser(user.id))!.email).toBe(user.email)
    expect(await emailsTo(user.email)).toHaveLength(0)

    expect(await confirmEmailChange(token)).toEqual({
      ok: true,
      value: { userId: user.id, email: newEmail },
    })
    expect((await getUser(user.id))!.email).toBe(newEmail)
    const notice = await onlyEmailTo(user.email)
    expect(notice.subject).toBe('Your Switchboard email address was changed')
    expect(notice.text).toContain(`changed from ${user.email} to ${newEmail}`)
    expect(await auditActions(user.id)).toEqual(['user.email_change'])
    expect((await signIn({ email: newEmail, password: TEST_PASSWORD })).ok).toBe(true)

    const reused = await expectNothingWritten(() => confirmEmailChange(token))
    expect(reused).toEqual({ ok: false, reason: 'used', message: MESSAGES.linkUsed })
  })

  it('refuses to confirm when another account took the address meanwhile', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const newEmail = uniqueEmail()
    const token = await requestToken(user, newEmail)
    await createUser({ email: newEmail })
    expect(await expectNothingWritten(() => confirmEmailChange(token))).toEqual({
      ok: false,
      reason: 'email_taken',
      message: 'Another account already uses this email address.',
    })
    expect((await getUser(user.id))!.email).toBe(user.email)
  })

  it('a new request invalidates the older link', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const first = await requestToken(user, uniqueEmail())
    const secondEmail = uniqueEmail()
    const second = await requestToken(user, secondEmail)
    expect(await expectNothingWritten(() => confirmEmailChange(first))).toMatchObject({
      ok: false,
      reason: 'used',
    })
    expect(await confirmEmailChange(second)).toMatchObject({
      ok: true,
      value: { email: secondEmail },
    })
  })

  it('refuses malformed and unknown links', async () => {
    expect(await confirmEmailChange('not a token')).toEqual({
      ok: false,
      reason: 'invalid',
      message: MESSAGES.linkInvalid,
    })
    expect(await confirmEmailChange('c'.repeat(32))).toEqual({
      ok: false,
      reason: 'invalid',
      message: MESSAGES.linkInvalid,
    })
  })
})

describe('updateProfile', () => {
  it('changes only the name, whatever else is passed', async () => {
    const user = await createUser({ email: uniqueEmail(), name: 'Old Name' })
    const otherOrganization = await insertOrganization({ isVendor: true })
    const forged = {
      name: 'New Name',
      role: 'admin',
      organizationId: otherOrganization.id,
      email: 'forged@example.test',
      active: false,
    }
    expect(await updateProfile(actorOf(user), forged as { name: string })).toEqual({
      ok: true,
      value: undefined,
    })
    const after = await getUser(user.id)
    expect(after).toMatchObject({
      name: 'New Name',
      role: 'customer',
      organizationId: user.organizationId,
      email: user.email,
      active: true,
      passwordHash: user.passwordHash,
    })
    expect(await auditActions(user.id)).toEqual(['user.profile'])
    expect(await getOwnProfile(actorOf(user))).toMatchObject({
      id: user.id,
      name: 'New Name',
      role: 'customer',
    })
  })
})

// -- administering people -------------------------------------------------------------------------

describe('deactivateUser and reactivateUser', () => {
  it('deactivation ends every session at once and stops sign-in', async () => {
    const admin = await newAdmin()
    const user = await createUser({ email: uniqueEmail() })
    const sessionsBefore = [await createSession(user.id), await createSession(user.id)]
    expect(await deactivateUser(admin, user.id)).toEqual({ ok: true, value: undefined })
    // The rows are gone (checked first: validating a deactivated user's session deletes it too).
    expect(await sessionCount(user.id)).toBe(0)
    for (const session of sessionsBefore)
      expect(await validateSessionToken(session.token)).toBeNull()
    expect((await getUser(user.id))!.active).toBe(false)
    expect(await signIn({ email: user.email, password: TEST_PASSWORD })).toMatchObject({
      reason: 'deactivated',
    })
    expect(await requestPasswordReset(user.email)).toEqual({ ok: true, value: undefined })
    expect(await emailsTo(user.email)).toHaveLength(0)
    expect(await auditActions(user.id)).toEqual(['user.deactivate'])

    expect(await reactivateUser(admin, user.id)).toEqual({ ok: true, value: undefined })
    expect((await getUser(user.id))!.active).toBe(true)
    expect((await signIn({ email: user.email, password: TEST_PASSWORD })).ok).toBe(true)
    expect(await auditActions(user.id)).toEqual(['user.deactivate', 'user.reactivate'])
  })

  it('an admin cannot deactivate themselves', async () => {
    const admin = await newAdmin()
    const session = await createSession(admin.id)
    expect(await expectNothingWritten(() => deactivateUser(admin, admin.id))).toEqual({
      ok: false,
      reason: 'self',
      message: MESSAGES.selfDeactivation,
    })
    expect(await validateSessionToken(session.token)).not.toBeNull()
  })

  it('another admin can be deactivated while one stays active', async () => {
    const a = await newAdmin()
    const b = await newAdmin()
    await onlyActiveAdmins([a.id, b.id])
    expect(await deactivateUser(a, b.id)).toEqual({ ok: true, value: undefined })
    expect((await getUser(b.id))!.active).toBe(false)
  })

  it('protects the last active administrator', async () => {
    // `stale` was loaded as an admin, then deactivated by someone else mid-request.
    const stale = await newAdmin()
    const last = await newAdmin()
    await onlyActiveAdmins([last.id])
    const session = await createSession(last.id)
    expect(await expectNothingWritten(() => deactivateUser(stale, last.id))).toEqual({
      ok: false,
      reason: 'last_admin',
      message: MESSAGES.lastAdmin,
    })
    expect((await getUser(last.id))!.active).toBe(true)
    expect(await validateSessionToken(session.token)).not.toBeNull()
  })

  it('two admins deactivating each other at once leave one active', async () => {
    const a = await newAdmin()
    const b = await newAdmin()
    await onlyActiveAdmins([a.id, b.id])
    const results = await Promise.all([deactivateUser(a, b.id), deactivateUser(b, a.id)])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toEqual({
      ok: false,
      reason: 'last_admin',
      message: MESSAGES.lastAdmin,
    })
    const active = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.active, true)))
    expect(active).toHaveLength(1)
  })

  it('is only for admins', async () => {
    const user = await createUser({ email: uniqueEmail() })
    const session = await createSession(user.id)
    for (const role of ['support', 'customer'] as const) {
      const actor = actorOf(await createUser({ role }))
      const forbidden = { ok: false, reason: 'forbidden', message: MESSAGES.forbidden }
      expect(await expectNothingWritten(() => deactivateUser(actor, user.id))).toEqual(forbidden)
      expect(await expectNothingWritten(() => reactivateUser(actor, user.id))).toEqual(forbidden)
    }
    expect((await getUser(user.id))!.active).toBe(true)
    expect(await validateSessionToken(session.token)).not.toBeNull()
  })

  it('answers not_found for someone who does not exist', async () => {
    const admin = await newAdmin()
    const notFound = { ok: false, reason: 'not_found', message: MESSAGES.userNotFound }
    expect(await expectNothingWritten(() => deactivateUser(admin, 'nosuchuserhere00'))).toEqual(
      notFound,
    )
    expect(await expectNothingWritten(() => reactivateUser(admin, 'nosuchuserhere00'))).toEqual(
      notFound,
    )
  })
})

// -- first admin ----------------------------------------------------------------------------------

describe('createAdminAccount', () => {
  it('creates the vendor organization when there is none', async () => {
    // The factories make a vendor organization for every staff user; pretend none exists.
    await db.update(organizations).set({ isVendor: false })
    const email = uniqueEmail()
    const result = await createAdminAccount({
      email: email.toUpperCase(),
      name: 'First Admin',
      password: NEW_PASSWORD,
      organizationName: unique('Switchboard Vendor'),
    })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const [vendor] = await db
      .select()
      .from(organizations)
      .where(eq(organizations.id, result.value.organizationId))
    expect(vendor!.isVendor).toBe(true)
    expect(await getUser(result.value.userId)).toMatchObject({
      email,
      name: 'First Admin',
      role: 'admin',
      active: true,
      organizationId: vendor!.id,
    })
    expect(await auditActions(result.value.userId)).toEqual(['user.create_admin'])
    expect((await signIn({ email, password: NEW_PASSWORD })).ok).toBe(true)
  })

  it('joins the existing vendor organization', async () => {
    await db.update(organizations).set({ isVendor: false })
    const vendor = await insertOrganization({ isVendor: true })
    const before = await rowCounts()
    const result = await createAdminAccount({
      email: uniqueEmail(),
      name: 'Second Admin',
      password: NEW_PASSWORD,
    })
    expect(result).toMatchObject({ ok: true, value: { organizationId: vendor.id } })
    expect((await rowCounts()).organizations).toBe(before.organizations)
  })

  it('refuses a weak password and an email that has an account', async () => {
    expect(
      await expectNothingWritten(() =>
        createAdminAccount({ email: uniqueEmail(), name: 'Weak', password: 'short one' }),
      ),
    ).toEqual({
      ok: false,
      reason: 'weak_password',
      message: PASSWORD_PROBLEM_MESSAGES.too_short,
      field: 'password',
    })
    const existing = await createUser({ email: uniqueEmail() })
    expect(
      await expectNothingWritten(() =>
        createAdminAccount({
          email: existing.email.toUpperCase(),
          name: 'Dup',
          password: NEW_PASSWORD,
        }),
      ),
    ).toEqual({ ok: false, reason: 'email_taken', message: MESSAGES.emailTaken, field: 'email' })
  })
})
