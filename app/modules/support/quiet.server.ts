/**
 * Quiet customers: organizations support has not heard from in a while, and
 * the friendly check-ins support sends them.
 *
 * An organization is heard from when one of its people posts (a problem,
 * workaround, story or migration plan, under the organization), replies, or
 * signs in. It is quiet when the latest of those is older than N days
 * (QUIET_DAYS, default 60) — or, never heard from at all, when it joined
 * more than N days ago — and nobody checked in on it within those N days:
 * after a check-in it leaves the list until it has been quiet for N more
 * days. The vendor's own organization is never a customer, and an
 * organization with nobody who can sign in has nobody to write to, so
 * neither is listed.
 *
 * A check-in is a message a person of support writes to chosen people of
 * the organization: it is emailed to each of them at once, whatever their
 * notification settings (it is a letter, not news about activity), and
 * also appears among their notifications, linking to the message in the
 * hub. It is recorded with its recipients and in the audit log.
 *
 * Everything here is for support and admins (customers get `forbidden`),
 * except reading a check-in one received. Every function takes `now` so
 * tests can fix the clock; activity recorded after `now` has not happened yet.
 */
import { and, asc, desc, eq, gt, inArray, isNull, lte, max, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { db, type Executor } from '~/db/client.server'
import { checkInRecipients, checkIns, organizations, posts, replies, users, type PostKind, type Role } from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { kickMailer, queueEmail } from '~/modules/email/email.server'
import { renderEmail } from '~/modules/email/render.server'
import { notify } from '~/modules/notifications/notifications.server'
import { isUniqueViolation } from '~/utils/db-errors.server'
import { absoluteUrl, env } from '~/utils/env.server'
import { parseInput } from '~/utils/forms'
import { fail, newId, ok, type Result } from '~/utils/result'
import { CHECK_IN_SUBJECT_MAX, CheckInSchema, type CheckInInput } from './quiet.schema'

const DAY_MS = 24 * 60 * 60 * 1000

export const QUIET_MESSAGES = {
  supportOnly: 'Quiet customers and check-ins are for the support team.',
  notFound: 'We could not find that organization. It may have been deleted.',
  vendor: 'This is the vendor’s own organization, not a customer: there is nobody to check in on.',
  nobody: 'Nobody in this organization can sign in right now, so there is nobody to write to.',
  notMember: (organization: string) =>
    `Everyone you write to must be an active member of ${organization}. Choose people from the list.`,
  checkInNotFound: 'We could not find that message.',
}

/** Most organizations the list shows at once, longest silence first. */
export const QUIET_LIMIT = 200

/** What someone last did: a post, a reply or a sign-in. */
export type Activity =
  | { kind: 'post'; at: Date; by: { id: string; name: string }; post: { id: string; kind: PostKind; title: string | null; linkId: string } }
  | { kind: 'reply'; at: Date; by: { id: string; name: string }; post: { id: string; title: string | null } }
  | { kind: 'sign_in'; at: Date; by: { id: string; name: string } }

export type QuietPerson = {
  id: string
  name: string
  email: string
  role: Role
  lastSignInAt: Date | null
  /** Their latest post (any kind); a workaround links to its problem (`linkId`). */
  lastPost: { id: string; kind: PostKind; title: string | null; linkId: string; at: Date } | null
  /** The latest of their posts, replies and sign-ins; null when they never did any. */
  lastActivity: Activity | null
}

export type QuietOrganization = {
  id: string
  name: string
  /** The last time it was heard from, or when it joined if never. */
  silentSince: Date
  /** Whole days since `silentSince`. */
  silentDays: number
  /** What was last heard from it; null: nothing since it joined. */
  lastActivity: Activity | null
  /** Its active people, by name. */
  people: QuietPerson[]
  /** The latest check-in on it (older than the threshold, or it would not be listed). */
  lastCheckIn: { id: string; at: Date; subject: string; by: string } | null
}

export type QuietOptions = {
  now?: Date
  /** Days of silence that make an organization quiet; default QUIET_DAYS. */
  days?: number
}

/** The configured threshold (QUIET_DAYS). */
export function defaultQuietDays() {
  return env().QUIET_DAYS
}

/** A timestamp parameter that both drivers bind the same way. */
const timestamp = (at: Date) => sql`${at.toISOString()}::timestamptz`

const problem = alias(posts, 'problem')
const repliedPost = alias(posts, 'replied_post')
const repliedProblem = alias(posts, 'replied_problem')

function latest<T extends { at: Date }>(...items: (T | null | undefined)[]): T | null {
  let best: T | null = null
  for (const item of items) if (item && (!best || item.at > best.at)) best = item
  return best
}

/**
 * Organizations not heard from in `days` days (default QUIET_DAYS) that
 * nobody checked in on within those days, longest silence first (at most
 * QUIET_LIMIT), each with its active people and what they last did. Support
 * and admins only; `forbidden` otherwise.
 */
export async function quietOrganizations(
  actor: Actor,
  options: QuietOptions = {},
): Promise<Result<{ days: number; organizations: QuietOrganization[] }, 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', QUIET_MESSAGES.supportOnly)
  const now = options.now ?? new Date()
  const days = options.days ?? defaultQuietDays()
  const cutoff = new Date(now.getTime() - days * DAY_MS)
  const nowAt = timestamp(now)
  const cutoffAt = timestamp(cutoff)

  // Per organization, its latest post and its people's latest replies, each
  // read from an index on (organization or author, created_at) one row at a
  // time: the cost follows the number of organizations and people, never the
  // number of posts and replies (decision 0021).
  const lastPostAt = sql`(select max(${posts.createdAt}) from ${posts} where ${posts.organizationId} = ${organizations.id} and ${posts.createdAt} <= ${nowAt})`
  const lastReplyAt = sql`(select max(latest.at) from ${users} as member cross join lateral (
      select ${replies.createdAt} as at from ${replies}
      where ${replies.authorId} = member.id and ${replies.createdAt} <= ${nowAt}
      order by ${replies.createdAt} desc limit 1) as latest
    where member.organization_id = ${organizations.id})`
  const memberAgg = db
    .select({
      organizationId: users.organizationId,
      at: sql<Date | null>`max(${users.lastSignInAt}) filter (where ${users.lastSignInAt} <= ${nowAt})`
        .mapWith(users.lastSignInAt)
        .as('last_sign_in_at'),
      active: sql<number>`count(*) filter (where ${users.active})`.mapWith(Number).as('active_members'),
    })
    .from(users)
    .groupBy(users.organizationId)
    .as('member_agg')
  const checkInAgg = db
    .select({ organizationId: checkIns.organizationId, at: max(checkIns.createdAt).as('last_check_in_at') })
    .from(checkIns)
    .where(sql`${checkIns.createdAt} <= ${nowAt}`)
    .groupBy(checkIns.organizationId)
    .as('check_in_agg')
  // greatest() skips nulls; with no activity at all, the organization is silent since it joined.
  const silentSince: SQL = sql`coalesce(greatest(${lastPostAt}, ${lastReplyAt}, ${memberAgg.at}), ${organizations.createdAt})`
  const rows = await db
    .select({ id: organizations.id, name: organizations.name, createdAt: organizations.createdAt })
    .from(organizations)
    .innerJoin(memberAgg, eq(memberAgg.organizationId, organizations.id))
    .leftJoin(checkInAgg, eq(checkInAgg.organizationId, organizations.id))
    .where(
      and(
        eq(organizations.isVendor, false),
        gt(memberAgg.active, 0),
        sql`${silentSince} < ${cutoffAt}`,
        or(isNull(checkInAgg.at), sql`${checkInAgg.at} < ${cutoffAt}`),
      ),
    )
    .orderBy(sql`${silentSince} asc`, asc(organizations.name), asc(organizations.id))
    .limit(QUIET_LIMIT)
  if (!rows.length) return ok({ days, organizations: [] })

  const ids = rows.map((row) => row.id)
  const [orgPosts, people, lastCheckIns] = await Promise.all([
    // The latest post of each organization (whoever wrote it, active or not).
    db
      .selectDistinctOn([posts.organizationId], {
        organizationId: posts.organizationId,
        id: posts.id,
        kind: posts.kind,
        title: sql<string | null>`coalesce(${posts.title}, ${problem.title})`,
        problemId: posts.problemId,
        at: posts.createdAt,
        authorId: users.id,
        authorName: users.name,
      })
      .from(posts)
      .innerJoin(users, eq(users.id, posts.authorId))
      .leftJoin(problem, eq(problem.id, posts.problemId))
      .where(and(inArray(posts.organizationId, ids), lte(posts.createdAt, now)))
      .orderBy(posts.organizationId, desc(posts.createdAt), desc(posts.id)),
    // Everyone of these organizations: the active ones are listed, everyone's activity counts.
    db
      .select({
        id: users.id,
        organizationId: users.organizationId,
        name: users.name,
        email: users.email,
        role: users.role,
        active: users.active,
        lastSignInAt: users.lastSignInAt,
      })
      .from(users)
      .where(inArray(users.organizationId, ids))
      .orderBy(asc(users.name), asc(users.id)),
    db
      .selectDistinctOn([checkIns.organizationId], {
        organizationId: checkIns.organizationId,
        id: checkIns.id,
        at: checkIns.createdAt,
        subject: checkIns.subject,
        by: users.name,
      })
      .from(checkIns)
      .innerJoin(users, eq(users.id, checkIns.authorId))
      .where(and(inArray(checkIns.organizationId, ids), lte(checkIns.createdAt, now)))
      .orderBy(checkIns.organizationId, desc(checkIns.createdAt), desc(checkIns.id)),
  ])

  const userIds = people.map((person) => person.id)
  const [personPosts, personReplies] = userIds.length
    ? await Promise.all([
        db
          .selectDistinctOn([posts.authorId], {
            authorId: posts.authorId,
            id: posts.id,
            kind: posts.kind,
            title: sql<string | null>`coalesce(${posts.title}, ${problem.title})`,
            problemId: posts.problemId,
            at: posts.createdAt,
          })
          .from(posts)
          .leftJoin(problem, eq(problem.id, posts.problemId))
          .where(and(inArray(posts.authorId, userIds), lte(posts.createdAt, now)))
          .orderBy(posts.authorId, desc(posts.createdAt), desc(posts.id)),
        db
          .selectDistinctOn([replies.authorId], {
            authorId: replies.authorId,
            at: replies.createdAt,
            postId: sql<string>`coalesce(${repliedPost.problemId}, ${repliedPost.id})`,
            title: sql<string | null>`coalesce(${repliedPost.title}, ${repliedProblem.title})`,
          })
          .from(replies)
          .innerJoin(repliedPost, eq(repliedPost.id, replies.postId))
          .leftJoin(repliedProblem, eq(repliedProblem.id, repliedPost.problemId))
          .where(and(inArray(replies.authorId, userIds), lte(replies.createdAt, now)))
          .orderBy(replies.authorId, desc(replies.createdAt), desc(replies.id)),
      ])
    : [[], []]

  const postByAuthor = new Map(personPosts.map((p) => [p.authorId, p]))
  const replyByAuthor = new Map(personReplies.map((r) => [r.authorId, r]))
  const postByOrg = new Map(orgPosts.map((p) => [p.organizationId, p]))
  const checkInByOrg = new Map(lastCheckIns.map((c) => [c.organizationId, c]))

  const organizationsOut = rows.map((row): QuietOrganization => {
    const members = people.filter((person) => person.organizationId === row.id)
    const activities: Activity[] = []
    const listed: QuietPerson[] = []
    for (const person of members) {
      const by = { id: person.id, name: person.name }
      const signedIn = person.lastSignInAt && person.lastSignInAt <= now ? person.lastSignInAt : null
      const post = postByAuthor.get(person.id)
      const reply = replyByAuthor.get(person.id)
      const lastPost = post ? { id: post.id, kind: post.kind, title: post.title, linkId: post.problemId ?? post.id, at: post.at } : null
      const mine = latest<Activity>(
        signedIn ? { kind: 'sign_in', at: signedIn, by } : null,
        lastPost ? { kind: 'post', at: lastPost.at, by, post: { id: lastPost.id, kind: lastPost.kind, title: lastPost.title, linkId: lastPost.linkId } } : null,
        reply ? { kind: 'reply', at: reply.at, by, post: { id: reply.postId, title: reply.title } } : null,
      )
      // Posts count for the organization they were written under (below), replies and sign-ins for the person's.
      const orgSide = latest<Activity>(
        signedIn ? { kind: 'sign_in', at: signedIn, by } : null,
        reply ? { kind: 'reply', at: reply.at, by, post: { id: reply.postId, title: reply.title } } : null,
      )
      if (orgSide) activities.push(orgSide)
      if (person.active) {
        listed.push({
          id: person.id,
          name: person.name,
          email: person.email,
          role: person.role,
          lastSignInAt: signedIn,
          lastPost,
          lastActivity: mine,
        })
      }
    }
    const orgPost = postByOrg.get(row.id)
    if (orgPost) {
      activities.push({
        kind: 'post',
        at: orgPost.at,
        by: { id: orgPost.authorId, name: orgPost.authorName },
        post: { id: orgPost.id, kind: orgPost.kind, title: orgPost.title, linkId: orgPost.problemId ?? orgPost.id },
      })
    }
    const lastActivity = latest(...activities)
    const silentSince = lastActivity?.at ?? row.createdAt
    const checkIn = checkInByOrg.get(row.id)
    return {
      id: row.id,
      name: row.name,
      silentSince,
      silentDays: Math.floor((now.getTime() - silentSince.getTime()) / DAY_MS),
      lastActivity,
      people: listed,
      lastCheckIn: checkIn ? { id: checkIn.id, at: checkIn.at, subject: checkIn.subject, by: checkIn.by } : null,
    }
  })
  return ok({ days, organizations: organizationsOut })
}

