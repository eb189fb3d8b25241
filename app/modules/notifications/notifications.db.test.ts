/**
 * Notifications against a real database: who is notified (preferences,
 * visibility, the actor, inactive people), the dedupe keys, reading and
 * marking read, preferences, and the daily digest.
 *
 * Delivery after commit (`kickMailer`) is replaced by a spy: messages stay
 * in the outbox where the tests read them.
 */
import { cursorFrom } from '~/utils/keyset'
import { and, count, eq, inArray, isNull } from 'drizzle-orm'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db, getDatabaseHandle } from '~/db/client.server'
import {
  auditLog,
  follows,
  notificationPreferences,
  notifications,
  outbox,
  postReaders,
  posts,
  settings,
  users,
  type Delivery,
} from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import { newId } from '~/utils/result'
import { actorOf, createProduct, createUser } from '#tests/factories'
import {
  countUnread,
  DIGEST_LAST_RUN_KEY,
  DIGEST_MAX_ITEMS,
  followersWhoMaySee,
  getPreferences,
  listNotifications,
  markAllRead,
  markRead,
  NOTIFICATION_EVENT_KEYS,
  NOTIFICATION_EVENTS,
  NO_LONGER_VISIBLE,
  notify,
  runDailyDigestIfDue,
  sendDailyDigests,
  setPreferences,
  type NotifyInput,
} from './notifications.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

beforeEach(() => {
  vi.mocked(kickMailer).mockClear()
})

// -- helpers -------------------------------------------------------------------------

type Person = Awaited<ReturnType<typeof createUser>>

