/**
 * Notifications: a row per person per event, shown in the bell, and emailed
 * at once, gathered into a daily digest, or not emailed, as each person
 * chose per event. Commands call `notify` inside their transaction, so a
 * notification exists exactly when the change does; its email goes through
 * the outbox of that same transaction (delivered after commit, once).
 *
 * Callers pass recipients who may see the post: `followersWhoMaySee` filters
 * followers by the post's visibility, so staff-only and private posts never
 * notify customers they are not shared with.
 *
 * The delivery is decided when the notification is recorded (the person's
 * preference at that moment) and stored on the row: changing a preference
 * later does not pull back or re-send what is already on its way.
 *
 * What a notification shows is decided when it is read: the bell and the
 * digest check its post against the reader's visibility at that moment
 * (`visibleTo`), so a post that became staff-only, hidden or private since
 * shows a neutral line in the bell and is left out of the digest.
 *
 * Daily digests (`sendDailyDigests`) gather each person's undigested 'daily'
 * notifications into one email per person per UTC day. The outbox dedupe key
 * `digest:<userId>:<day>` makes a second run on the same day send nothing
 * twice; a per-person row lock makes concurrent runs (several processes, the
 * timer and `npm run digest`) take turns.
 */
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import { keysetPage, type Cursor } from '~/utils/keyset'
import { exactTime, keysetOrder, keysetWhere } from '~/utils/keyset.server'
import { db, type Executor } from '~/db/client.server'
import {
  deliveryEnum,
  follows,
  notificationPreferences,
  notifications,
  outbox,
  posts,
  settings,
  users,
  type Delivery,
} from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import { visibleTo } from '~/modules/posts/post-queries.server'
import { maySee, withReaders } from '~/modules/posts/posts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { kickMailer, queueEmail } from '~/modules/email/email.server'
import { renderEmail } from '~/modules/email/render.server'
import { absoluteUrl, env } from '~/utils/env.server'
import { formatDate } from '~/utils/format'
import { newId, ok, type Ok } from '~/utils/result'

export const NOTIFICATION_EVENTS = {
  problem_acknowledged: { label: 'A problem you logged was received (with its tracking link)', default: 'immediately' },
  reply: { label: 'Replies on posts you follow', default: 'immediately' },
  workaround: { label: 'New workarounds on problems you follow', default: 'immediately' },
  workaround_accepted: { label: 'A workaround is accepted', default: 'immediately' },
  workaround_verified: { label: 'Support verifies a workaround', default: 'immediately' },
  status_update: { label: 'Status updates from support on problems you have too or follow', default: 'immediately' },
  migration_status: { label: 'Status changes of migrations you follow', default: 'daily' },
  post_hidden: { label: 'Support hides something you wrote', default: 'immediately' },
  introduction_request: { label: 'Support asks whether you would like an introduction', default: 'immediately' },
  introduction_result: { label: 'An introduction is made, or did not happen', default: 'immediately' },
  introduction_message: { label: 'New messages in your introductions', default: 'immediately' },
  introduction_outcome: { label: 'Support asks whether an introduction helped', default: 'immediately' },
  check_in: { label: 'Support checks in with your organization', default: 'off' },
} as const satisfies Record<string, { label: string; default: Delivery }>

export type NotificationEvent = keyof typeof NOTIFICATION_EVENTS

/**
 * Messages a person of support wrote to someone (quiet-customer check-ins):
 * the sender emails the message itself, always, the way a letter is not
 * subject to newsletter settings. Their notification is in-app only (so the
 * message never arrives twice), and they are not a choice on the settings page.
 */
export const DIRECT_MESSAGE_EVENTS: readonly NotificationEvent[] = ['check_in']

/** Every event a person chooses the delivery of, in the order the settings page shows them. */
export const NOTIFICATION_EVENT_KEYS = (Object.keys(NOTIFICATION_EVENTS) as NotificationEvent[]).filter(
  (event) => !DIRECT_MESSAGE_EVENTS.includes(event),
)

export function isNotificationEvent(value: string): value is NotificationEvent {
  return Object.hasOwn(NOTIFICATION_EVENTS, value)
}

const SETTINGS_FOOTER = () =>
  `You receive this because of your notification settings. Change them at ${absoluteUrl('/settings/notifications')}.`