// -- the check-in ---------------------------------------------------------------------------

type Recipient = { id: string; name: string; email: string; role: Role }

export type CheckInDraft = {
  organization: { id: string; name: string }
  /** Its active people, by name: the ones a check-in may go to. */
  people: Recipient[]
  subject: string
  body: string
}

type DraftFailure = 'forbidden' | 'not_found' | 'not_customer' | 'nobody'

/** A customer organization by id; `not_found`, or `not_customer` for the vendor's own. */
async function customerOrganization(executor: Executor, organizationId: string): Promise<Result<{ id: string; name: string }, 'not_found' | 'not_customer'>> {
  const [organization] = await executor
    .select({ id: organizations.id, name: organizations.name, isVendor: organizations.isVendor })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
  if (!organization) return fail('not_found', QUIET_MESSAGES.notFound)
  if (organization.isVendor) return fail('not_customer', QUIET_MESSAGES.vendor)
  return ok({ id: organization.id, name: organization.name })
}

/** Loads a customer organization and its active people, or the named reason why there is nobody to write to. */
async function loadCustomer(organizationId: string): Promise<Result<{ organization: { id: string; name: string }; people: Recipient[] }, Exclude<DraftFailure, 'forbidden'>>> {
  const customer = await customerOrganization(db, organizationId)
  if (!customer.ok) return customer
  const organization = customer.value
  const people = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.active, true)))
    .orderBy(asc(users.name), asc(users.id))
  if (!people.length) return fail('nobody', QUIET_MESSAGES.nobody)
  return ok({ organization, people })
}