let serial = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`

let productId: string
beforeAll(async () => {
  productId = (await createProduct({ name: 'Gateway', slug: unique('gateway'), versions: ['1.0'] })).id
})

async function insertPost(
  author: Person,
  values: { visibility?: 'community' | 'staff' | 'private'; hidden?: boolean; title?: string } = {},
) {
  const id = newId()
  await db.insert(posts).values({
    id,
    kind: 'problem',
    authorId: author.id,
    organizationId: author.organizationId,
    productId,
    title: values.title ?? 'Gateway drops TLS sessions',
    body: 'After the upgrade the gateway drops idle TLS sessions.',
    state: 'open',
    visibility: values.visibility ?? 'community',
    hiddenAt: values.hidden ? new Date() : null,
  })
  return id
}

async function followPost(postId: string, ...people: Person[]) {
  await db.insert(follows).values(people.map((p) => ({ postId, userId: p.id })))
}

/** notify() inside a transaction, the way commands call it. */
async function notifyNow(input: Partial<NotifyInput> & Pick<NotifyInput, 'recipients'>) {
  const dedupeKey = input.dedupeKey ?? unique('event')
  await db.transaction((tx) =>
    notify(tx, {
      event: 'reply',
      actorId: null,
      postId: null,
      summary: 'Alice replied to “Gateway drops TLS sessions”',
      path: '/posts/abc#reply-1',
      ...input,
      dedupeKey,
    }),
  )
  return dedupeKey
}

async function notificationsOf(userId: string) {
  return db.select().from(notifications).where(eq(notifications.userId, userId))
}

async function outboxTo(email: string) {
  return db.select().from(outbox).where(eq(outbox.toAddress, email))
}

async function insertNotification(
  userId: string,
  values: { delivery?: Delivery; summary?: string; path?: string; createdAt?: Date; readAt?: Date } = {},
) {
  const id = newId()
  await db.insert(notifications).values({
    id,
    userId,
    event: 'reply',
    summary: values.summary ?? `Summary ${unique('n')}`,
    path: values.path ?? '/posts/p1',
    delivery: values.delivery ?? 'off',
    dedupeKey: unique('dk'),
    createdAt: values.createdAt ?? new Date(),
    readAt: values.readAt ?? null,
  })
  return id
}

// -- notify ----------------------------------------------------------------------------

describe('notify', () => {
  it('with "immediately" records the notification and queues its email with an absolute link', async () => {
    const person = await createUser({ name: 'Bea Brown' })
    await setPreferences(person, { reply: 'immediately' })
    await notifyNow({ recipients: [person.id], path: '/posts/p42#reply-7' })

    const [row] = await notificationsOf(person.id)
    expect(row).toMatchObject({ event: 'reply', delivery: 'immediately', readAt: null, digestedAt: null })
    const mail = await outboxTo(person.email)
    expect(mail).toHaveLength(1)
    expect(mail[0]).toMatchObject({
      dedupeKey: `notification:${row!.id}`,
      subject: 'Alice replied to “Gateway drops TLS sessions”',
      status: 'pending',
    })
    expect(mail[0]!.text).toContain('Hello Bea Brown,')
    expect(mail[0]!.text).toContain('http://switchboard.test/posts/p42#reply-7')
    expect(mail[0]!.text).toContain('http://switchboard.test/settings/notifications')
  })

  it('uses the event’s default when the person chose nothing', async () => {
    const person = await createUser()
    await notifyNow({ recipients: [person.id], event: 'reply' })
    await notifyNow({ recipients: [person.id], event: 'migration_status' })
    const rows = await notificationsOf(person.id)
    expect(Object.fromEntries(rows.map((r) => [r.event, r.delivery]))).toEqual({
      reply: NOTIFICATION_EVENTS.reply.default,
      migration_status: NOTIFICATION_EVENTS.migration_status.default,
    })
    expect(await outboxTo(person.email)).toHaveLength(1)
  })

  it('with "daily" records the notification but sends nothing until the digest', async () => {
    const person = await createUser()
    await setPreferences(person, { reply: 'daily' })
    await notifyNow({ recipients: [person.id] })

    const [row] = await notificationsOf(person.id)
    expect(row).toMatchObject({ delivery: 'daily', digestedAt: null })
    expect(await outboxTo(person.email)).toHaveLength(0)

    await sendDailyDigests()
    expect(await outboxTo(person.email)).toHaveLength(1)
  })

  it('with "off" records the in-app notification and never emails it, not even in the digest', async () => {
    const person = await createUser()
    await setPreferences(person, { reply: 'off' })
    await notifyNow({ recipients: [person.id] })

    const [row] = await notificationsOf(person.id)
    expect(row).toMatchObject({ delivery: 'off', readAt: null })
    expect(await countUnread(person.id)).toBe(1)
    await sendDailyDigests()
    expect(await outboxTo(person.email)).toHaveLength(0)
  })

  it('does nothing when the same dedupe key comes again', async () => {
    const person = await createUser()
    const dedupeKey = await notifyNow({ recipients: [person.id] })
    await notifyNow({ recipients: [person.id, person.id], dedupeKey })
    expect(await notificationsOf(person.id)).toHaveLength(1)
    expect(await outboxTo(person.email)).toHaveLength(1)
  })

  it('does not tell the actor about their own action', async () => {
    const actor = await createUser()
    const other = await createUser()
    await notifyNow({ recipients: [actor.id, other.id], actorId: actor.id })
    expect(await notificationsOf(actor.id)).toHaveLength(0)
    expect(await outboxTo(actor.email)).toHaveLength(0)
    expect(await notificationsOf(other.id)).toHaveLength(1)
  })

  it('does acknowledge a problem to the person who logged it', async () => {
    const actor = await createUser()
    await notifyNow({ event: 'problem_acknowledged', recipients: [actor.id], actorId: actor.id })
    const rows = await notificationsOf(actor.id)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.event).toBe('problem_acknowledged')
    expect(await outboxTo(actor.email)).toHaveLength(1)
  })

  it('skips people who are deactivated', async () => {
    const inactive = await createUser({ active: false })
    await notifyNow({ recipients: [inactive.id] })
    expect(await notificationsOf(inactive.id)).toHaveLength(0)
    expect(await outboxTo(inactive.email)).toHaveLength(0)
  })
})

// -- who may hear about a post ----------------------------------------------------------

describe('followersWhoMaySee', () => {
  let author: Person
  let customer: Person
  let staff: Person
  let inactive: Person
  beforeAll(async () => {
    author = await createUser()
    customer = await createUser()
    staff = await createUser({ role: 'support' })
    inactive = await createUser({ active: false })
  })

  it('returns every active follower of a community post', async () => {
    const postId = await insertPost(author)
    await followPost(postId, author, customer, staff, inactive)
    expect((await followersWhoMaySee(db, postId)).sort()).toEqual([author.id, customer.id, staff.id].sort())
  })

  it('leaves customers out of a staff-only post, except its author, who keeps reading it', async () => {
    const postId = await insertPost(author, { visibility: 'staff' })
    await followPost(postId, author, customer, staff)
    expect((await followersWhoMaySee(db, postId)).sort()).toEqual([author.id, staff.id].sort())
  })

  it('keeps staff, the author and the chosen colleague for a private post', async () => {
    const chosen = await createUser({ organizationId: author.organizationId })
    const postId = await insertPost(author, { visibility: 'private' })
    await db.insert(postReaders).values({ postId, userId: chosen.id })
    await followPost(postId, author, customer, staff, chosen)
    expect((await followersWhoMaySee(db, postId)).sort()).toEqual([author.id, staff.id, chosen.id].sort())
  })

  it('keeps only staff and the author for a hidden post', async () => {
    const postId = await insertPost(author, { hidden: true })
    await followPost(postId, author, customer, staff, inactive)
    expect((await followersWhoMaySee(db, postId)).sort()).toEqual([author.id, staff.id].sort())
  })

  it('returns nobody for a post nobody follows', async () => {
    const postId = await insertPost(author)
    expect(await followersWhoMaySee(db, postId)).toEqual([])
  })
})

// -- reading and marking read ---------------------------------------------------------------

describe('reading notifications', () => {
  it('lists only the person’s own, newest first', async () => {
    const person = await createUser()
    const other = await createUser()
    const older = await insertNotification(person.id, { createdAt: new Date('2030-01-01T10:00:00Z') })
    const newer = await insertNotification(person.id, { createdAt: new Date('2030-01-02T10:00:00Z') })
    await insertNotification(other.id)
    const list = await listNotifications(person.id)
    expect(list.rows.map((r) => r.id)).toEqual([newer, older])
    expect(list).toMatchObject({ older: null, newer: null })
  })

  it('pages through long lists by keyset, with no repeat or gap', async () => {
    const person = await createUser()
    const base = Date.parse('2030-02-01T00:00:00Z')
    // Two share a time at the page boundary: the id breaks the tie.
    for (let i = 0; i < 32; i++) await insertNotification(person.id, { createdAt: new Date(base + (i === 1 ? 2 : i) * 60_000) })
    const first = await listNotifications(person.id)
    expect(first.older).not.toBeNull()
    const second = await listNotifications(person.id, { cursor: cursorFrom(new URL(`http://x.test/?after=${first.older}`)) })
    expect(first.rows).toHaveLength(first.pageSize)
    expect(second.rows).toHaveLength(32 - first.pageSize)
    expect(second.older).toBeNull()
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(32)
    const times = [...first.rows, ...second.rows].map((r) => r.createdAt.getTime())
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('counts unread notifications', async () => {
    const person = await createUser()
    await insertNotification(person.id)
    await insertNotification(person.id)
    await insertNotification(person.id, { readAt: new Date() })
    expect(await countUnread(person.id)).toBe(2)
  })

  it('marks one’s own notification read and returns its path, keeping the first read time', async () => {
    const person = await createUser()
    const id = await insertNotification(person.id, { path: '/posts/p9#workaround-3' })
    expect(await markRead(person.id, id)).toEqual({ path: '/posts/p9#workaround-3' })
    const [first] = await db.select().from(notifications).where(eq(notifications.id, id))
    expect(first!.readAt).toBeInstanceOf(Date)
    expect(await markRead(person.id, id)).toEqual({ path: '/posts/p9#workaround-3' })
    const [second] = await db.select().from(notifications).where(eq(notifications.id, id))
    expect(second!.readAt!.getTime()).toBe(first!.readAt!.getTime())
  })

  it('refuses to mark someone else’s notification read, and changes nothing', async () => {
    const owner = await createUser()
    const intruder = await createUser()
    const id = await insertNotification(owner.id)
    expect(await markRead(intruder.id, id)).toBeNull()
    expect(await markRead(intruder.id, 'no-such-id')).toBeNull()
    const [row] = await db.select().from(notifications).where(eq(notifications.id, id))
    expect(row!.readAt).toBeNull()
    expect(await countUnread(owner.id)).toBe(1)
  })

  it('marks all of the person’s notifications read, and nobody else’s', async () => {
    const person = await createUser()
    const other = await createUser()
    await insertNotification(person.id)
    await insertNotification(person.id)
    await insertNotification(other.id)
    await markAllRead(person.id)
    expect(await countUnread(person.id)).toBe(0)
    expect(await countUnread(other.id)).toBe(1)
    expect((await listNotifications(person.id, { unreadOnly: true })).rows).toEqual([])
  })
})

