/**
 * Status updates against a real database (PGlite, and PostgreSQL when
 * TEST_DATABASE_URL is set): who hears about an update (me-too, followers,
 * by preference, never the author of the update, never a customer on a
 * staff-only problem), who may post one, what is refused with nothing
 * written, the double-submit guard and the timeline's order.
 *
 * Delivery after commit (`kickMailer`) is a spy: messages stay in the
 * outbox, where the tests read them.
 */
import { and, eq } from 'drizzle-orm'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, follows, notificationPreferences, notifications, outbox, posts, statusUpdates } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import { NOTIFICATION_EVENTS } from '~/modules/notifications/notifications.server'
import { actorOf, addFollow, addMeToo, createPost, createProduct, createUser } from '#tests/factories'
import { countRows } from '#tests/row-counts'
import { currentStatus, STATUS_UPDATE_MAX } from './status-updates.schema'
import { listStatusUpdates, postStatusUpdate, STATUS_UPDATE_MESSAGES } from './status-updates.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

beforeEach(() => {
  vi.mocked(kickMailer).mockClear()
})

type Person = Awaited<ReturnType<typeof createUser>>
let support: Person
let otherSupport: Person
let author: Person
let productId: string

beforeAll(async () => {
  support = await createUser({ role: 'support', name: 'Sam Support' })
  otherSupport = await createUser({ role: 'admin', name: 'Ada Admin', organizationId: support.organizationId })
  author = await createUser({ name: 'Pia Problem' })
  productId = (await createProduct({ name: 'Relay Sync', slug: 'relay-sync', versions: ['2.8'] })).id
})

let serial = 0
const key = () => `key-${++serial}`

function problem(values: Parameters<typeof createPost>[0] = {}) {
  return createPost({ authorId: author.id, productId, title: `WAL keeps growing ${++serial}`, ...values })
}

/** The person's status update notifications (about `postId`, when given). */
async function notificationsOf(userId: string, postId?: string) {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        eq(notifications.event, 'status_update'),
        postId ? eq(notifications.postId, postId) : undefined,
      ),
    )
    .orderBy(notifications.createdAt)
}

async function emailsTo(address: string) {
  return db.select().from(outbox).where(eq(outbox.toAddress, address)).orderBy(outbox.createdAt)
}

/** Row counts of every table posting an update writes to. */
const rowCounts = () => countRows({ statusUpdates, notifications, outbox, auditLog })

