/**
 * Rate limits through the real route actions and the real Remix request
 * handler: past a limit the answer is 429 with Retry-After — on documents and
 * on single-fetch `.data` requests alike — the form keeps what was typed, and
 * nothing is written; security emails to one address are capped silently;
 * limits hold across two database handles (two app processes).
 *
 * Limits reached by many requests use explicit small numbers
 * (`overrideRateLimits`); the email and sign-up caps use the real defaults.
 */
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db, getDatabaseHandle, openDatabase } from '~/db/client.server'
import { introductions as introductionsTable, invitations, outbox, posts, rateLimits, replies } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import * as loginRoute from '~/routes/login'
import * as forgotRoute from '~/routes/forgot-password'
import * as previewRoute from '~/routes/markdown.preview'
import * as postRoute from '~/routes/posts.$id'
import * as problemRoute from '~/routes/problems.new'
import * as similarRoute from '~/routes/search.similar'
import * as suggestRoute from '~/routes/search.suggest'
import * as signupRoute from '~/routes/signup._index'
import * as emailRoute from '~/routes/settings.email'
import * as organizationRoute from '~/routes/admin.organizations.$id'
import * as introductionRoute from '~/routes/introductions.$id'
import * as composeRoute from '~/routes/posts.$id_.introduce'
import * as checkInRoute from '~/routes/support.quiet_.$organizationId'
import * as invitationRoute from '~/routes/invitations.$token'
import { DEFAULT_LIMITS } from '~/utils/rate-limits'
import { consumeLimit, overrideRateLimits, pointsUsed, pruneRateLimits } from '~/utils/rate-limit.server'
import { newId } from '~/utils/result'
import { createOrganization, createPost, createProduct, createUser, TEST_PASSWORD } from '#tests/factories'
import { databaseUrl } from '#tests/setup/urls'
import { getRequest, postRequest, remixHandler } from './remix-handler'
import { postForm, signedInCookie } from './request'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

const HOUR = 3600

const handle = remixHandler({
  login: loginRoute,
  'posts/:id': postRoute,
  'search/suggest': suggestRoute,
  'search/similar': similarRoute,
  'markdown/preview': previewRoute,
})

/** Retry-After as a number of seconds, checked to be a whole number in (0, max]. */
function retryAfterOf(headers: Headers, max: number) {
  const value = headers.get('Retry-After')
  expect(value, 'Retry-After header').toMatch(/^\d+$/)
  const seconds = Number(value)
  expect(seconds).toBeGreaterThan(0)
  expect(seconds).toBeLessThanOrEqual(max)
  return seconds
}

async function tally(table: typeof replies | typeof posts) {
  return (await db.select({ value: count() }).from(table))[0]!.value
}

async function emailsTo(address: string) {
  return (await db.select({ value: count() }).from(outbox).where(eq(outbox.toAddress, address)))[0]!.value
}

beforeAll(() => {
  overrideRateLimits({
    reply: { points: 3, windowSec: HOUR },
    post: { points: 1, windowSec: HOUR },
    suggest: { points: 2, windowSec: 60 },
    similar: { points: 2, windowSec: 60 },
    preview: { points: 2, windowSec: 60 },
    'sign-in-account': { points: 2, windowSec: 900 },
    message: { points: 4, windowSec: 60 },
    introduction: { points: 5, windowSec: HOUR },
  })
})

afterAll(() => overrideRateLimits({}))

