/**
 * The migration calendar: an iCalendar feed of migration plans at a secret
 * per-person address, for calendar apps that cannot sign in.
 *
 * Security model (see docs/decisions/0009-calendar-feed-tokens.md):
 * - The address is `/calendar/<token>.ics`. The token is 160 random bits
 *   from the CSPRNG (the same generator as emailed links), so it cannot be
 *   guessed; whoever holds it reads the feed, like a private calendar link
 *   in any calendar service.
 * - Only a SHA-256 of the token is stored (hex, `calendar_tokens.token_hash`).
 *   A leaked database or backup does not reveal working addresses, and the
 *   address is shown to its owner once, right after it is made.
 * - A request is answered by looking the hash up. Comparing hashes instead
 *   of tokens is what makes the lookup safe against timing: an attacker who
 *   learns how much of a hash matched learns nothing about a token whose
 *   hash that would be.
 * - Each person has at most one token (the user id is the primary key);
 *   resetting replaces the row in one statement, so the old address is dead
 *   at once. Turning the feed off deletes the row.
 * - Every unusable address — malformed, unknown, replaced, or belonging to a
 *   deactivated person — gets the same `null` (a 404 without detail), so
 *   the answer says nothing about which it was.
 * - What the feed holds is decided at read time from the person's current
 *   role and organization: support and admins get every migration plan,
 *   customers their own organization's community plans. Hidden plans never
 *   appear, and staff-only plans never reach a customer.
 * - Creating, resetting and turning off are written to the audit log.
 */
import { encodeHexLowerCase } from '@oslojs/encoding'
import { and, asc, eq, gte, isNotNull, isNull, lt, or, sql } from 'drizzle-orm'
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator'
import { db } from '~/db/client.server'
import { calendarTokens, organizations, posts, users, type MigrationStatus } from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { generateLinkToken, hashLinkToken, isWellFormedLinkToken } from '~/modules/auth/tokens.server'
import { MIGRATION_STATUS_LABELS } from '~/modules/posts/posts.schema'
import { selectMigrationPlans } from '~/modules/support/migration-plans.server'
import { absoluteUrl, env } from '~/utils/env.server'
import { ok, type Result } from '~/utils/result'

/** How far back the feed goes: plans whose window ended within this many days, and every later one. */
export const CALENDAR_HISTORY_DAYS = 365
/** Most events in one feed. */
const CALENDAR_LIMIT = 2000
/** `lastUsedAt` is written at most this often, so polling calendar apps do not write on every fetch. */
const LAST_USED_GRANULARITY_MS = 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000

/** The feed's address for a token. */
export const calendarUrl = (token: string) => absoluteUrl(`/calendar/${token}.ics`)

/** Hex SHA-256 of a token (the emailed links' hash, as text): what is stored and looked up, never the token itself. */
function hashToken(token: string) {
  return encodeHexLowerCase(hashLinkToken(token))
}

export type CalendarTokenStatus = { createdAt: Date; lastUsedAt: Date | null } | null

/** Whether the actor has a feed address, since when, and when a calendar last read it. Never the address. */
export async function getCalendarTokenStatus(actor: Actor): Promise<CalendarTokenStatus> {
  const [row] = await db
    .select({ createdAt: calendarTokens.createdAt, lastUsedAt: calendarTokens.lastUsedAt })
    .from(calendarTokens)
    .where(eq(calendarTokens.userId, actor.id))
  return row ?? null
}

/**
 * Makes the actor's feed address, or replaces it (the old one stops working
 * at once). Returns the token and the full address — the only time they are
 * known, since only a hash is kept. Any signed-in person may call it for
 * themselves; it cannot fail.
 */
export async function createOrResetCalendarToken(actor: Actor): Promise<Result<{ token: string; url: string; replaced: boolean }>> {
  const token = generateLinkToken()
  const now = new Date()
  const replaced = await db.transaction(async (tx) => {
    const [earlier] = await tx.select({ userId: calendarTokens.userId }).from(calendarTokens).where(eq(calendarTokens.userId, actor.id)).for('update')
    await tx
      .insert(calendarTokens)
      .values({ userId: actor.id, tokenHash: hashToken(token), createdAt: now, lastUsedAt: null })
      .onConflictDoUpdate({ target: calendarTokens.userId, set: { tokenHash: hashToken(token), createdAt: now, lastUsedAt: null } })
    await recordAudit(tx, {
      actorId: actor.id,
      action: earlier ? 'calendar.token_reset' : 'calendar.token_create',
      subjectType: 'user',
      subjectId: actor.id,
    })
    return Boolean(earlier)
  })
  return ok({ token, url: calendarUrl(token), replaced })
}

/** Turns the actor's feed off: the address stops working. Doing it twice changes nothing. */
export async function revokeCalendarToken(actor: Actor): Promise<Result<{ revoked: boolean }>> {
  return db.transaction(async (tx) => {
    const deleted = await tx.delete(calendarTokens).where(eq(calendarTokens.userId, actor.id)).returning({ userId: calendarTokens.userId })
    if (!deleted.length) return ok({ revoked: false })
    await recordAudit(tx, { actorId: actor.id, action: 'calendar.token_revoke', subjectType: 'user', subjectId: actor.id })
    return ok({ revoked: true })
  })
}