describe('postStatusUpdate', () => {
  it('stores the update and tells everyone who has the problem too or follows it, in the app and by email', async () => {
    const post = await problem()
    const meToo = await createUser({ name: 'Mia MeToo' })
    await addMeToo({ postId: post.id, userId: meToo.id })
    const follower = await createUser({ name: 'Finn Follower' })
    await addFollow({ postId: post.id, userId: follower.id })
    await addFollow({ postId: post.id, userId: support.id })
    const before = await db.select({ lastActivityAt: posts.lastActivityAt }).from(posts).where(eq(posts.id, post.id))

    const result = await postStatusUpdate(actorOf(support), {
      postId: post.id,
      status: 'fix_deployed',
      body: 'Relay Sync 2.8.4 is out with the fix.\n\nPlease upgrade and tell us whether the slot advances now.',
      submissionKey: key(),
    })

    expect(result).toEqual({ ok: true, value: { id: expect.any(String), postId: post.id } })
    if (!result.ok) return
    const updateId = result.value.id
    const [stored] = await db.select().from(statusUpdates).where(eq(statusUpdates.id, updateId))
    expect(stored).toMatchObject({ postId: post.id, authorId: support.id, status: 'fix_deployed' })

    for (const person of [meToo, follower, author]) {
      const [note, ...more] = await notificationsOf(person.id, post.id)
      expect(more).toEqual([])
      expect(note).toMatchObject({
        actorId: support.id,
        postId: post.id,
        summary: `Fix deployed — please test: status update on “${post.title}”`,
        path: `/posts/${post.id}#status-update-${updateId}`,
        delivery: 'immediately',
      })
      const [email, ...moreEmails] = (await emailsTo(person.email)).filter((e) => e.subject.includes(post.title!))
      expect(moreEmails).toEqual([])
      expect(email!.subject).toBe(`Fix deployed — please test: status update on “${post.title}”`)
      expect(email!.text).toContain('Sam Support from the support team wrote:')
      expect(email!.text).toContain('Relay Sync 2.8.4 is out with the fix.\n\nPlease upgrade and tell us whether the slot advances now.')
      expect(email!.text).toContain(`http://switchboard.test/posts/${post.id}#status-update-${updateId}`)
    }
    // Its author is not told about their own update (though following the problem).
    expect(await notificationsOf(support.id, post.id)).toEqual([])

    const audit = await db.select().from(auditLog).where(eq(auditLog.subjectId, post.id))
    expect(audit).toEqual([
      expect.objectContaining({ actorId: support.id, action: 'problem.status_update', details: { statusUpdateId: updateId, status: 'fix_deployed' } }),
    ])
    const [after] = await db.select({ lastActivityAt: posts.lastActivityAt, state: posts.state }).from(posts).where(eq(posts.id, post.id))
    expect(after!.lastActivityAt.getTime()).toBeGreaterThan(before[0]!.lastActivityAt.getTime())
    // The timeline is separate from the problem's state.
    expect(after!.state).toBe('open')
    expect(kickMailer).toHaveBeenCalledTimes(1)
  })

  it('emails only those who chose to hear at once; the others get the notification (digest or in-app only)', async () => {
    const post = await problem()
    const daily = await createUser({ name: 'Dana Daily' })
    const silent = await createUser({ name: 'Otto Off' })
    for (const [person, delivery] of [[daily, 'daily'], [silent, 'off']] as const) {
      await addMeToo({ postId: post.id, userId: person.id })
      await db.insert(notificationPreferences).values({ userId: person.id, event: 'status_update', delivery })
    }
    const result = await postStatusUpdate(actorOf(support), { postId: post.id, status: 'investigating', body: 'We are looking into it.' })
    expect(result.ok).toBe(true)
    expect((await notificationsOf(daily.id)).map((n) => n.delivery)).toEqual(['daily'])
    expect((await notificationsOf(silent.id)).map((n) => n.delivery)).toEqual(['off'])
    expect(await emailsTo(daily.email)).toEqual([])
    expect(await emailsTo(silent.email)).toEqual([])
  })

  it('reaches someone who pressed “me too” and later unfollowed, once for someone who did both, and no inactive person', async () => {
    const post = await problem()
    const unfollowed = await createUser()
    await addMeToo({ postId: post.id, userId: unfollowed.id })
    await db.delete(follows).where(and(eq(follows.postId, post.id), eq(follows.userId, unfollowed.id)))
    const both = await createUser()
    await addMeToo({ postId: post.id, userId: both.id })
    await addFollow({ postId: post.id, userId: both.id })
    const gone = await createUser({ active: false })
    await addMeToo({ postId: post.id, userId: gone.id })

    await postStatusUpdate(actorOf(support), { postId: post.id, status: 'identified', body: 'We found the cause.' })
    expect(await notificationsOf(unfollowed.id)).toHaveLength(1)
    expect(await notificationsOf(both.id)).toHaveLength(1)
    expect(await emailsTo(both.email)).toHaveLength(1)
    expect(await notificationsOf(gone.id)).toEqual([])
  })

  it('on a staff-only problem reaches staff only, never a customer who follows it', async () => {
    const post = await problem({ visibility: 'staff' })
    const customer = await createUser()
    await addFollow({ postId: post.id, userId: customer.id })
    await addFollow({ postId: post.id, userId: otherSupport.id })

    const result = await postStatusUpdate(actorOf(support), { postId: post.id, status: 'investigating', body: 'Internal: looking at the logs.' })
    expect(result.ok).toBe(true)
    expect(await notificationsOf(customer.id)).toEqual([])
    expect(await emailsTo(customer.email)).toEqual([])
    // Its customer author keeps reading their own staff-only post, so is told too.
    expect(await notificationsOf(author.id, post.id)).toHaveLength(1)
    expect(await notificationsOf(otherSupport.id, post.id)).toHaveLength(1)
  })

  it('refuses customers with a named outcome and writes nothing', async () => {
    const post = await problem()
    const customer = await createUser()
    await addMeToo({ postId: post.id, userId: customer.id })
    const before = await rowCounts()
    for (const actor of [customer, author]) {
      expect(await postStatusUpdate(actorOf(actor), { postId: post.id, status: 'resolved', body: 'Fixed, trust me.', submissionKey: key() })).toEqual({
        ok: false,
        reason: 'forbidden',
        message: STATUS_UPDATE_MESSAGES.supportOnly,
      })
    }
    expect(await rowCounts()).toEqual(before)
    expect(kickMailer).not.toHaveBeenCalled()
  })

  it.each([
    ['an unknown status', { status: 'fixed', body: 'Done.' }, 'status', 'Choose a status from the list.'],
    ['an empty text', { status: 'update', body: '  \n ' }, 'body', 'Write what changed, for everyone who has this problem.'],
    ['a text over the limit', { status: 'update', body: 'x'.repeat(STATUS_UPDATE_MAX + 1) }, 'body', `Keep it under ${STATUS_UPDATE_MAX.toLocaleString('en')} characters (it is longer now).`],
  ])('refuses %s and writes nothing', async (_, input, field, message) => {
    const post = await problem()
    await addMeToo({ postId: post.id })
    const before = await rowCounts()
    const result = await postStatusUpdate(actorOf(support), { postId: post.id, ...(input as { status: 'update'; body: string }) })
    expect(result).toEqual({ ok: false, reason: 'invalid', message, field })
    expect(await rowCounts()).toEqual(before)
  })

  it('refuses workarounds, stories and migrations, hidden problems and unknown posts, and writes nothing', async () => {
    const post = await problem()
    const workaround = await createPost({ kind: 'workaround', problemId: post.id })
    const story = await createPost({ kind: 'story', productId })
    const migration = await createPost({ kind: 'migration', productId: (await createProduct({ name: 'Two', slug: `two-${++serial}`, versions: ['1', '2'] })).id })
    const hidden = await problem({ hiddenById: support.id, hiddenReason: 'Duplicate' })
    const before = await rowCounts()
    const input = { status: 'investigating' as const, body: 'Looking.' }
    for (const other of [workaround, story, migration]) {
      expect(await postStatusUpdate(actorOf(support), { postId: other.id, ...input })).toEqual({
        ok: false,
        reason: 'not_problem',
        message: STATUS_UPDATE_MESSAGES.notProblem,
      })
    }
    expect(await postStatusUpdate(actorOf(support), { postId: hidden.id, ...input })).toEqual({
      ok: false,
      reason: 'hidden',
      message: STATUS_UPDATE_MESSAGES.hidden,
    })
    for (const missing of ['no-such-post', 'x'.repeat(65)]) {
      expect(await postStatusUpdate(actorOf(support), { postId: missing, ...input })).toEqual({
        ok: false,
        reason: 'not_found',
        message: STATUS_UPDATE_MESSAGES.notFound,
      })
    }
    expect(await rowCounts()).toEqual(before)
  })

  it('creates one update for a double submit with the same key, also when both arrive at once', async () => {
    const post = await problem()
    const meToo = await createUser()
    await addMeToo({ postId: post.id, userId: meToo.id })
    const submissionKey = key()
    const input = { postId: post.id, status: 'fix_in_progress' as const, body: 'A fix is being tested.', submissionKey }
    const first = await postStatusUpdate(actorOf(support), input)
    const again = await postStatusUpdate(actorOf(support), input)
    expect(again).toEqual(first)

    const racingKey = key()
    const racing = await Promise.all([
      postStatusUpdate(actorOf(support), { ...input, submissionKey: racingKey }),
      postStatusUpdate(actorOf(support), { ...input, submissionKey: racingKey }),
    ])
    expect(racing[0]).toEqual(racing[1])
    expect(racing[0]!.ok).toBe(true)

    expect(await db.select().from(statusUpdates).where(eq(statusUpdates.postId, post.id))).toHaveLength(2)
    expect(await notificationsOf(meToo.id)).toHaveLength(2)
    expect(await emailsTo(meToo.email)).toHaveLength(2)
  })
})