/** "Hello Owen," / "Hello Owen and Nadia," / "Hello everyone at Elmhurst," for larger groups. */
function greeting(names: string[], organization: string) {
  const first = [...new Set(names.map((name) => name.trim().split(/\s+/)[0] || name))]
  if (first.length === 0 || first.length > 4) return `Hello everyone at ${organization},`
  if (first.length === 1) return `Hello ${first[0]},`
  return `Hello ${first.slice(0, -1).join(', ')} and ${first.at(-1)},`
}

/**
 * The friendly message a check-in starts from, in the sender's voice: it
 * names the organization and its people, and says how to reach support.
 */
export function draftCheckIn(input: { organization: string; names: string[]; sender: string; vendor: string }) {
  const subject = `How are things at ${input.organization}?`.slice(0, CHECK_IN_SUBJECT_MAX)
  const body = [
    greeting(input.names, input.organization),
    `We have not heard from ${input.organization} for a while, so I wanted to check in. How is everything running on your side? Is something slowing you down, or is an upgrade coming up that we could help you get ready for?`,
    `Whenever something is in your way, log it as a problem at ${absoluteUrl('/problems/new')} — the support team answers it on the same support day, and customers who met the same thing often add what worked for them. Planning an upgrade? Add it at ${absoluteUrl('/migrations/new')} and we will show you what others ran into on the same move.`,
    `If all is well, we are glad to hear it, and there is no need to answer.`,
    `Best regards,\n${input.sender}\n${input.vendor} support`,
  ].join('\n\n')
  return { subject, body }
}