export type NotifyInput = {
  event: NotificationEvent
  recipients: string[]
  actorId: string | null
  postId: string | null
  /** One line, e.g. "Alice replied to “Gateway drops TLS sessions”". */
  summary: string
  /** A few sentences for the email (plain text). */
  details?: string[]
  /** Path in the hub the notification opens. */
  path: string
  /** Identifies the event: notifying again with the same key does nothing. */
  dedupeKey: string
}

/**
 * Everyone following `postId` who may see it, by the one rule (`maySee`):
 * a staff-only post, staff and its author; a private one, staff, its author
 * and the people it is shared with; a hidden one, staff and its author.
 */
export async function followersWhoMaySee(tx: Executor, postId: string): Promise<string[]> {
  const [post] = await tx
    .select({ id: posts.id, visibility: posts.visibility, hiddenAt: posts.hiddenAt, authorId: posts.authorId })
    .from(posts)
    .where(eq(posts.id, postId))
  if (!post) return []
  const readable = await withReaders(tx, post)
  const rows = await tx
    .select({ id: follows.userId, role: users.role })
    .from(follows)
    .innerJoin(users, and(eq(users.id, follows.userId), eq(users.active, true)))
    .where(eq(follows.postId, postId))
  return rows.filter((person) => maySee(person, readable)).map((person) => person.id)
}

/**
 * Records notifications (and their immediate emails) inside the caller's
 * transaction. The actor is not told about their own action, except the
 * acknowledgement of a problem they logged; inactive people are skipped.
 * Each person's delivery comes from their preference for the event (the
 * event's default otherwise): 'immediately' also queues an email, 'daily'
 * waits for the digest, 'off' is in-app only. Repeating a `dedupeKey` does
 * nothing.
 */
export async function notify(tx: Executor, input: NotifyInput) {
  const recipients = [...new Set(input.recipients)].filter(
    (id) => id !== input.actorId || input.event === 'problem_acknowledged',
  )
  if (!recipients.length) return
  const people = await tx
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(inArray(users.id, recipients), eq(users.active, true)))
  const preferences = await tx
    .select()
    .from(notificationPreferences)
    .where(and(inArray(notificationPreferences.userId, recipients), eq(notificationPreferences.event, input.event)))
  for (const person of people) {
    const delivery: Delivery = DIRECT_MESSAGE_EVENTS.includes(input.event)
      ? 'off'
      : (preferences.find((p) => p.userId === person.id)?.delivery ?? NOTIFICATION_EVENTS[input.event].default)
    const id = newId()
    const [row] = await tx
      .insert(notifications)
      .values({
        id,
        userId: person.id,
        event: input.event,
        actorId: input.actorId,
        postId: input.postId,
        summary: input.summary,
        path: input.path,
        delivery,
        dedupeKey: `${input.dedupeKey}:${person.id}`,
      })
      .onConflictDoNothing({ target: notifications.dedupeKey })
      .returning({ id: notifications.id })
    if (!row || delivery !== 'immediately') continue
    await queueEmail(tx, {
      to: person.email,
      dedupeKey: `notification:${row.id}`,
      ...renderEmail({
        subject: input.summary,
        greeting: `Hello ${person.name},`,
        paragraphs: [input.summary + '.', ...(input.details ?? [])],
        action: { label: 'Open it in Switchboard', url: absoluteUrl(input.path) },
        footer: SETTINGS_FOOTER(),
      }),
    })
  }
}

// -- reading ----------------------------------------------------------------------

const PAGE_SIZE = 30

/**
 * What a notification about a post the reader may no longer see says instead
 * of its summary (which names the post, and often who wrote): the post may
 * have become staff-only, been hidden, or been shared with fewer people.
 */
export const NO_LONGER_VISIBLE = 'An update about a post that is no longer visible to you'

/**
 * The reader as they are now (their role decides what they may see), or
 * null when they no longer exist. Read at read and digest time, not taken
 * from when the notification was written.
 */
