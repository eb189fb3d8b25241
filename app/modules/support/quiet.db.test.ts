/**
 * Quiet detection and check-ins, on fixed clocks: every test places its
 * activity days before NOW (far ahead of the real clock, so every row the
 * other tests of this file make in the real present is long past) and looks
 * only at its own organizations.
 */
import { eq, inArray } from 'drizzle-orm'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, checkInRecipients, checkIns, notifications, organizations, outbox, users } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import { setPreferences } from '~/modules/notifications/notifications.server'
import * as checkInRoute from '~/routes/support.quiet_.$organizationId'
import * as quietRoute from '~/routes/support.quiet'
import * as messageRoute from '~/routes/check-ins.$id'
import { actorOf, createOrganization, createPost, createProduct, createReply, createUser } from '#tests/factories'
import { countRows } from '#tests/row-counts'
import { get, postForm, signedInCookie } from '#tests/routes/request'
import {
  checkIn,
  checkInDraft,
  getCheckIn,
  listCheckIns,
  QUIET_MESSAGES,
  quietOrganizations,
  type QuietOrganization,
} from './quiet.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

beforeEach(() => {
  vi.mocked(kickMailer).mockClear()
})

const DAY = 24 * 60 * 60 * 1000
const NOW = new Date('2031-06-02T12:00:00Z')
const ago = (days: number, from = NOW) => new Date(from.getTime() - days * DAY)
const later = (days: number, from = NOW) => new Date(from.getTime() + days * DAY)

