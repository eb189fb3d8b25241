/**
 * Bad input through the real route actions: each gets a 4xx with a message
 * a person understands, the form keeps what was typed (never passwords),
 * and the database is unchanged.
 */
import { count, eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, invitations, outbox, sessions, users } from '~/db/schema'
import { inviteUser } from '~/modules/accounts/accounts.server'
import { MESSAGES } from '~/modules/accounts/accounts.server'
import * as invitationRoute from '~/routes/invitations.$token'
import * as loginRoute from '~/routes/login'
import * as profileRoute from '~/routes/settings.profile'
import * as resetRoute from '~/routes/reset-password.$token'
import * as signupRoute from '~/routes/signup._index'
import { actorOf, createOrganization, createUser, TEST_PASSWORD } from '#tests/factories'
import { get, postForm, signedInCookie } from './request'

async function snapshot() {
  const tally = async (table: typeof users | typeof sessions | typeof invitations | typeof outbox | typeof auditLog) =>
    (await db.select({ value: count() }).from(table))[0]!.value
  return {
    users: await tally(users),
    sessions: await tally(sessions),
    invitations: await tally(invitations),
    outbox: await tally(outbox),
    audit: await tally(auditLog),
  }
}

describe('bad input', () => {
  let customer: Awaited<ReturnType<typeof createUser>>
  beforeAll(async () => {
    customer = await createUser({ email: 'dana@acme.test', name: 'Dana Doe' })
  })

  it('sign-in with empty fields names both fields', async () => {
    const before = await snapshot()
    const { status, data } = await postForm(loginRoute.action, '/login', { email: '', password: '' })
    expect(status).toBe(400)
    expect(data.errors).toEqual({ email: ['Enter your email address.'], password: ['Enter your password.'] })
    expect(await snapshot()).toEqual(before)
  })

  it('sign-in with a malformed email keeps it and explains', async () => {
    const { status, data } = await postForm(loginRoute.action, '/login', { email: 'dana(at)acme', password: 'whatever-it-is' })
    expect(status).toBe(400)
    expect(data.errors?.email).toEqual(['Enter an email address like name@example.com.'])
    expect(data.values).toEqual({ email: 'dana(at)acme' })
  })

  it('a huge password is refused before hashing, and is never echoed back', async () => {
    const before = await snapshot()
    const started = Date.now()
    const { status, data } = await postForm(loginRoute.action, '/login', {
      email: 'dana@acme.test',
      password: 'x'.repeat(900_000),
    })
    expect(status).toBe(400)
    expect(data.errors?.password).toEqual(['Passwords are at most 128 characters.'])
    expect(JSON.stringify(data)).not.toContain('xxxx')
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await snapshot()).toEqual(before)
  })

  it('NUL bytes in a name are refused with a message, and nothing changes', async () => {
    const cookie = await signedInCookie(customer.id)
    const before = await snapshot()
    const { status, data } = await postForm(profileRoute.action, '/settings/profile', { name: 'Dana\u0000Doe' }, { cookie })
    expect(status).toBe(400)
    expect(data.errors?.name).toEqual(['Your name contains characters that are not allowed.'])
    expect(data.values).toEqual({ name: 'Dana\u0000Doe' })
    const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, customer.id))
    expect(row!.name).toBe('Dana Doe')
    expect(await snapshot()).toEqual(before)
  })

  it('a forged role or organization in the profile form is ignored', async () => {
    const cookie = await signedInCookie(customer.id)
    const other = await createOrganization()
    const { status, headers } = await postForm(
      profileRoute.action,
      '/settings/profile',
      { name: 'Dana D.', role: 'admin', organizationId: other.id, email: 'evil@example.test' },
      { cookie },
    )
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/settings/profile?notice=profile-saved')
    const [row] = await db.select().from(users).where(eq(users.id, customer.id))
    expect(row).toMatchObject({ name: 'Dana D.', role: 'customer', organizationId: customer.organizationId, email: 'dana@acme.test' })
  })

  it('a wrong password keeps the email but not the password', async () => {
    const { status, data } = await postForm(loginRoute.action, '/login', { email: 'Dana@Acme.test', password: 'not the password' })
    expect(status).toBe(400)
    expect(data.errors).toEqual({ '': [MESSAGES.invalidCredentials] })
    expect(data.values).toEqual({ email: 'dana@acme.test', redirectTo: '' })
  })

  it('a correct sign-in sets an HttpOnly, SameSite=Lax session cookie and redirects', async () => {
    const { status, headers, context } = await postForm(loginRoute.action, '/login', {
      email: 'dana@acme.test',
      password: TEST_PASSWORD,
      redirectTo: '//evil.example/steal',
    })
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/') // an off-site redirectTo is ignored
    expect(context.responseCookies).toHaveLength(1)
    expect(context.responseCookies[0]).toMatch(/^switchboard_session=[a-z2-7]{24}\.[a-z2-7]{24}; HttpOnly; SameSite=Lax; Path=\/; Expires=/)
  })

  it('a redirectTo with an encoded tab (an open redirect in browsers) goes home', async () => {
    const { status, headers } = await postForm(loginRoute.action, '/login', {
      email: 'dana@acme.test',
      password: TEST_PASSWORD,
      redirectTo: '/%09/evil.test',
    })
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/')
  })

  it('a redirectTo with CR LF signs in and goes home instead of failing', async () => {
    const { status, headers } = await postForm(loginRoute.action, '/login', {
      email: 'dana@acme.test',
      password: TEST_PASSWORD,
      redirectTo: '/\r\nSet-Cookie: stolen=1',
    })
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/')
  })

  it('a same-site redirectTo is followed after signing in', async () => {
    const { status, headers } = await postForm(loginRoute.action, '/login', {
      email: 'dana@acme.test',
      password: TEST_PASSWORD,
      redirectTo: '/search?q=sync%20stalls',
    })
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/search?q=sync%20stalls')
  })

  it('sign-up for a domain nobody allowed is refused, keeping the email', async () => {
    const before = await snapshot()
    const { status, data } = await postForm(signupRoute.action, '/signup', { email: 'new@unknown-domain.test' })
    expect(status).toBe(400)
    expect(data.errors?.email).toEqual([MESSAGES.domainNotAllowed])
    expect(data.values).toEqual({ email: 'new@unknown-domain.test' })
    expect(await snapshot()).toEqual(before)
  })

  describe('single-use links', () => {
    it('an invitation link cannot be used twice', async () => {
      const admin = await createUser({ role: 'admin' })
      const org = await createOrganization()
      const invited = await inviteUser(actorOf(admin), { organizationId: org.id, email: 'erin@acme.test', role: 'customer' })
      if (!invited.ok) throw new Error(invited.message)
      const token = invited.value.token
      const fields = { name: 'Erin', password: 'a long and unusual passphrase', confirmPassword: 'a long and unusual passphrase' }

      const first = await postForm(invitationRoute.action, `/invitations/${token}`, fields, { params: { token } })
      expect(first.status).toBe(302)
      const before = await snapshot()
      const second = await postForm(invitationRoute.action, `/invitations/${token}`, { ...fields, name: 'Erin Again' }, { params: { token } })
      expect(second.status).toBe(409)
      expect(second.data.errors).toEqual({ '': [MESSAGES.linkUsed] })
      expect(second.data.values).toEqual({ name: 'Erin Again' })
      expect(await snapshot()).toEqual(before)

      const page = await get(invitationRoute.loader, `/invitations/${token}`, { params: { token } })
      expect(page.status).toBe(410)
      expect(page.data.problem).toBe(MESSAGES.linkUsed)
    })

    it('an expired invitation is refused and creates nobody', async () => {
      const admin = await createUser({ role: 'admin' })
      const org = await createOrganization()
      const invited = await inviteUser(actorOf(admin), { organizationId: org.id, email: 'frank@acme.test', role: 'customer' })
      if (!invited.ok) throw new Error(invited.message)
      await db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, invited.value.id))
      const before = await snapshot()
      const token = invited.value.token
      const result = await postForm(
        invitationRoute.action,
        `/invitations/${token}`,
        { name: 'Frank', password: 'another unusual passphrase', confirmPassword: 'another unusual passphrase' },
        { params: { token } },
      )
      expect(result.status).toBe(409)
      expect(result.data.errors).toEqual({ '': [MESSAGES.linkExpired] })
      expect(await snapshot()).toEqual(before)
    })

    it('a made-up reset link is a 404 with an explanation', async () => {
      const token = 'a'.repeat(32)
      const page = await get(resetRoute.loader, `/reset-password/${token}`, { params: { token } })
      expect(page.status).toBe(404)
      expect(page.data.problem).toBe(MESSAGES.linkInvalid)
    })
  })
})