async function readerOf(executor: Executor, userId: string): Promise<Actor | null> {
  const [row] = await executor
    .select({ id: users.id, role: users.role, organizationId: users.organizationId, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
  return row ?? null
}

/**
 * True when the notification's post (if it has one) is visible to `reader`
 * now, by the one visibility rule (`visibleTo`): a notification is rendered
 * at read time, so a post that became staff-only, hidden or private since no
 * longer shows its title in the bell or in a digest.
 */
function postVisibleTo(reader: Actor) {
  const rule = visibleTo(reader)
  return sql<boolean>`(${notifications.postId} is null or exists (select 1 from ${posts} where ${posts.id} = ${notifications.postId}${rule ? sql` and ${rule}` : sql``}))`
}

/**
 * The signed-in person's notifications, newest first, a keyset page at a
 * time from `cursor` (decision 0021). Reads only `userId`'s rows, and
 * renders each for what the person may see now: one about a post they can
 * no longer see says NO_LONGER_VISIBLE and has no path to open.
 */
export async function listNotifications(userId: string, { cursor = null, unreadOnly = false }: { cursor?: Cursor | null; unreadOnly?: boolean } = {}) {
  const reader = await readerOf(db, userId)
  const where = and(eq(notifications.userId, userId), unreadOnly ? isNull(notifications.readAt) : undefined)
  const rows = await db
    .select({
      id: notifications.id,
      event: notifications.event,
      summary: notifications.summary,
      path: notifications.path,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
      visible: reader ? postVisibleTo(reader) : sql<boolean>`false`,
      cursorAt: exactTime(notifications.createdAt),
    })
    .from(notifications)
    .where(and(where, keysetWhere(notifications.createdAt, notifications.id, cursor)))
    .orderBy(...keysetOrder(notifications.createdAt, notifications.id, cursor))
    .limit(PAGE_SIZE + 1)
  const { items, ...page } = keysetPage(rows, PAGE_SIZE, cursor)
  return {
    ...page,
    rows: items.map(({ cursorAt: _cursor, visible, ...row }) =>
      visible ? { ...row, visible: true } : { ...row, summary: NO_LONGER_VISIBLE, path: null, visible: false },
    ),
  }
}

/** How many unread notifications the person has (the bell). */
export async function countUnread(userId: string) {
  const [row] = await db
    .select({ value: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
  return row?.value ?? 0
}

/**
 * Marks one of the person's own notifications read (keeping the first read
 * time); returns its path to open, or null when no notification with this id
 * belongs to `userId` — someone else's id changes nothing. One about a post
 * the person may no longer see opens the notifications list instead.
 */
export async function markRead(userId: string, notificationId: string) {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(and(eq(notifications.id, notificationId), eq(notifications.userId, userId)))
    .returning({ path: notifications.path, postId: notifications.postId })
  if (!row) return null
  // Opening one about a post the person may no longer see leads back to the list.
  const reader = row.postId ? await readerOf(db, userId) : null
  if (row.postId && reader) {
    const [visible] = await db
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.id, notificationId), postVisibleTo(reader)))
    if (!visible) return { path: '/notifications' }
  }
  return { path: row.path }
}

/** The notifications page's buttons: open or mark read one notification (by id), or mark all read. */
export const NotificationActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('read-all') }),
  z.object({ intent: z.enum(['open', 'read']), id: z.string().trim().min(1).max(64) }),
])

/** Marks every unread notification of the person read. */
export async function markAllRead(userId: string) {
  await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
}


// -- preferences ------------------------------------------------------------------

export type NotificationPreference = {
  event: NotificationEvent
  label: string
  delivery: Delivery
  /** The event's default, used until the person chooses. */
  defaultDelivery: Delivery
}

/** The person's delivery for every event they choose (their choice, else the default), in NOTIFICATION_EVENTS order. */
export async function getPreferences(userId: string): Promise<NotificationPreference[]> {
  const rows = await db
    .select({ event: notificationPreferences.event, delivery: notificationPreferences.delivery })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId))
  const chosen = new Map(rows.map((row) => [row.event, row.delivery]))
  return NOTIFICATION_EVENT_KEYS.map((event) => ({
    event,
    label: NOTIFICATION_EVENTS[event].label,
    delivery: chosen.get(event) ?? NOTIFICATION_EVENTS[event].default,
    defaultDelivery: NOTIFICATION_EVENTS[event].default,
  }))
}