/**
 * The check-in form's starting point for an organization: its active
 * people (all of them chosen at first) and a friendly, editable message.
 * Support and admins only. Fails with `forbidden`, `not_found`,
 * `not_customer` (the vendor's own organization) or `nobody` (no active people).
 */
export async function checkInDraft(actor: Actor, organizationId: string): Promise<Result<CheckInDraft, DraftFailure>> {
  if (!isStaff(actor)) return fail('forbidden', QUIET_MESSAGES.supportOnly)
  const loaded = await loadCustomer(organizationId)
  if (!loaded.ok) return loaded
  const [vendor] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, actor.organizationId))
  const { organization, people } = loaded.value
  return ok({
    organization,
    people,
    ...draftCheckIn({ organization: organization.name, names: people.map((p) => p.name), sender: actor.name, vendor: vendor?.name ?? 'Switchboard' }),
  })
}

export type CheckInCommand = CheckInInput & { organizationId: string }

type CheckInFailure = 'forbidden' | 'invalid' | 'not_found' | 'not_customer' | 'not_member'

/** Paragraphs of a message as typed: split at blank lines, line breaks inside kept. */
function paragraphsOf(body: string) {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/^\n+|\s+$/g, ''))
    .filter((paragraph) => paragraph.trim().length > 0)
}