type Person = Awaited<ReturnType<typeof createUser>>
let support: Person
let productId: string
let serial = 0
const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}${++serial}`

beforeAll(async () => {
  support = await createUser({ role: 'support', name: 'Sam Support' })
  await db.update(organizations).set({ name: unique('Northwind Relay') }).where(eq(organizations.id, support.organizationId))
  productId = (await createProduct({ name: 'Quiet product', slug: 'quiet-product', versions: ['1.0'] })).id
})

/** A customer organization with people (all active unless said), who never did anything. */
async function organizationWith(names: (string | { name: string; active: boolean })[], label = 'Customer') {
  const organization = await createOrganization({ name: unique(label) })
  const people: Person[] = []
  for (const entry of names) {
    const { name, active } = typeof entry === 'string' ? { name: entry, active: true } : entry
    people.push(await createUser({ name, organizationId: organization.id, active }))
  }
  return { organization, people }
}

async function signedIn(person: Person, at: Date) {
  await db.update(users).set({ lastSignInAt: at }).where(eq(users.id, person.id))
}

async function post(person: Person, at: Date, title = unique('A problem')) {
  return createPost({ authorId: person.id, productId, title, createdAt: at })
}

/** A post by someone of another organization that `person` can reply to. */
async function replyBy(person: Person, at: Date) {
  const elsewhere = await createUser({ name: 'Elsie Elsewhere' })
  const target = await createPost({ authorId: elsewhere.id, productId, title: unique('Someone else’s problem'), createdAt: ago(400) })
  await createReply({ postId: target.id, authorId: person.id, createdAt: at })
  return target
}

async function quiet(options: { now?: Date; days?: number } = {}) {
  const result = await quietOrganizations(actorOf(support), { now: NOW, days: 60, ...options })
  if (!result.ok) throw new Error(result.message)
  return result.value.organizations
}

const find = (list: QuietOrganization[], id: string) => list.find((org) => org.id === id)
const ids = (list: QuietOrganization[], among: string[]) => list.map((org) => org.id).filter((id) => among.includes(id))

const TABLES = { checkIns, checkInRecipients, notifications, outbox, auditLog }

const rowCounts = () => countRows(TABLES)

/** Runs `action` and checks that it wrote nothing anywhere a check-in writes, and sent nothing. */
async function expectNothingWritten<T>(action: () => Promise<T>): Promise<T> {
  const before = await rowCounts()
  const result = await action()
  expect(await rowCounts()).toEqual(before)
  expect(kickMailer).not.toHaveBeenCalled()
  return result
}

const message = (organizationId: string, recipientIds: string[], extra: Record<string, unknown> = {}) => ({
  organizationId,
  recipientIds,
  subject: 'How are things going?',
  body: 'Hello both,\n\nJust checking in.\n\nBest regards,\nSam',
  ...extra,
})

// -- quiet detection --------------------------------------------------------------------------

describe('quietOrganizations', () => {
  it('lists an organization whose last post, reply and sign-in are older than N days, with its people and what they last did', async () => {
    const { organization, people } = await organizationWith(['Owen Price', 'Nadia Haddad', { name: 'Ivo Inactive', active: false }])
    const [owen, nadia, ivo] = people as [Person, Person, Person]
    const owensPost = await post(owen, ago(70), 'Sync stalls after the upgrade')
    await signedIn(nadia, ago(65))
    const replied = await replyBy(nadia, ago(80))
    // A deactivated person's old activity counts, but they are not someone to write to.
    await signedIn(ivo, ago(90))

    const found = find(await quiet(), organization.id)
    expect(found).toMatchObject({
      name: organization.name,
      silentDays: 65,
      silentSince: ago(65),
      lastActivity: { kind: 'sign_in', at: ago(65), by: { id: nadia.id, name: 'Nadia Haddad' } },
      lastCheckIn: null,
    })
    expect(found!.people.map((p) => p.name)).toEqual(['Nadia Haddad', 'Owen Price'])
    const [nadiaRow, owenRow] = found!.people
    expect(nadiaRow).toMatchObject({
      email: nadia.email,
      role: 'customer',
      lastSignInAt: ago(65),
      lastPost: null,
      lastActivity: { kind: 'sign_in', at: ago(65) },
    })
    expect(owenRow).toMatchObject({
      lastSignInAt: null,
      lastPost: { id: owensPost.id, title: 'Sync stalls after the upgrade', kind: 'problem', at: ago(70) },
      lastActivity: { kind: 'post', at: ago(70), post: { id: owensPost.id } },
    })
    // Nadia's reply is older than her sign-in; it is still what she last wrote.
    expect(replied.id).toBeTruthy()
  })

  it('says what was last heard when it was a post or a reply', async () => {
    const posted = await organizationWith(['Paula Poster'])
    const thePost = await post(posted.people[0]!, ago(61), 'Dashboards are empty')
    const replied = await organizationWith(['Ray Replier'])
    const target = await replyBy(replied.people[0]!, ago(62))
    const list = await quiet()
    expect(find(list, posted.organization.id)!.lastActivity).toMatchObject({
      kind: 'post',
      by: { name: 'Paula Poster' },
      post: { id: thePost.id, title: 'Dashboards are empty', linkId: thePost.id },
    })
    expect(find(list, replied.organization.id)!.lastActivity).toMatchObject({
      kind: 'reply',
      by: { name: 'Ray Replier' },
      post: { id: target.id, title: target.title },
    })
  })

  it('leaves out an organization when any member posted, replied or signed in within N days', async () => {
    const control = await organizationWith(['Carl Control'])
    await post(control.people[0]!, ago(100))
    const byPost = await organizationWith(['Old Timer', 'Pia Poster'])
    const byReply = await organizationWith(['Old Timer', 'Rik Replier'])
    const bySignIn = await organizationWith(['Old Timer', 'Sigrid Signer'])
    for (const { people } of [byPost, byReply, bySignIn]) await post(people[0]!, ago(100))
    await post(byPost.people[1]!, ago(59))
    await replyBy(byReply.people[1]!, ago(59))
    await signedIn(bySignIn.people[1]!, ago(59))

    const list = await quiet()
    expect(find(list, control.organization.id)).toBeDefined()
    expect(find(list, byPost.organization.id)).toBeUndefined()
    expect(find(list, byReply.organization.id)).toBeUndefined()
    expect(find(list, bySignIn.organization.id)).toBeUndefined()
    // On the sixty-first day they are quiet again.
    const afterwards = await quiet({ now: later(2) })
    for (const { organization } of [byPost, byReply, bySignIn]) expect(find(afterwards, organization.id)).toBeDefined()
  })

  it('never lists the vendor’s own organization, nor one with nobody active', async () => {
    const vendor = await createOrganization({ name: unique('Vendor'), isVendor: true })
    const engineer = await createUser({ role: 'support', organizationId: vendor.id })
    await post(engineer, ago(300))
    const nobody = await organizationWith([{ name: 'Gone Away', active: false }])
    await post(nobody.people[0]!, ago(300))
    const list = await quiet()
    expect(find(list, vendor.id)).toBeUndefined()
    expect(find(list, support.organizationId)).toBeUndefined()
    expect(find(list, nobody.organization.id)).toBeUndefined()
  })

  it('puts the longest silence first, and counts an organization never heard from as silent since it joined', async () => {
    const seventy = await organizationWith(['Seventy'])
    await post(seventy.people[0]!, ago(70))
    const hundred = await organizationWith(['Hundred'])
    await signedIn(hundred.people[0]!, ago(100))
    const ninety = await organizationWith(['Ninety'])
    await replyBy(ninety.people[0]!, ago(90))
    const never = await organizationWith(['Never Active'])
    await db.update(organizations).set({ createdAt: ago(95) }).where(eq(organizations.id, never.organization.id))
    const newcomer = await organizationWith(['New Comer'])
    await db.update(organizations).set({ createdAt: ago(10) }).where(eq(organizations.id, newcomer.organization.id))

    const list = await quiet()
    const mine = [seventy, hundred, ninety, never, newcomer].map((o) => o.organization.id)
    expect(ids(list, mine)).toEqual([hundred.organization.id, never.organization.id, ninety.organization.id, seventy.organization.id])
    expect(find(list, never.organization.id)).toMatchObject({ lastActivity: null, silentSince: ago(95), silentDays: 95 })
  })

  it('uses the number of days asked for, and ignores activity after `now`', async () => {
    const { organization, people } = await organizationWith(['Forty Days'])
    await post(people[0]!, ago(40))
    expect(find(await quiet({ days: 60 }), organization.id)).toBeUndefined()
    expect(find(await quiet({ days: 30 }), organization.id)).toMatchObject({ silentDays: 40 })
    // Seen from 50 days ago, the post 40 days ago has not happened yet: nothing was heard since it joined.
    const earlier = await quiet({ now: ago(50), days: 7 })
    expect(find(earlier, organization.id)).toMatchObject({ lastActivity: null, silentSince: organization.createdAt })
  })

  it('is for support and admins only', async () => {
    const customer = await createUser()
    expect(await quietOrganizations(actorOf(customer), { now: NOW })).toEqual({
      ok: false,
      reason: 'forbidden',
      message: QUIET_MESSAGES.supportOnly,
    })
    const admin = await createUser({ role: 'admin' })
    expect((await quietOrganizations(actorOf(admin), { now: NOW })).ok).toBe(true)
  })
})

// -- check-ins ---------------------------------------------------------------------------------

describe('checkInDraft', () => {
  it('starts a friendly message naming the organization and its people, in the sender’s voice, with the way to support', async () => {
    const { organization, people } = await organizationWith(['Owen Price', 'Nadia Haddad', { name: 'Ivo Inactive', active: false }])
    const result = await checkInDraft(actorOf(support), organization.id)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const draft = result.value
    expect(draft.organization).toEqual({ id: organization.id, name: organization.name })
    expect(draft.people.map((p) => p.id)).toEqual([people[1]!.id, people[0]!.id])
    expect(draft.subject).toContain(organization.name)
    expect(draft.body.startsWith('Hello Nadia and Owen,')).toBe(true)
    expect(draft.body).toContain(organization.name)
    expect(draft.body).toContain('http://switchboard.test/problems/new')
    expect(draft.body).toContain('Sam Support')
    expect(draft.body).not.toContain('Ivo')
  })

  it('refuses customers, unknown organizations, the vendor and an organization with nobody active', async () => {
    const customer = await createUser()
    const { organization } = await organizationWith(['Someone'])
    const empty = await organizationWith([{ name: 'Gone', active: false }])
    expect(await checkInDraft(actorOf(customer), organization.id)).toMatchObject({ ok: false, reason: 'forbidden' })
    expect(await checkInDraft(actorOf(support), 'no-such-organization')).toMatchObject({ ok: false, reason: 'not_found' })
    expect(await checkInDraft(actorOf(support), support.organizationId)).toMatchObject({
      ok: false,
      reason: 'not_customer',
      message: QUIET_MESSAGES.vendor,
    })
    expect(await checkInDraft(actorOf(support), empty.organization.id)).toMatchObject({ ok: false, reason: 'nobody' })
  })
})

describe('checkIn', () => {
  it('takes the organization off the list until it has been quiet for N more days', async () => {
    const { organization, people } = await organizationWith(['Quinn Quiet'])
    await post(people[0]!, ago(75))
    expect(find(await quiet(), organization.id)).toBeDefined()

    const result = await checkIn(actorOf(support), message(organization.id, [people[0]!.id]), { now: NOW })
    expect(result).toMatchObject({ ok: true, value: { organizationId: organization.id, organizationName: organization.name, created: true } })

    expect(find(await quiet(), organization.id)).toBeUndefined()
    expect(find(await quiet({ now: later(59) }), organization.id)).toBeUndefined()
    const back = find(await quiet({ now: later(61) }), organization.id)
    expect(back).toMatchObject({
      silentDays: 75 + 61,
      lastCheckIn: { at: NOW, subject: 'How are things going?', by: 'Sam Support' },
    })
    // A shorter threshold brings it back sooner.
    expect(find(await quiet({ now: later(8), days: 7 }), organization.id)).toBeDefined()
  })

  it('records the message, notifies and emails each chosen person at once, and audits it', async () => {
    const { organization, people } = await organizationWith(['Owen Price', 'Nadia Haddad', 'Not Chosen'])
    const [owen, nadia, notChosen] = people as [Person, Person, Person]
    // Notification settings do not hold back a message written to the person.
    await setPreferences(owen, { check_in: 'off', reply: 'off' })

    const result = await checkIn(
      actorOf(support),
      message(organization.id, [owen.id, nadia.id], {
        subject: 'Checking in from Northwind',
        body: 'Hello Owen and Nadia,\n\nHow is the <b>rollout</b> going?\n\nBest regards,\nSam',
      }),
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const id = result.value.id
    expect(kickMailer).toHaveBeenCalledTimes(1)

    const [row] = await db.select().from(checkIns).where(eq(checkIns.id, id))
    expect(row).toMatchObject({ organizationId: organization.id, authorId: support.id, subject: 'Checking in from Northwind' })
    const recipients = await db.select({ userId: checkInRecipients.userId }).from(checkInRecipients).where(eq(checkInRecipients.checkInId, id))
    expect(recipients.map((r) => r.userId).sort()).toEqual([owen.id, nadia.id].sort())

    const notes = await db.select().from(notifications).where(inArray(notifications.userId, [owen.id, nadia.id, notChosen.id]))
    expect(notes.map((n) => n.userId).sort()).toEqual([owen.id, nadia.id].sort())
    for (const note of notes) {
      expect(note).toMatchObject({
        event: 'check_in',
        path: `/check-ins/${id}`,
        // The message itself is the email; the notification does not send a second one.
        delivery: 'off',
        summary: 'Sam Support of the support team wrote to you: “Checking in from Northwind”',
      })
    }

    const emails = await db.select().from(outbox).where(inArray(outbox.toAddress, [owen.email, nadia.email, notChosen.email]))
    expect(emails.map((e) => e.toAddress).sort()).toEqual([owen.email, nadia.email].sort())
    for (const email of emails) {
      expect(email.subject).toBe('Checking in from Northwind')
      expect(email.text).toContain('How is the <b>rollout</b> going?')
      expect(email.text).toContain(`http://switchboard.test/check-ins/${id}`)
      expect(email.html).toContain('How is the &lt;b&gt;rollout&lt;/b&gt; going?')
      expect(email.html).toContain('Best regards,<br>\nSam')
    }

    const audit = await db.select().from(auditLog).where(eq(auditLog.subjectId, organization.id))
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorId: support.id, action: 'organization.check_in', subjectType: 'organization' })
    expect(audit[0]!.details).toMatchObject({ checkInId: id, subject: 'Checking in from Northwind' })

    // The history, and who may read the message.
    const history = await listCheckIns(actorOf(support), organization.id)
    expect(history.ok && history.value.map((c) => [c.id, c.author.name, c.recipients.map((r) => r.name)])).toEqual([
      [id, 'Sam Support', ['Nadia Haddad', 'Owen Price']],
    ])
    expect(await getCheckIn(actorOf(owen), id)).toMatchObject({ ok: true, value: { subject: 'Checking in from Northwind' } })
    expect(await getCheckIn(actorOf(support), id)).toMatchObject({ ok: true })
    expect(await getCheckIn(actorOf(notChosen), id)).toMatchObject({ ok: false, reason: 'not_found' })
    expect(await getCheckIn(actorOf(await createUser()), id)).toMatchObject({ ok: false, reason: 'not_found' })
    expect(await listCheckIns(actorOf(owen), organization.id)).toMatchObject({ ok: false, reason: 'forbidden' })
  })

  it('refuses someone of another organization, or someone deactivated, and writes nothing', async () => {
    const { organization, people } = await organizationWith(['Member One', { name: 'Left Already', active: false }])
    const outsider = (await organizationWith(['Outsider'])).people[0]!
    for (const recipientIds of [[people[0]!.id, outsider.id], [people[1]!.id], [support.id], ['no-such-person']]) {
      const result = await expectNothingWritten(() => checkIn(actorOf(support), message(organization.id, recipientIds)))
      expect(result).toEqual({
        ok: false,
        reason: 'not_member',
        message: QUIET_MESSAGES.notMember(organization.name),
        field: 'recipientIds',
      })
    }
  })

  it('refuses customers, the vendor’s organization and unknown organizations, writing nothing', async () => {
    const { organization, people } = await organizationWith(['Member'])
    const customer = people[0]!
    expect(await expectNothingWritten(() => checkIn(actorOf(customer), message(organization.id, [customer.id])))).toMatchObject({
      ok: false,
      reason: 'forbidden',
    })
    expect(await expectNothingWritten(() => checkIn(actorOf(support), message(support.organizationId, [support.id])))).toMatchObject({
      ok: false,
      reason: 'not_customer',
    })
    expect(await expectNothingWritten(() => checkIn(actorOf(support), message('no-such-organization', [customer.id])))).toMatchObject({
      ok: false,
      reason: 'not_found',
    })
  })

  it('checks the form’s rules: a subject, at most 200 characters, a message of at most 5,000, someone to write to', async () => {
    const { organization, people } = await organizationWith(['Member'])
    const cases: [Record<string, unknown>, string, string][] = [
      [{ subject: '   ' }, 'subject', 'Enter a subject.'],
      [{ subject: 'x'.repeat(201) }, 'subject', 'A subject can be at most 200 characters.'],
      [{ body: ' \n ' }, 'body', 'Write a message.'],
      [{ body: 'x'.repeat(5001) }, 'body', 'Keep it under 5,000 characters (it is longer now).'],
      [{ recipientIds: [] }, 'recipientIds', 'Choose at least one person to write to.'],
    ]
    for (const [change, field, text] of cases) {
      const result = await expectNothingWritten(() => checkIn(actorOf(support), message(organization.id, [people[0]!.id], change)))
      expect(result).toEqual({ ok: false, reason: 'invalid', message: text, field })
    }
    // Exactly at the limits is fine; line breaks as browsers send them (CRLF) count once and are stored as LF.
    const atLimits = await checkIn(
      actorOf(support),
      message(organization.id, [people[0]!.id], { subject: 's'.repeat(200), body: `${'b'.repeat(4997)}\r\n\r\nb` }),
    )
    expect(atLimits.ok).toBe(true)
    const [stored] = await db.select({ body: checkIns.body }).from(checkIns).where(eq(checkIns.id, atLimits.ok ? atLimits.value.id : ''))
    expect(stored!.body).toBe(`${'b'.repeat(4997)}\n\nb`)
  })

  it('makes one check-in of a double submit, one after the other or at the same moment', async () => {
    const { organization, people } = await organizationWith(['Dora Double', 'Dan Double'])
    const recipientIds = people.map((p) => p.id)
    const submissionKey = unique('form').replace(/\s/g, '-')
    const first = await checkIn(actorOf(support), message(organization.id, recipientIds, { submissionKey }))
    const again = await checkIn(actorOf(support), message(organization.id, recipientIds, { submissionKey }))
    expect(first.ok && again.ok && again.value).toEqual(first.ok && { ...first.value, created: false })

    const otherKey = unique('form').replace(/\s/g, '-')
    const both = await Promise.all([
      checkIn(actorOf(support), message(organization.id, recipientIds, { submissionKey: otherKey })),
      checkIn(actorOf(support), message(organization.id, recipientIds, { submissionKey: otherKey })),
    ])
    expect(both.every((r) => r.ok)).toBe(true)
    expect(new Set(both.map((r) => r.ok && r.value.id)).size).toBe(1)

    const rows = await db.select({ id: checkIns.id }).from(checkIns).where(eq(checkIns.organizationId, organization.id))
    expect(rows).toHaveLength(2)
    const emails = await db.select().from(outbox).where(eq(outbox.toAddress, people[0]!.email))
    expect(emails).toHaveLength(2)
  })
})