// -- preferences ------------------------------------------------------------------------------

describe('preferences', () => {
  it('start at every event’s default', async () => {
    const person = await createUser()
    const prefs = await getPreferences(person.id)
    expect(prefs.map((p) => [p.event, p.delivery])).toEqual(
      NOTIFICATION_EVENT_KEYS.map((event) => [event, NOTIFICATION_EVENTS[event].default]),
    )
    // A check-in is a message written to the person: always emailed, never a choice.
    expect(prefs.map((p) => p.event)).not.toContain('check_in')
    expect(prefs[0]).toMatchObject({ label: NOTIFICATION_EVENTS.problem_acknowledged.label })
  })

  it('round-trip, ignore unknown events and deliveries, and leave other people alone', async () => {
    const person = await createUser()
    const other = await createUser()
    const result = await setPreferences(person, {
      reply: 'off',
      migration_status: 'immediately',
      workaround: 'daily',
      no_such_event: 'daily',
      post_hidden: 'sometimes' as Delivery,
    })
    expect(result).toEqual({ ok: true, value: { saved: 3 } })
    const prefs = Object.fromEntries((await getPreferences(person.id)).map((p) => [p.event, p.delivery]))
    expect(prefs).toMatchObject({
      reply: 'off',
      migration_status: 'immediately',
      workaround: 'daily',
      post_hidden: NOTIFICATION_EVENTS.post_hidden.default,
    })
    const rows = await db
      .select({ event: notificationPreferences.event })
      .from(notificationPreferences)
      .where(eq(notificationPreferences.userId, person.id))
    expect(rows.map((r) => r.event).sort()).toEqual(['migration_status', 'reply', 'workaround'])
    expect((await getPreferences(other.id)).every((p) => p.delivery === p.defaultDelivery)).toBe(true)

    await setPreferences(person, { reply: 'daily' })
    const again = Object.fromEntries((await getPreferences(person.id)).map((p) => [p.event, p.delivery]))
    expect(again).toMatchObject({ reply: 'daily', migration_status: 'immediately' })

    const [audit] = await db
      .select({ value: count() })
      .from(auditLog)
      .where(and(eq(auditLog.actorId, person.id), eq(auditLog.action, 'user.notification_preferences')))
    expect(audit!.value).toBe(2)
  })

  it('saving nothing known writes nothing', async () => {
    const person = await createUser()
    expect(await setPreferences(person, { bogus: 'off' })).toEqual({ ok: true, value: { saved: 0 } })
    const [rows] = await db
      .select({ value: count() })
      .from(notificationPreferences)
      .where(eq(notificationPreferences.userId, person.id))
    expect(rows!.value).toBe(0)
  })
})