/**
 * The settings form: one radio group per event, named by the event. Every
 * event must be answered (the page always sends all of them checked).
 */
export const NotificationPreferencesSchema = z.object(
  Object.fromEntries(
    NOTIFICATION_EVENT_KEYS.map((event) => [
      event,
      z.enum(deliveryEnum.enumValues, {
        error: `Choose how to hear about this: ${NOTIFICATION_EVENTS[event].label.toLowerCase()}.`,
      }),
    ]),
  ) as Record<NotificationEvent, z.ZodEnum<{ [K in Delivery]: K }>>,
)

/**
 * Saves the actor's own delivery choices in one transaction. Unknown events
 * and unknown deliveries are ignored; events left out keep what they had.
 * Only ever writes the actor's rows.
 */
export async function setPreferences(
  actor: Pick<Actor, 'id'>,
  prefs: Partial<Record<string, Delivery>>,
): Promise<Ok<{ saved: number }>> {
  const values = Object.entries(prefs)
    .filter((entry): entry is [NotificationEvent, Delivery] => {
      const [event, delivery] = entry
      return (
        isNotificationEvent(event) &&
        !DIRECT_MESSAGE_EVENTS.includes(event) &&
        (deliveryEnum.enumValues as readonly string[]).includes(delivery ?? '')
      )
    })
    .map(([event, delivery]) => ({ userId: actor.id, event, delivery }))
  if (!values.length) return ok({ saved: 0 })
  await db.transaction(async (tx) => {
    await tx
      .insert(notificationPreferences)
      .values(values)
      .onConflictDoUpdate({
        target: [notificationPreferences.userId, notificationPreferences.event],
        set: { delivery: sql`excluded.delivery` },
      })
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'user.notification_preferences',
      subjectType: 'user',
      subjectId: actor.id,
      details: Object.fromEntries(values.map((v) => [v.event, v.delivery])),
    })
  })
  return ok({ saved: values.length })
}

// -- daily digest -------------------------------------------------------------------

/** How many items a digest lists; the rest are counted and wait in the hub. */
export const DIGEST_MAX_ITEMS = 50

export type DigestSummary = {
  /** Digest emails queued in this run. */
  emails: number
  /** Notifications included in those emails. */
  notifications: number
  /** Notifications of inactive people, marked digested without an email. */
  skippedInactive: number
  /** People whose digest for this day was already sent: their new items wait for the next day. */
  alreadySent: number
}

/** The UTC day of `now`, YYYY-MM-DD. */
function utcDay(now: Date) {
  return now.toISOString().slice(0, 10)
}

type PersonDigest =
  | { kind: 'sent'; count: number }
  | { kind: 'inactive'; count: number }
  | { kind: 'already_sent' }
  | { kind: 'nothing' }

async function digestFor(userId: string, now: Date): Promise<PersonDigest> {
  const day = utcDay(now)
  const dedupeKey = `digest:${userId}:${day}`
  return db.transaction(async (tx): Promise<PersonDigest> => {
    // Concurrent runs take turns per person: the second one waits here, then
    // sees the first one's email and digested rows.
    const [person] = await tx
      .select({ id: users.id, name: users.name, email: users.email, active: users.active, role: users.role, organizationId: users.organizationId })
      .from(users)
      .where(eq(users.id, userId))
      .for('update')
    if (!person) return { kind: 'nothing' }
    if (person.active) {
      // Today's digest already went out: leave newer items for tomorrow's,
      // rather than marking them digested behind an email that was never sent.
      const [sent] = await tx.select({ id: outbox.id }).from(outbox).where(eq(outbox.dedupeKey, dedupeKey)).limit(1)
      if (sent) return { kind: 'already_sent' }
    }
    const items = await tx
      .update(notifications)
      .set({ digestedAt: now })
      .where(
        and(
          eq(notifications.userId, userId),
          eq(notifications.delivery, 'daily'),
          isNull(notifications.digestedAt),
        ),
      )
      .returning({
        id: notifications.id,
        summary: notifications.summary,
        path: notifications.path,
        createdAt: notifications.createdAt,
      })
    if (!items.length) return { kind: 'nothing' }
    if (!person.active) return { kind: 'inactive', count: items.length }
    // Rendered for what the person may see today: an item about a post that
    // became staff-only, hidden or private since is left out (marked digested).
    const visible = new Set(
      (
        await tx
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(inArray(notifications.id, items.map((i) => i.id)), postVisibleTo(person)))
      ).map((r) => r.id),
    )
    items.splice(0, items.length, ...items.filter((i) => visible.has(i.id)))
    if (!items.length) return { kind: 'nothing' }
    items.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
    const listed = items.slice(0, DIGEST_MAX_ITEMS)
    const more = items.length - listed.length
    const updates = `${items.length} update${items.length === 1 ? '' : 's'}`
    await queueEmail(tx, {
      to: person.email,
      dedupeKey,
      ...renderEmail({
        subject: `Your Switchboard digest for ${formatDate(now)}: ${updates}`,
        greeting: `Hello ${person.name},`,
        paragraphs: [`Here is what happened in Switchboard since your last digest (${updates}):`],
        list: listed.map((item) => ({ text: item.summary, url: absoluteUrl(item.path) })),
        ...(more > 0
          ? { action: { label: `See ${more} more in Switchboard`, url: absoluteUrl('/notifications') } }
          : { action: { label: 'Open your notifications', url: absoluteUrl('/notifications') } }),
        footer: SETTINGS_FOOTER(),
      }),
    })
    return { kind: 'sent', count: items.length }
  })
}