export type CalendarEvent = {
  /** The plan's id; the event's UID is derived from it. */
  id: string
  summary: string
  /** First day and the day after the last one (iCalendar's DTEND is exclusive). */
  start: string
  endExclusive: string
  status: MigrationStatus
  url: string
  organizationName: string
  authorName: string
  updatedAt: Date
  createdAt: Date
}

/** The migration plans `reader` may have in their calendar (see the header for who gets what). */
async function listCalendarEvents(reader: Actor, now: Date): Promise<CalendarEvent[]> {
  const since = new Date(now.getTime() - CALENDAR_HISTORY_DAYS * DAY_MS).toISOString().slice(0, 10)
  const rows = await selectMigrationPlans()
    .where(
      and(
        eq(posts.kind, 'migration'),
        isNotNull(posts.windowStart),
        isNotNull(posts.migrationStatus),
        // Hidden plans never, not even for support (they reach them through moderation).
        isNull(posts.hiddenAt),
        gte(sql`coalesce(${posts.windowEnd}, ${posts.windowStart})`, since),
        // Customers: their organization's community plans only, never staff-only ones.
        isStaff(reader) ? undefined : and(eq(posts.organizationId, reader.organizationId), eq(posts.visibility, 'community')),
      ),
    )
    .orderBy(asc(posts.windowStart), asc(posts.id))
    .limit(CALENDAR_LIMIT)
  return rows.map((r) => {
    const last = r.windowEnd ?? r.windowStart!
    const status = r.status!
    const label = status === 'planned' ? '' : ` (${MIGRATION_STATUS_LABELS[status].toLowerCase()})`
    return {
      id: r.id,
      summary: `${r.organizationName}: ${r.productName} ${r.fromName} → ${r.toName}${label}`,
      start: r.windowStart!,
      endExclusive: new Date(Date.parse(`${last}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10),
      status,
      url: absoluteUrl(`/posts/${r.id}`),
      organizationName: r.organizationName,
      authorName: r.authorName,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }
  })
}

/** How each plan status reads in iCalendar's three event statuses. */
const EVENT_STATUS: Record<MigrationStatus, ICalEventStatus> = {
  planned: ICalEventStatus.TENTATIVE,
  in_progress: ICalEventStatus.CONFIRMED,
  done: ICalEventStatus.CONFIRMED,
  postponed: ICalEventStatus.TENTATIVE,
  rolled_back: ICalEventStatus.CANCELLED,
}

/** Renders events as an iCalendar document with ical-generator. */
export function renderCalendar(events: CalendarEvent[], { name }: { name: string }) {
  const host = new URL(env().PUBLIC_URL).hostname
  const calendar = ical({
    name,
    description: 'Migration plans shared in Switchboard, with their planned windows.',
    prodId: { company: 'Switchboard', product: 'Migration calendar', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    // Calendar apps read this as how often to fetch again.
    ttl: 60 * 60,
  })
  for (const event of events) {
    calendar.createEvent({
      // Stable across fetches and resets, so apps update events instead of duplicating them.
      id: `migration-${event.id}@${host}`,
      allDay: true,
      start: event.start,
      end: event.endExclusive,
      // The last change of the plan, not the time of the fetch: unchanged plans read the same.
      stamp: event.updatedAt,
      created: event.createdAt,
      lastModified: event.updatedAt,
      summary: event.summary,
      description: `Status: ${MIGRATION_STATUS_LABELS[event.status]}\nPlanned by ${event.authorName}, ${event.organizationName}\n${event.url}`,
      url: event.url,
      status: EVENT_STATUS[event.status],
      categories: [{ name: MIGRATION_STATUS_LABELS[event.status] }],
    })
  }
  return calendar.toString()
}

/**
 * The feed for a token: the iCalendar text, or null — the same null for a
 * malformed, unknown or replaced token and for a deactivated person, so the
 * caller answers all of them with the same 404. Needs no session.
 */
export async function calendarForToken(token: string, { now = new Date() }: { now?: Date } = {}): Promise<string | null> {
  // A cheap shape check first: junk never reaches the database.
  if (!isWellFormedLinkToken(token)) return null
  const [row] = await db
    .select({
      id: users.id,
      role: users.role,
      organizationId: users.organizationId,
      name: users.name,
      email: users.email,
      active: users.active,
      organizationName: organizations.name,
      lastUsedAt: calendarTokens.lastUsedAt,
    })
    .from(calendarTokens)
    .innerJoin(users, eq(users.id, calendarTokens.userId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    // Looked up by hash (see the header): the token itself is never stored or compared.
    .where(eq(calendarTokens.tokenHash, hashToken(token)))
  if (!row || !row.active) return null
  const reader: Actor = { id: row.id, role: row.role, organizationId: row.organizationId, name: row.name, email: row.email }
  const events = await listCalendarEvents(reader, now)
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    await db
      .update(calendarTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(calendarTokens.userId, row.id), or(isNull(calendarTokens.lastUsedAt), lt(calendarTokens.lastUsedAt, now))))
  }
  return renderCalendar(events, {
    name: isStaff(reader) ? 'Switchboard: every migration' : `Switchboard: ${row.organizationName} migrations`,
  })
}