// -- daily digest --------------------------------------------------------------------------------

describe('sendDailyDigests', () => {
  const MORNING = new Date('2031-03-04T08:00:00Z')
  const NEXT_MORNING = new Date('2031-03-05T08:00:00Z')

  // Each test starts with nothing waiting for a digest, so the counts are its own.
  beforeEach(async () => {
    await db.update(notifications).set({ digestedAt: new Date() }).where(isNull(notifications.digestedAt))
  })

  async function dailyPerson(name = 'Dana Digest') {
    const person = await createUser({ name })
    await setPreferences(actorOf(person), { reply: 'daily', workaround: 'daily', migration_status: 'daily' })
    return person
  }

  it('queues one email per person listing their daily notifications, and marks them digested', async () => {
    const ann = await dailyPerson('Ann Able')
    const ben = await dailyPerson('Ben Baker')
    await setPreferences(ann, { workaround_accepted: 'immediately', post_hidden: 'off' })
    await notifyNow({ recipients: [ann.id, ben.id], summary: 'Carol replied to “VPN flaps”', path: '/posts/vpn#reply-1' })
    await notifyNow({ recipients: [ann.id], event: 'workaround', summary: 'Dan posted a workaround for “VPN flaps”', path: '/posts/vpn#workaround-2' })
    await notifyNow({ recipients: [ann.id], event: 'workaround_accepted', summary: 'A workaround was accepted' })
    await notifyNow({ recipients: [ann.id], event: 'post_hidden', summary: 'Support hid your reply' })
    const immediateMail = (await outboxTo(ann.email)).length

    const summary = await sendDailyDigests(MORNING)
    expect(summary).toEqual({ emails: 2, notifications: 3, skippedInactive: 0, alreadySent: 0 })

    const annMail = (await outboxTo(ann.email)).filter((m) => m.dedupeKey.startsWith('digest:'))
    expect(annMail).toHaveLength(1)
    expect(annMail[0]!.dedupeKey).toBe(`digest:${ann.id}:2031-03-04`)
    expect(annMail[0]!.subject).toBe('Your Switchboard digest for 4 Mar 2031: 2 updates')
    expect(annMail[0]!.text).toContain('Hello Ann Able,')
    expect(annMail[0]!.text).toContain('- Carol replied to “VPN flaps”\n  http://switchboard.test/posts/vpn#reply-1')
    expect(annMail[0]!.text).toContain('- Dan posted a workaround for “VPN flaps”\n  http://switchboard.test/posts/vpn#workaround-2')
    expect(annMail[0]!.text).not.toContain('accepted')
    expect(annMail[0]!.text).not.toContain('hid your reply')
    expect(annMail[0]!.html).toContain('<a href="http://switchboard.test/posts/vpn#reply-1">Carol replied to “VPN flaps”</a>')
    expect((await outboxTo(ann.email)).length).toBe(immediateMail + 1)

    const benMail = await outboxTo(ben.email)
    expect(benMail.map((m) => m.dedupeKey)).toEqual([`digest:${ben.id}:2031-03-04`])
    expect(benMail[0]!.subject).toBe('Your Switchboard digest for 4 Mar 2031: 1 update')

    const rows = await db.select().from(notifications).where(inArray(notifications.userId, [ann.id, ben.id]))
    for (const row of rows) {
      if (row.delivery === 'daily') expect(row.digestedAt?.getTime()).toBe(MORNING.getTime())
      else expect(row.digestedAt).toBeNull()
    }
    // The digest does not touch what was read: the bell still shows them.
    expect(await countUnread(ann.id)).toBe(4)
  })

  it('sends nothing twice when run again the same day', async () => {
    const person = await dailyPerson()
    await notifyNow({ recipients: [person.id] })
    expect((await sendDailyDigests(MORNING)).emails).toBe(1)
    expect(await sendDailyDigests(MORNING)).toEqual({ emails: 0, notifications: 0, skippedInactive: 0, alreadySent: 0 })
    expect(await outboxTo(person.email)).toHaveLength(1)
  })

  it('keeps what arrives after today’s digest for tomorrow’s', async () => {
    const person = await dailyPerson()
    await notifyNow({ recipients: [person.id], summary: 'First news' })
    await sendDailyDigests(MORNING)
    await notifyNow({ recipients: [person.id], summary: 'Later news' })

    expect(await sendDailyDigests(MORNING)).toEqual({ emails: 0, notifications: 0, skippedInactive: 0, alreadySent: 1 })
    const [later] = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, person.id), eq(notifications.summary, 'Later news')))
    expect(later!.digestedAt).toBeNull()
    expect(await outboxTo(person.email)).toHaveLength(1)

    expect(await sendDailyDigests(NEXT_MORNING)).toMatchObject({ emails: 1, notifications: 1 })
    const mail = await outboxTo(person.email)
    expect(mail.map((m) => m.dedupeKey).sort()).toEqual([
      `digest:${person.id}:2031-03-04`,
      `digest:${person.id}:2031-03-05`,
    ])
    const tomorrow = mail.find((m) => m.dedupeKey.endsWith('2031-03-05'))!
    expect(tomorrow.text).toContain('Later news')
    expect(tomorrow.text).not.toContain('First news')
  })

  it('marks a deactivated person’s notifications digested without an email', async () => {
    const person = await dailyPerson()
    await notifyNow({ recipients: [person.id] })
    await db.update(users).set({ active: false }).where(eq(users.id, person.id))

    expect(await sendDailyDigests(MORNING)).toEqual({ emails: 0, notifications: 0, skippedInactive: 1, alreadySent: 0 })
    expect(await outboxTo(person.email)).toHaveLength(0)
    const [row] = await notificationsOf(person.id)
    expect(row!.digestedAt).not.toBeNull()
  })

  it('escapes what people wrote in the HTML part', async () => {
    const person = await dailyPerson()
    await notifyNow({ recipients: [person.id], summary: 'Eve replied to “<script>alert(1)</script> & co”' })
    await sendDailyDigests(MORNING)
    const [mail] = await outboxTo(person.email)
    expect(mail!.html).not.toContain('<script>')
    expect(mail!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co')
  })

  it(`lists at most ${DIGEST_MAX_ITEMS} items and points to the rest`, async () => {
    const person = await dailyPerson()
    for (let i = 0; i < DIGEST_MAX_ITEMS + 2; i++) await insertNotification(person.id, { delivery: 'daily', summary: `Item ${i}` })
    expect(await sendDailyDigests(MORNING)).toMatchObject({ emails: 1, notifications: DIGEST_MAX_ITEMS + 2 })
    const [mail] = await outboxTo(person.email)
    expect(mail!.subject).toContain(`${DIGEST_MAX_ITEMS + 2} updates`)
    expect(mail!.text.match(/^- Item /gm)).toHaveLength(DIGEST_MAX_ITEMS)
    expect(mail!.text).toContain('See 2 more in Switchboard: http://switchboard.test/notifications')
  })
})