// -- the pages ---------------------------------------------------------------------------------

describe('/support/quiet and the check-in page', () => {
  it('lists quiet organizations for support, takes a valid ?days=, and explains a bad one', async () => {
    const { organization, people } = await organizationWith(['Page Person'])
    await post(people[0]!, ago(100, new Date()))
    const cookie = await signedInCookie(support.id)

    const page = await get(quietRoute.loader, '/support/quiet', { cookie })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ days: 60, daysError: null })
    expect((page.data.organizations as QuietOrganization[]).some((o) => o.id === organization.id)).toBe(true)

    const tighter = await get(quietRoute.loader, '/support/quiet?days=120', { cookie })
    expect(tighter.data.days).toBe(120)
    expect((tighter.data.organizations as QuietOrganization[]).some((o) => o.id === organization.id)).toBe(false)

    for (const bad of ['abc', '3', '366', '7.5']) {
      const answer = await get(quietRoute.loader, `/support/quiet?days=${bad}`, { cookie })
      expect(answer.status).toBe(200)
      expect(answer.data).toMatchObject({ days: 60, typedDays: bad, daysError: 'Choose a whole number of days from 7 to 365.' })
    }

    const customer = await get(quietRoute.loader, '/support/quiet', { cookie: await signedInCookie(people[0]!.id) })
    expect(customer.status).toBe(403)
  })

  it('keeps what was typed on bad input, then sends and goes back to the list with a notice', async () => {
    const { organization, people } = await organizationWith(['Form Person', 'Second Person'])
    await post(people[0]!, ago(100, new Date()))
    const cookie = await signedInCookie(support.id)
    const path = `/support/quiet/${organization.id}?days=30`
    const params = { organizationId: organization.id }

    const draft = await get(checkInRoute.loader, path, { cookie, params })
    expect(draft.status).toBe(200)
    const submissionKey = draft.data.submissionKey as string

    const bad = new URLSearchParams({ subject: '', body: 'My edited message', submissionKey })
    bad.append('recipientIds', people[1]!.id)
    const refused = await expectNothingWritten(() => postForm(checkInRoute.action, path, bad, { cookie, params }))
    expect(refused.status).toBe(400)
    expect(refused.data.errors).toEqual({ subject: ['Enter a subject.'] })
    expect(refused.data.values).toMatchObject({ body: 'My edited message', recipientIds: people[1]!.id, submissionKey })

    const outsider = (await organizationWith(['Outsider'])).people[0]!
    const foreign = new URLSearchParams({ subject: 'Hello', body: 'My edited message', submissionKey })
    foreign.append('recipientIds', outsider.id)
    const notMember = await expectNothingWritten(() => postForm(checkInRoute.action, path, foreign, { cookie, params }))
    expect(notMember.status).toBe(400)
    expect(notMember.data.errors).toEqual({ recipientIds: [QUIET_MESSAGES.notMember(organization.name)] })

    const good = new URLSearchParams({ subject: 'Hello there', body: 'My edited message', submissionKey })
    for (const person of people) good.append('recipientIds', person.id)
    const sent = await postForm(checkInRoute.action, path, good, { cookie, params })
    expect(sent.status).toBe(302)
    const location = sent.headers.get('Location')!
    const [stored] = await db.select().from(checkIns).where(eq(checkIns.organizationId, organization.id))
    expect(stored).toMatchObject({ subject: 'Hello there', body: 'My edited message', submissionKey })
    expect(location).toBe(`/support/quiet?days=30&checkedIn=${stored!.id}`)

    const list = await get(quietRoute.loader, location, { cookie })
    expect(list.data.notice).toBe(`Checked in on ${organization.name}; it leaves the list until it is quiet again.`)
    expect((list.data.organizations as QuietOrganization[]).some((o) => o.id === organization.id)).toBe(false)

    // The same form sent again (a double click without JavaScript) changes nothing.
    const twice = await postForm(checkInRoute.action, path, good, { cookie, params })
    expect(twice.headers.get('Location')).toBe(location)
    expect(await db.select().from(checkIns).where(eq(checkIns.organizationId, organization.id))).toHaveLength(1)

    // A recipient reads it in the hub; someone else does not find it.
    const read = await get(messageRoute.loader, `/check-ins/${stored!.id}`, { cookie: await signedInCookie(people[0]!.id), params: { id: stored!.id } })
    expect(read.status).toBe(200)
    const outsiderRead = await get(messageRoute.loader, `/check-ins/${stored!.id}`, { cookie: await signedInCookie(outsider.id), params: { id: stored!.id } })
    expect(outsiderRead.status).toBe(404)
  })

  it('answers 404 for an unknown organization and 403 for customers', async () => {
    const cookie = await signedInCookie(support.id)
    const missing = await get(checkInRoute.loader, '/support/quiet/nope', { cookie, params: { organizationId: 'nope' } })
    expect(missing.status).toBe(404)
    const customer = await createUser()
    const { organization } = await organizationWith(['Someone'])
    const refused = await postForm(
      checkInRoute.action,
      `/support/quiet/${organization.id}`,
      { subject: 'x', body: 'y', recipientIds: customer.id },
      { cookie: await signedInCookie(customer.id), params: { organizationId: organization.id } },
    )
    expect(refused.status).toBe(403)
  })
})