describe('replies past the limit', () => {
  it('answer 429 with Retry-After and a message saying when, keep the text, and save nothing', async () => {
    const problem = await createPost()
    const replier = await createUser()
    const cookie = await signedInCookie(replier.id)
    const path = `/posts/${problem.id}`
    for (let i = 0; i < 3; i++) {
      const { status } = await postForm(postRoute.action, path, { intent: 'reply', body: `Reply number ${i}`, submissionKey: newId() }, { cookie, params: { id: problem.id } })
      expect(status).toBe(302)
    }
    const before = await tally(replies)
    const typed = 'This fourth reply is kept in the form.'
    const refused = await postForm(postRoute.action, path, { intent: 'reply', body: typed, submissionKey: newId() }, { cookie, params: { id: problem.id } })
    expect(refused.status).toBe(429)
    const wait = retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toMatchObject({ body: typed })
    expect(refused.data.errors?.['']).toEqual([
      `You have replied a lot in a short time. You can reply again in ${Math.ceil(wait / 60)} minutes; what you wrote is still here.`,
    ])
    expect(await tally(replies)).toBe(before)

    // Without JavaScript: the page comes back with 429, Retry-After and the typed text.
    const page = await handle(postRequest(path, { intent: 'reply', body: typed, submissionKey: newId() }, { cookie }))
    expect(page.status).toBe(429)
    retryAfterOf(page.headers, HOUR)
    const document = (await page.json()) as { document: boolean; actionData: Record<string, { values: { body: string } }> }
    expect(document.document).toBe(true)
    expect(document.actionData['routes/posts/:id']!.values.body).toBe(typed)

    // With JavaScript (a single-fetch `.data` request): the same status and header.
    const fetched = await handle(postRequest(path, { intent: 'reply', body: typed, submissionKey: newId() }, { cookie, data: true }))
    expect(fetched.status).toBe(429)
    retryAfterOf(fetched.headers, HOUR)
    expect(await fetched.text()).toContain(typed)
    expect(await tally(replies)).toBe(before)
  })

  it('count per person: someone else can still reply', async () => {
    const problem = await createPost()
    const busy = await createUser()
    const busyCookie = await signedInCookie(busy.id)
    for (let i = 0; i < 4; i++) {
      await postForm(postRoute.action, `/posts/${problem.id}`, { intent: 'reply', body: `Busy ${i}`, submissionKey: newId() }, { cookie: busyCookie, params: { id: problem.id } })
    }
    const other = await createUser()
    const { status } = await postForm(postRoute.action, `/posts/${problem.id}`, { intent: 'reply', body: 'Someone else', submissionKey: newId() }, { cookie: await signedInCookie(other.id), params: { id: problem.id } })
    expect(status).toBe(302)
  })
})

describe('problems past the limit', () => {
  it('answer 429 and keep every field typed', async () => {
    const author = await createUser()
    const cookie = await signedInCookie(author.id)
    const product = await createProduct({ name: 'Relay Limits', slug: `limits-${newId()}`, versions: ['1.0'] })
    const fields = (title: string) => ({
      title,
      body: 'The gateway drops every session after the upgrade, every time.',
      productId: product.id,
      versionIds: product.versions[0]!.id,
      tags: 'tls',
      submissionKey: newId(),
    })
    expect((await postForm(problemRoute.action, '/problems/new', fields('First problem of the hour'), { cookie })).status).toBe(302)
    const before = await tally(posts)
    const refused = await postForm(problemRoute.action, '/problems/new', fields('Second problem of the hour'), { cookie })
    expect(refused.status).toBe(429)
    retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toMatchObject({ title: 'Second problem of the hour', tags: 'tls', versionIds: product.versions[0]!.id })
    expect(refused.data.errors?.['']?.[0]).toMatch(/^You have posted a lot in a short time\. You can post again in \d+ minutes; what you wrote is still here\.$/)
    expect(await tally(posts)).toBe(before)
  })
})

describe('security emails to one address', () => {
  it(`are capped at ${DEFAULT_LIMITS['security-email'].points} an hour, silently: every answer is the same`, async () => {
    const person = await createUser()
    const answers: unknown[] = []
    for (let i = 0; i < DEFAULT_LIMITS['security-email'].points + 3; i++) {
      const { status, data } = await postForm(forgotRoute.action, '/forgot-password', { email: person.email })
      answers.push({ status, data })
    }
    expect(await emailsTo(person.email)).toBe(DEFAULT_LIMITS['security-email'].points)
    // Past the cap the page says exactly what it said before (no 429: that would tell the address has an account).
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1)
    expect(answers[0]).toEqual({ status: 200, data: { sentTo: person.email } })
  })
})