describe('runDailyDigestIfDue', () => {
  it('runs once a day after the hour, whoever asks, and kicks the mailer', async () => {
    await db.update(notifications).set({ digestedAt: new Date() }).where(isNull(notifications.digestedAt))
    await db.delete(settings).where(eq(settings.key, DIGEST_LAST_RUN_KEY))
    const person = await createUser()
    await setPreferences(person, { reply: 'daily' })
    await notifyNow({ recipients: [person.id] })

    expect(await runDailyDigestIfDue(new Date('2032-06-01T06:59:00Z'), 7)).toBeNull()
    expect(await outboxTo(person.email)).toHaveLength(0)

    expect(await runDailyDigestIfDue(new Date('2032-06-01T07:05:00Z'), 7)).toMatchObject({ emails: 1 })
    expect(kickMailer).toHaveBeenCalledTimes(1)
    const [stored] = await db.select().from(settings).where(eq(settings.key, DIGEST_LAST_RUN_KEY))
    expect(stored!.value).toBe('2032-06-01')

    // Another tick, or another process, the same day: not due any more.
    await notifyNow({ recipients: [person.id] })
    expect(await runDailyDigestIfDue(new Date('2032-06-01T08:05:00Z'), 7)).toBeNull()
    // A process whose clock lags a day behind cannot re-open yesterday.
    expect(await runDailyDigestIfDue(new Date('2032-05-31T23:05:00Z'), 7)).toBeNull()
    expect(await outboxTo(person.email)).toHaveLength(1)

    expect(await runDailyDigestIfDue(new Date('2032-06-02T07:00:00Z'), 7)).toMatchObject({ emails: 1, notifications: 1 })
    expect(await outboxTo(person.email)).toHaveLength(2)
  })

  it('releases the day when the digest fails, so the next tick retries', async () => {
    await db.delete(settings).where(eq(settings.key, DIGEST_LAST_RUN_KEY))
    // `db` forwards to the handle's database: make its next query fail.
    const failing = vi.spyOn(getDatabaseHandle().db, 'selectDistinct').mockImplementationOnce(() => {
      throw new Error('database went away')
    })
    await expect(runDailyDigestIfDue(new Date('2033-01-01T09:00:00Z'), 7)).rejects.toThrow('database went away')
    failing.mockRestore()
    expect(await db.select().from(settings).where(eq(settings.key, DIGEST_LAST_RUN_KEY))).toEqual([])
    expect(await runDailyDigestIfDue(new Date('2033-01-01T10:00:00Z'), 7)).not.toBeNull()
  })
})