/**
 * Queues one digest email per person with undigested 'daily' notifications
 * and marks those notifications digested, one transaction per person.
 * Inactive people get no email (their items are marked digested). Running
 * again on the same UTC day sends nothing twice. Does not deliver the mail:
 * callers kick the mailer (or call deliverPendingEmails) afterwards.
 */
export async function sendDailyDigests(now: Date = new Date()): Promise<DigestSummary> {
  const pending = await db
    .selectDistinct({ userId: notifications.userId })
    .from(notifications)
    .where(and(eq(notifications.delivery, 'daily'), isNull(notifications.digestedAt)))
    .orderBy(asc(notifications.userId))
  const summary: DigestSummary = { emails: 0, notifications: 0, skippedInactive: 0, alreadySent: 0 }
  for (const { userId } of pending) {
    const outcome = await digestFor(userId, now)
    if (outcome.kind === 'sent') {
      summary.emails++
      summary.notifications += outcome.count
    } else if (outcome.kind === 'inactive') {
      summary.skippedInactive += outcome.count
    } else if (outcome.kind === 'already_sent') {
      summary.alreadySent++
    }
  }
  return summary
}

/** The `settings` key holding the UTC day (YYYY-MM-DD) of the last digest run. */
export const DIGEST_LAST_RUN_KEY = 'digest.lastRun'

/**
 * Runs the digest if due (the server itself now schedules it as a job,
 * jobs/background.server.ts): once `now` is past `hourUtc`
 * and no process has run today's digest yet, it claims the day in the
 * `settings` table (an atomic upsert, so one process wins), sends the
 * digests and kicks the mailer. Returns the summary, or null when it was
 * not due or another process had it. On failure the claim is released so
 * the next tick retries (the dedupe keys keep that from sending twice).
 */
export async function runDailyDigestIfDue(
  now: Date = new Date(),
  hourUtc: number = env().DIGEST_HOUR_UTC,
): Promise<DigestSummary | null> {
  if (now.getUTCHours() < hourUtc) return null
  const day = utcDay(now)
  const [claimed] = await db
    .insert(settings)
    .values({ key: DIGEST_LAST_RUN_KEY, value: day, updatedAt: now })
    .onConflictDoUpdate({
      target: settings.key,
      set: { value: day, updatedAt: now },
      // Only move forward: a process whose clock lags cannot re-open a day.
      setWhere: sql`(${settings.value} #>> '{}') < (excluded.value #>> '{}')`,
    })
    .returning({ key: settings.key })
  if (!claimed) return null
  try {
    const summary = await sendDailyDigests(now)
    if (summary.emails) kickMailer()
    return summary
  } catch (error) {
    await db
      .delete(settings)
      .where(and(eq(settings.key, DIGEST_LAST_RUN_KEY), sql`${settings.value} #>> '{}' = ${day}`))
    throw error
  }
}