async function checkInBySubmissionKey(tx: Executor, authorId: string, key: string | undefined) {
  if (!key) return null
  const [earlier] = await tx
    .select({ id: checkIns.id, organizationId: checkIns.organizationId, organizationName: organizations.name })
    .from(checkIns)
    .innerJoin(organizations, eq(organizations.id, checkIns.organizationId))
    .where(and(eq(checkIns.authorId, authorId), eq(checkIns.submissionKey, key)))
  return earlier ?? null
}

/**
 * Checks in on an organization: records the message and its recipients,
 * emails it to each of them at once (through the outbox), adds an in-app
 * notification for each, and writes an audit entry, all in one transaction.
 * The recipients must be active members of the organization. A repeated
 * `submissionKey` (a double submit) answers with the first check-in and
 * sends nothing again. Support and admins only. Fails with `forbidden`,
 * `invalid` (the form's rules, with the field), `not_found`,
 * `not_customer` (the vendor's own organization) or `not_member`.
 */
export async function checkIn(
  actor: Actor,
  input: CheckInCommand,
  options: { now?: Date } = {},
): Promise<Result<{ id: string; organizationId: string; organizationName: string; created: boolean }, CheckInFailure>> {
  if (!isStaff(actor)) return fail('forbidden', QUIET_MESSAGES.supportOnly)
  const parsed = parseInput(CheckInSchema, input)
  if (!parsed.ok) return parsed
  const { subject, body, submissionKey } = parsed.value
  const recipientIds = [...new Set(parsed.value.recipientIds)]
  const now = options.now ?? new Date()
  let outcome: Result<{ id: string; organizationId: string; organizationName: string; created: boolean }, CheckInFailure>
  try {
    outcome = await db.transaction(async (tx) => {
      const earlier = await checkInBySubmissionKey(tx, actor.id, submissionKey)
      if (earlier) return ok({ ...earlier, created: false })
      const customer = await customerOrganization(tx, input.organizationId)
      if (!customer.ok) return customer
      const organization = customer.value
      const recipients = await tx
        .select({ id: users.id, name: users.name, email: users.email })
        .from(users)
        .where(and(inArray(users.id, recipientIds), eq(users.organizationId, organization.id), eq(users.active, true)))
      if (recipients.length !== recipientIds.length) {
        return fail('not_member', QUIET_MESSAGES.notMember(organization.name), 'recipientIds')
      }
      const id = newId()
      await tx.insert(checkIns).values({
        id,
        organizationId: organization.id,
        authorId: actor.id,
        subject,
        body,
        submissionKey: submissionKey || null,
        createdAt: now,
      })
      await tx.insert(checkInRecipients).values(recipients.map((r) => ({ checkInId: id, userId: r.id })))
      const path = `/check-ins/${id}`
      await notify(tx, {
        event: 'check_in',
        recipients: recipients.map((r) => r.id),
        actorId: actor.id,
        postId: null,
        summary: `${actor.name} of the support team wrote to you: “${subject}”`,
        path,
        dedupeKey: `check-in:${id}`,
      })
      const paragraphs = paragraphsOf(body)
      const others = recipients.length - 1
      for (const recipient of recipients) {
        await queueEmail(tx, {
          to: recipient.email,
          dedupeKey: `check-in:${id}:${recipient.id}`,
          ...renderEmail({
            subject,
            greeting: null,
            paragraphs,
            action: { label: 'Open Switchboard', url: absoluteUrl(path) },
            footer: `${actor.name} of the support team wrote this to you${others > 0 ? ` and ${others} other${others === 1 ? '' : 's'}` : ''} at ${organization.name}. It is also in your notifications in Switchboard.`,
          }),
        })
      }
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'organization.check_in',
        subjectType: 'organization',
        subjectId: organization.id,
        details: { checkInId: id, recipients: recipients.map((r) => r.id), subject },
      })
      return ok({ id, organizationId: organization.id, organizationName: organization.name, created: true })
    })
  } catch (error) {
    // Two submissions at once: the unique index let one in; answer with it.
    if (isUniqueViolation(error, 'check_ins_submission_key')) {
      const earlier = await checkInBySubmissionKey(db, actor.id, submissionKey)
      if (earlier) return ok({ ...earlier, created: false })
    }
    throw error
  }
  if (outcome.ok && outcome.value.created) kickMailer()
  return outcome
}