describe('security emails to one address, where the sender may be told', () => {
  const CAP = DEFAULT_LIMITS['security-email'].points

  it('sign-up confirmations are capped silently too', async () => {
    const domain = `capped-${newId()}.test`
    await createOrganization({ domains: [domain] })
    const address = `someone@${domain}`
    for (let i = 0; i < CAP + 2; i++) {
      // From different networks, so only the address's cap applies.
      const { status, data } = await postForm(signupRoute.action, '/signup', { email: address }, { clientIp: `192.0.2.${i + 1}` })
      expect({ status, data }).toEqual({ status: 200, data: { sentTo: address } })
    }
    expect(await emailsTo(address)).toBe(CAP)
  })

  it('an email change past the cap answers 429 on the email field, keeping the address', async () => {
    const target = `new-home-${newId()}@example.test`
    for (let i = 0; i < CAP; i++) {
      const person = await createUser()
      const { status } = await postForm(emailRoute.action, '/settings/email', { email: target, currentPassword: TEST_PASSWORD }, { cookie: await signedInCookie(person.id) })
      expect(status).toBe(302)
    }
    const person = await createUser()
    const refused = await postForm(emailRoute.action, '/settings/email', { email: target, currentPassword: TEST_PASSWORD }, { cookie: await signedInCookie(person.id) })
    expect(refused.status).toBe(429)
    retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toEqual({ email: target })
    expect(refused.data.errors?.email?.[0]).toMatch(/^We already sent several security emails to this address in the last hour\. You can ask again in \d+ minutes\.$/)
    expect(await emailsTo(target)).toBe(CAP)
  })

  it('an invitation past the cap answers the admin 429, and writes no invitation', async () => {
    const vendor = await createOrganization({ isVendor: true })
    const admin = await createUser({ role: 'admin', organizationId: vendor.id })
    const customer = await createOrganization()
    const cookie = await signedInCookie(admin.id)
    const address = `invitee-${newId()}@example.test`
    const invite = () =>
      postForm(organizationRoute.action, `/admin/organizations/${customer.id}`, { intent: 'invite', email: address, role: 'customer' }, { cookie, params: { id: customer.id } })
    for (let i = 0; i < CAP; i++) expect((await invite()).status).toBe(302)
    const refused = await invite()
    expect(refused.status).toBe(429)
    retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toMatchObject({ intent: 'invite', email: address })
    expect(await emailsTo(address)).toBe(CAP)
    const stored = await db.select({ id: invitations.id }).from(invitations).where(eq(invitations.email, address))
    expect(stored).toHaveLength(CAP)
  })
})

describe('sign-up requests from one IP address', () => {
  it(`are capped at ${DEFAULT_LIMITS['sign-up'].points} an hour with 429, Retry-After and the email kept`, async () => {
    const domain = `limits-${newId()}.test`
    await createOrganization({ domains: [domain] })
    for (let i = 0; i < DEFAULT_LIMITS['sign-up'].points; i++) {
      const { status } = await postForm(signupRoute.action, '/signup', { email: `new-${i}@${domain}` })
      expect(status).toBe(200)
    }
    const refused = await postForm(signupRoute.action, '/signup', { email: `one-too-many@${domain}` })
    expect(refused.status).toBe(429)
    retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toEqual({ email: `one-too-many@${domain}` })
    expect(refused.data.errors?.['']?.[0]).toMatch(/^Too many sign-up requests came from your network\. You can try again in \d+ minutes\.$/)
    expect(await emailsTo(`one-too-many@${domain}`)).toBe(0)
  })
})