describe('listStatusUpdates', () => {
  it('lists the timeline oldest first, with labels, authors and safe HTML, for whoever may see the problem', async () => {
    const post = await problem()
    const steps = [
      ['investigating', 'We can reproduce it.'],
      ['identified', 'The slot only moves on **replicated** changes.'],
      ['update', 'Still on it. <script>alert(1)</script>'],
      ['fix_deployed', 'Fixed in 2.8.4 — please test.'],
    ] as const
    for (const [status, body] of steps) {
      const result = await postStatusUpdate(actorOf(status === 'identified' ? otherSupport : support), { postId: post.id, status, body })
      expect(result.ok).toBe(true)
    }
    const reader = await createUser()
    const listed = await listStatusUpdates(actorOf(reader), post.id)
    expect(listed.ok).toBe(true)
    if (!listed.ok) return
    expect(listed.value.map((u) => [u.status, u.body])).toEqual(steps.map(([s, b]) => [s, b]))
    expect(listed.value.map((u) => u.statusLabel)).toEqual(['Investigating', 'Cause identified', 'Update', 'Fix deployed — please test'])
    expect(listed.value.map((u) => u.authorName)).toEqual(['Sam Support', 'Ada Admin', 'Sam Support', 'Sam Support'])
    expect(listed.value[1]!.html).toContain('<strong>replicated</strong>')
    expect(listed.value[2]!.html).not.toContain('<script')
    const times = listed.value.map((u) => u.createdAt.getTime())
    expect([...times].sort((a, b) => a - b)).toEqual(times)
    expect(new Set(times).size).toBe(times.length)
    // The badge shows the latest status; a plain "update" does not replace it.
    expect(currentStatus(listed.value)).toBe('fix_deployed')
    expect(currentStatus(listed.value.slice(0, 3))).toBe('identified')
    expect(currentStatus([])).toBeNull()
  })

  it('is not found for a customer when the problem is staff-only, and empty for other kinds of post', async () => {
    const post = await problem({ visibility: 'staff' })
    await postStatusUpdate(actorOf(support), { postId: post.id, status: 'investigating', body: 'Internal.' })
    const customer = await createUser()
    expect(await listStatusUpdates(actorOf(customer), post.id)).toEqual({ ok: false, reason: 'not_found', message: STATUS_UPDATE_MESSAGES.notFound })
    expect(await listStatusUpdates(actorOf(support), post.id)).toMatchObject({ ok: true, value: [{ status: 'investigating' }] })
    const story = await createPost({ kind: 'story', productId })
    expect(await listStatusUpdates(actorOf(customer), story.id)).toEqual({ ok: true, value: [] })
    expect(await listStatusUpdates(actorOf(customer), 'no-such-post')).toMatchObject({ ok: false, reason: 'not_found' })
  })
})

describe('the status_update notification event', () => {
  it('is on the settings page and emails at once by default', () => {
    expect(NOTIFICATION_EVENTS.status_update).toEqual({
      label: 'Status updates from support on problems you have too or follow',
      default: 'immediately',
    })
  })
})