// -- reading check-ins ----------------------------------------------------------------------

export type CheckInView = {
  id: string
  subject: string
  body: string
  createdAt: Date
  author: { id: string; name: string }
  organization: { id: string; name: string }
  recipients: { id: string; name: string }[]
}

async function recipientsOf(checkInIds: string[]) {
  if (!checkInIds.length) return new Map<string, { id: string; name: string }[]>()
  const rows = await db
    .select({ checkInId: checkInRecipients.checkInId, id: users.id, name: users.name })
    .from(checkInRecipients)
    .innerJoin(users, eq(users.id, checkInRecipients.userId))
    .where(inArray(checkInRecipients.checkInId, checkInIds))
    .orderBy(asc(users.name), asc(users.id))
  const byCheckIn = new Map<string, { id: string; name: string }[]>()
  for (const row of rows) {
    const list = byCheckIn.get(row.checkInId) ?? []
    list.push({ id: row.id, name: row.name })
    byCheckIn.set(row.checkInId, list)
  }
  return byCheckIn
}

const checkInColumns = {
  id: checkIns.id,
  subject: checkIns.subject,
  body: checkIns.body,
  createdAt: checkIns.createdAt,
  authorId: users.id,
  authorName: users.name,
  organizationId: organizations.id,
  organizationName: organizations.name,
}

type CheckInRow = {
  id: string
  subject: string
  body: string
  createdAt: Date
  authorId: string
  authorName: string
  organizationId: string
  organizationName: string
}

function toView(row: CheckInRow, recipients: Map<string, { id: string; name: string }[]>): CheckInView {
  return {
    id: row.id,
    subject: row.subject,
    body: row.body,
    createdAt: row.createdAt,
    author: { id: row.authorId, name: row.authorName },
    organization: { id: row.organizationId, name: row.organizationName },
    recipients: recipients.get(row.id) ?? [],
  }
}

/**
 * Every check-in on an organization, newest first (at most 50), with who
 * wrote it and to whom. Support and admins only; `forbidden` otherwise.
 */
export async function listCheckIns(actor: Actor, organizationId: string): Promise<Result<CheckInView[], 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', QUIET_MESSAGES.supportOnly)
  const rows = await db
    .select(checkInColumns)
    .from(checkIns)
    .innerJoin(users, eq(users.id, checkIns.authorId))
    .innerJoin(organizations, eq(organizations.id, checkIns.organizationId))
    .where(eq(checkIns.organizationId, organizationId))
    .orderBy(desc(checkIns.createdAt), desc(checkIns.id))
    .limit(50)
  const recipients = await recipientsOf(rows.map((row) => row.id))
  return ok(rows.map((row) => toView(row, recipients)))
}

/**
 * One check-in, for someone it was sent to or for support and admins.
 * Anyone else gets `not_found`, the same as for a check-in that does not
 * exist, so its existence is not revealed.
 */
export async function getCheckIn(actor: Actor, checkInId: string): Promise<Result<CheckInView, 'not_found'>> {
  const [row] = await db
    .select(checkInColumns)
    .from(checkIns)
    .innerJoin(users, eq(users.id, checkIns.authorId))
    .innerJoin(organizations, eq(organizations.id, checkIns.organizationId))
    .where(eq(checkIns.id, checkInId))
  if (!row) return fail('not_found', QUIET_MESSAGES.checkInNotFound)
  const recipients = await recipientsOf([row.id])
  const list = recipients.get(row.id) ?? []
  if (!isStaff(actor) && !list.some((r) => r.id === actor.id)) return fail('not_found', QUIET_MESSAGES.checkInNotFound)
  return ok(toView(row, recipients))
}