describe('introductions, their messages and check-ins past the limit', () => {
  it('answer 429 with Retry-After and keep the notes or the message typed', async () => {
    const support = await createUser({ role: 'support' })
    const cookie = await signedInCookie(support.id)
    const asker = await createUser()
    const solver = await createUser()
    const problem = await createPost({ authorId: asker.id })
    const qualifying = await createPost({ kind: 'workaround', authorId: solver.id })
    const proposal = { solverId: solver.id, qualifyingPostId: qualifying.id, askerNote: 'Someone solved a problem like yours.', solverNote: 'Someone is stuck where you were.' }
    const propose = () => postForm(composeRoute.action, `/posts/${problem.id}/introduce`, proposal, { cookie, params: { id: problem.id } })
    // The limit is 5 in this file: whatever the first five answer, the sixth is refused.
    for (let i = 0; i < 5; i++) expect((await propose()).status).not.toBe(429)
    const refused = await propose()
    expect(refused.status).toBe(429)
    retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toMatchObject({ askerNote: proposal.askerNote, solverNote: proposal.solverNote })
    expect(refused.data.errors?.['']?.[0]).toMatch(/^You have proposed many introductions in a short time\. You can propose another in \d+ minutes\.$/)

    const [introductionId] = (await db.select({ id: introductionsTable.id }).from(introductionsTable).where(eq(introductionsTable.problemId, problem.id))).map((r) => r.id)
    expect(introductionId).toBeDefined()
    const message = (body: string) =>
      postForm(introductionRoute.action, `/introductions/${introductionId}`, { intent: 'message', body, submissionKey: newId() }, { cookie, params: { id: introductionId! } })
    for (let i = 0; i < 4; i++) expect((await message(`Message ${i}`)).status).not.toBe(429)
    const refusedMessage = await message('This message is kept.')
    expect(refusedMessage.status).toBe(429)
    retryAfterOf(refusedMessage.headers, 60)
    expect(refusedMessage.data.values).toMatchObject({ body: 'This message is kept.' })

    // Check-ins count as messages too: this person's are used up.
    const organization = await createOrganization()
    const recipient = await createUser({ organizationId: organization.id })
    const checkIn = await postForm(
      checkInRoute.action,
      `/support/quiet/${organization.id}`,
      { subject: 'How are things?', body: 'We have not heard from you in a while.', recipientIds: recipient.id, submissionKey: newId() },
      { cookie, params: { organizationId: organization.id } },
    )
    expect(checkIn.status).toBe(429)
    retryAfterOf(checkIn.headers, 60)
    expect(checkIn.data.values).toMatchObject({ subject: 'How are things?', recipientIds: recipient.id })
  })
})

describe('signed-out forms from one IP address', () => {
  it(`"Forgot your password?" answers 429 after ${DEFAULT_LIMITS['password-reset'].points} requests an hour`, async () => {
    const ip = '198.51.100.77'
    for (let i = 0; i < DEFAULT_LIMITS['password-reset'].points; i++) {
      expect((await postForm(forgotRoute.action, '/forgot-password', { email: `nobody-${i}@example.test` }, { clientIp: ip })).status).toBe(200)
    }
    const refused = await postForm(forgotRoute.action, '/forgot-password', { email: 'one-more@example.test' }, { clientIp: ip })
    expect(refused.status).toBe(429)
    retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toEqual({ email: 'one-more@example.test' })
  })

  it(`accepting invitations answers 429 after ${DEFAULT_LIMITS.invitation.points} attempts an hour`, async () => {
    const ip = '198.51.100.78'
    const accept = () =>
      postForm(invitationRoute.action, '/invitations/not-a-token', { name: 'Guessing Gus', password: 'a long enough password 1', confirmPassword: 'a long enough password 1' }, { clientIp: ip, params: { token: 'not-a-token' } })
    for (let i = 0; i < DEFAULT_LIMITS.invitation.points; i++) expect((await accept()).status).not.toBe(429)
    const refused = await accept()
    expect(refused.status).toBe(429)
    retryAfterOf(refused.headers, HOUR)
    expect(refused.data.values).toEqual({ name: 'Guessing Gus' })
    expect(JSON.stringify(refused.data)).not.toContain('a long enough password')
  })
})