// -- rendered at read time ---------------------------------------------------------------

describe('notifications about a post that is no longer visible to the reader', () => {
  const DAY = new Date('2032-06-07T08:00:00Z')

  beforeEach(async () => {
    await db.update(notifications).set({ digestedAt: new Date() }).where(isNull(notifications.digestedAt))
  })

  /** A reader with a daily digest, notified about three posts: one stays visible, one becomes staff-only, one hidden. */
  async function world() {
    const author = await createUser({ name: 'Ada Author' })
    const reader = await createUser({ name: 'Rita Reader' })
    await setPreferences(actorOf(reader), { reply: 'daily' })
    const stays = await insertPost(author, { title: `Stays visible ${unique('t')}` })
    const restricted = await insertPost(author, { title: `Becomes staff-only ${unique('t')}` })
    const hidden = await insertPost(author, { title: `Gets hidden ${unique('t')}` })
    const titleOf = async (id: string) => (await db.select({ title: posts.title }).from(posts).where(eq(posts.id, id)))[0]!.title!
    for (const postId of [stays, restricted, hidden]) {
      await notifyNow({ recipients: [reader.id], postId, summary: `Ada replied to “${await titleOf(postId)}”`, path: `/posts/${postId}#reply-1` })
    }
    const titles = { stays: await titleOf(stays), restricted: await titleOf(restricted), hidden: await titleOf(hidden) }
    // After the notifications were written, support restricts one and hides another.
    await db.update(posts).set({ visibility: 'staff' }).where(eq(posts.id, restricted))
    await db.update(posts).set({ hiddenAt: new Date() }).where(eq(posts.id, hidden))
    return { author, reader, ids: { stays, restricted, hidden }, titles }
  }

  it('the bell shows a neutral line with nothing to open in place of their titles; who reads decides, when they read', async () => {
    const w = await world()
    const { rows } = await listNotifications(w.reader.id)
    expect(rows).toHaveLength(3)
    const text = JSON.stringify(rows)
    expect(text).toContain(w.titles.stays)
    expect(text).not.toContain(w.titles.restricted)
    expect(text).not.toContain(w.titles.hidden)
    expect(text).not.toContain(w.ids.restricted)
    expect(text).not.toContain(w.ids.hidden)
    expect(rows.filter((r) => !r.visible)).toEqual([
      expect.objectContaining({ summary: NO_LONGER_VISIBLE, path: null }),
      expect.objectContaining({ summary: NO_LONGER_VISIBLE, path: null }),
    ])
    expect(rows.find((r) => r.visible)).toMatchObject({ summary: `Ada replied to “${w.titles.stays}”`, path: `/posts/${w.ids.stays}#reply-1` })
    // Opening one of them leads back to the list, not to the post.
    const restrictedRow = (await notificationsOf(w.reader.id)).find((r) => r.postId === w.ids.restricted)!
    expect(await markRead(w.reader.id, restrictedRow.id)).toEqual({ path: '/notifications' })

    // Once the reader becomes support, the staff-only post is theirs to see again: read time decides.
    await db.update(users).set({ role: 'support' }).where(eq(users.id, w.reader.id))
    const asStaff = JSON.stringify((await listNotifications(w.reader.id)).rows)
    expect(asStaff).toContain(w.titles.restricted)
    expect(asStaff).toContain(w.titles.hidden)
  })

  it('the digest leaves them out and counts only what it lists', async () => {
    const w = await world()
    expect(await sendDailyDigests(DAY)).toMatchObject({ emails: 1, notifications: 1 })
    const [mail] = (await outboxTo(w.reader.email)).filter((m) => m.dedupeKey.startsWith('digest:'))
    expect(mail!.subject).toBe('Your Switchboard digest for 7 Jun 2032: 1 update')
    for (const part of [mail!.text, mail!.html]) {
      expect(part).toContain(w.titles.stays)
      expect(part).not.toContain(w.titles.restricted)
      expect(part).not.toContain(w.titles.hidden)
      expect(part).not.toContain(w.ids.restricted)
      expect(part).not.toContain(w.ids.hidden)
    }
    // All three are digested: the left-out ones do not come back tomorrow.
    const rows = await notificationsOf(w.reader.id)
    expect(rows.every((r) => r.digestedAt?.getTime() === DAY.getTime())).toBe(true)
  })

  it('a digest of nothing the reader may still see is not sent', async () => {
    const author = await createUser()
    const reader = await createUser()
    await setPreferences(actorOf(reader), { reply: 'daily' })
    const postId = await insertPost(author)
    await notifyNow({ recipients: [reader.id], postId, summary: 'Ada replied to “Soon staff-only”' })
    await db.update(posts).set({ visibility: 'staff' }).where(eq(posts.id, postId))
    await sendDailyDigests(DAY)
    expect((await outboxTo(reader.email)).filter((m) => m.dedupeKey.startsWith('digest:'))).toEqual([])
  })
})