describe('suggestions, similar problems and previews past the limit', () => {
  it('answer a real 429 with Retry-After, on document and `.data` requests', async () => {
    const person = await createUser()
    const cookie = await signedInCookie(person.id)
    const calls: Array<[string, (data: boolean) => Request]> = [
      ['suggest', (data) => getRequest('/search/suggest?q=gateway', { cookie, data })],
      ['similar', (data) => getRequest('/search/similar?title=gateway&body=drops', { cookie, data })],
      ['preview', (data) => postRequest('/markdown/preview', { body: '**hello**' }, { cookie, data })],
    ]
    for (const [name, request] of calls) {
      // Two allowed (one of each kind of request), then refused on both kinds.
      expect((await handle(request(false))).status, `${name} document`).toBe(200)
      expect((await handle(request(true))).status, `${name} .data`).toBe(200)
      const document = await handle(request(false))
      expect(document.status, `${name} document`).toBe(429)
      retryAfterOf(document.headers, 60)
      const fetched = await handle(request(true))
      expect(fetched.status, `${name} .data`).toBe(429)
      retryAfterOf(fetched.headers, 60)
    }
  })
})

describe('the sign-in throttle', () => {
  it('answers 429 with Retry-After on documents and `.data` requests', async () => {
    const person = await createUser()
    const attempt = (data: boolean) => handle(postRequest('/login', { email: person.email, password: 'a wrong password' }, { data }), '198.51.100.20')
    expect((await attempt(false)).status).toBe(400)
    expect((await attempt(true)).status).toBe(400)
    const document = await attempt(false)
    expect(document.status).toBe(429)
    retryAfterOf(document.headers, 900)
    const fetched = await attempt(true)
    expect(fetched.status).toBe(429)
    retryAfterOf(fetched.headers, 900)
  })
})

describe('the limits table', () => {
  it('refuses exactly past the limit under a parallel burst', async () => {
    const subject = newId()
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => consumeLimit('message', subject)))
    expect(verdicts.filter((v) => v.ok)).toHaveLength(4)
    expect(await pointsUsed('message', subject)).toBe(4)
  })

  it('prunes windows that have ended, and only those', async () => {
    const live = `reply:${newId()}`
    const dead = `reply:${newId()}`
    await db.insert(rateLimits).values([
      { key: live, points: 1, resetAt: new Date(Date.now() + 60_000) },
      { key: dead, points: 1, resetAt: new Date(Date.now() - 60_000) },
    ])
    await pruneRateLimits()
    const keys = (await db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key)
    expect(keys).toContain(live)
    expect(keys).not.toContain(dead)
  })
})

describe.skipIf(process.env.TEST_DB_DRIVER !== 'postgres')('two app processes on one PostgreSQL', () => {
  it('share one limit: two connection pools allow it once between them', async () => {
    const handleA = getDatabaseHandle()
    const [row] = (await handleA.postgres!`select current_database() as name`) as unknown as Array<{ name: string }>
    const other = await openDatabase({ driver: 'postgres', url: databaseUrl(process.env.TEST_DATABASE_URL!, row!.name), poolSize: 2 })
    try {
      const subject = newId()
      const verdicts = await Promise.all(
        Array.from({ length: 12 }, (_, i) => consumeLimit('introduction', subject, i % 2 === 0 ? handleA.db : other.db)),
      )
      expect(verdicts.filter((v) => v.ok)).toHaveLength(5)
      const refused = await consumeLimit('introduction', subject, other.db)
      expect(refused.ok).toBe(false)
      expect(await pointsUsed('introduction', subject, other.db)).toBe(5)
    } finally {
      await other.close()
    }
  })
})
