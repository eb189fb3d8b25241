/**
 * The support queue: problems nobody but their author has answered yet,
 * oldest first, each against its same-day target (see support-hours.ts),
 * and the figures that show how the team keeps that promise.
 *
 * Everything here is for support and admins; customers get `forbidden`.
 * "Answered" means `posts.firstResponseAt`, which the posts commands set on
 * the first reply or workaround by someone other than the author. Hidden
 * problems and problems their author already solved are left out.
 * Every function takes `now` so tests can fix the clock.
 */
import { and, asc, eq, gt, gte, isNull, lte, ne, or } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { db } from '~/db/client.server'
import { organizations, posts, products, users } from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { env } from '~/utils/env.server'
import { fail, ok, type Result } from '~/utils/result'
import { parseSchedule, sameDayTarget, type SupportSchedule } from './support-hours'

export const QUEUE_MESSAGES = {
  supportOnly: 'The support queue is for the support team.',
  notFound: 'We could not find that problem. It may have been deleted.',
  notProblem: 'Only problems can be assigned.',
}

/** Most rows the queue shows at once; older ones appear as newer are answered. */
export const QUEUE_LIMIT = 200

/** The configured support hours (SUPPORT_HOURS, SUPPORT_DAYS, SUPPORT_TIMEZONE). */
export function supportSchedule(): SupportSchedule {
  const e = env()
  return parseSchedule({ hours: e.SUPPORT_HOURS, days: e.SUPPORT_DAYS, timeZone: e.SUPPORT_TIMEZONE })
}

const assignee = alias(users, 'assignee')

/** A problem waiting in the queue: no answer yet by anyone but its author, not hidden, not solved. */
const waiting = and(
  eq(posts.kind, 'problem'),
  isNull(posts.hiddenAt),
  isNull(posts.firstResponseAt),
  or(isNull(posts.state), ne(posts.state, 'solved')),
)

export type QueueItem = {
  id: string
  title: string
  visibility: 'community' | 'staff' | 'private'
  product: { name: string; slug: string }
  author: { id: string; name: string }
  organization: { id: string; name: string }
  createdAt: Date
  /** Milliseconds since the problem was logged. */
  ageMs: number
  /** End of the support day it arrived on (or the next support day). */
  dueAt: Date
  overdue: boolean
  assignedTo: { id: string; name: string } | null
}

export type QueueOptions = {
  /** Only problems about this product. */
  productSlug?: string
  now?: Date
  /** Default: the configured support hours. */
  schedule?: SupportSchedule
}

/**
 * The queue, oldest first (at most QUEUE_LIMIT rows). Support and admins only;
 * `forbidden` otherwise.
 */
export async function listQueue(actor: Actor, options: QueueOptions = {}): Promise<Result<QueueItem[], 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', QUEUE_MESSAGES.supportOnly)
  const now = options.now ?? new Date()
  const schedule = options.schedule ?? supportSchedule()
  const rows = await db
    .select({
      id: posts.id,
      title: posts.title,
      visibility: posts.visibility,
      createdAt: posts.createdAt,
      productName: products.name,
      productSlug: products.slug,
      authorId: users.id,
      authorName: users.name,
      organizationId: organizations.id,
      organizationName: organizations.name,
      assigneeId: assignee.id,
      assigneeName: assignee.name,
    })
    .from(posts)
    .innerJoin(products, eq(products.id, posts.productId))
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(organizations, eq(organizations.id, posts.organizationId))
    .leftJoin(assignee, eq(assignee.id, posts.assignedToId))
    .where(and(waiting, options.productSlug ? eq(products.slug, options.productSlug) : undefined))
    .orderBy(asc(posts.createdAt), asc(posts.id))
    .limit(QUEUE_LIMIT)
  return ok(
    rows.map((row) => {
      const dueAt = sameDayTarget(row.createdAt, schedule)
      return {
        id: row.id,
        title: row.title ?? '(untitled problem)',
        visibility: row.visibility,
        product: { name: row.productName, slug: row.productSlug },
        author: { id: row.authorId, name: row.authorName },
        organization: { id: row.organizationId, name: row.organizationName },
        createdAt: row.createdAt,
        ageMs: Math.max(0, now.getTime() - row.createdAt.getTime()),
        dueAt,
        overdue: now > dueAt,
        assignedTo: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName! } : null,
      }
    }),
  )
}

/** Products for the queue's filter, by name. Support and admins only. */
export async function listQueueProducts(actor: Actor): Promise<Result<{ name: string; slug: string }[], 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', QUEUE_MESSAGES.supportOnly)
  return ok(await db.select({ name: products.name, slug: products.slug }).from(products).orderBy(asc(products.name)))
}

type AssignFailure = 'forbidden' | 'not_found' | 'not_problem'

async function setAssignee(actor: Actor, problemId: string, assigneeId: string | null): Promise<Result<undefined, AssignFailure>> {
  if (!isStaff(actor)) return fail('forbidden', QUEUE_MESSAGES.supportOnly)
  return db.transaction(async (tx) => {
    const [problem] = await tx
      .select({ kind: posts.kind, assignedToId: posts.assignedToId })
      .from(posts)
      .where(eq(posts.id, problemId))
      .for('update')
    if (!problem) return fail('not_found', QUEUE_MESSAGES.notFound)
    if (problem.kind !== 'problem') return fail('not_problem', QUEUE_MESSAGES.notProblem)
    // Repeating the same click changes nothing and records nothing.
    if (problem.assignedToId === assigneeId) return ok()
    await tx.update(posts).set({ assignedToId: assigneeId }).where(eq(posts.id, problemId))
    await recordAudit(tx, {
      actorId: actor.id,
      action: assigneeId ? 'problem.assign' : 'problem.unassign',
      subjectType: 'post',
      subjectId: problemId,
      details: { from: problem.assignedToId, to: assigneeId },
    })
    return ok()
  })
}

/**
 * Takes a problem: assigns it to the acting support person (replacing anyone
 * else), with an audit entry. Fails with `forbidden` (not support),
 * `not_found` or `not_problem`.
 */
export function assignToMe(actor: Actor, problemId: string) {
  return setAssignee(actor, problemId, actor.id)
}

/** Clears a problem's assignee, with an audit entry. Same failures as `assignToMe`. */
export function unassign(actor: Actor, problemId: string) {
  return setAssignee(actor, problemId, null)
}

/** Age buckets of open problems, youngest first. */
export const AGE_BUCKETS = [
  { key: 'under4h', label: 'Under 4 hours', maxHours: 4 },
  { key: '4to24h', label: '4–24 hours', maxHours: 24 },
  { key: '1to3d', label: '1–3 days', maxHours: 72 },
  { key: '3to7d', label: '3–7 days', maxHours: 168 },
  { key: 'over7d', label: 'Over 7 days', maxHours: Infinity },
] as const

export type QueueMetrics = {
  days: 7 | 30
  /** Problems logged in the window. */
  logged: number
  /** Of those, answered by someone other than the author. */
  answered: number
  /** Median minutes from logging to first response, of those answered; null when none. */
  medianMinutesToFirstResponse: number | null
  /** Answered before their same-day target. */
  answeredSameDay: number
  /** Answered after their target. */
  answeredLater: number
  /** Problems whose target has passed or that were answered: the base of `sameDayShare`. */
  decided: number
  /** answeredSameDay / decided, 0–1; null when nothing is decided yet. */
  sameDayShare: number | null
  /** Logged in the window and still unanswered. */
  stillUnanswered: number
  /** Every problem waiting now (whenever logged), by age. */
  openByAge: { key: string; label: string; count: number }[]
}

function median(values: number[]) {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * How the queue did over the last `days` days (problems logged in the
 * window, hidden ones left out), and what waits now by age. Support and
 * admins only; `forbidden` otherwise.
 */
export async function queueMetrics(
  actor: Actor,
  options: { days: 7 | 30; now?: Date; schedule?: SupportSchedule },
): Promise<Result<QueueMetrics, 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', QUEUE_MESSAGES.supportOnly)
  const now = options.now ?? new Date()
  const schedule = options.schedule ?? supportSchedule()
  const since = new Date(now.getTime() - options.days * 24 * 60 * 60 * 1000)
  const [logged, open] = await Promise.all([
    db
      .select({ createdAt: posts.createdAt, firstResponseAt: posts.firstResponseAt })
      .from(posts)
      .where(and(eq(posts.kind, 'problem'), isNull(posts.hiddenAt), gte(posts.createdAt, since), lte(posts.createdAt, now))),
    db
      .select({ createdAt: posts.createdAt })
      .from(posts)
      // As the queue stood at `now`: a response recorded later had not happened yet.
      .where(
        and(
          eq(posts.kind, 'problem'),
          isNull(posts.hiddenAt),
          or(isNull(posts.firstResponseAt), gt(posts.firstResponseAt, now)),
          or(isNull(posts.state), ne(posts.state, 'solved')),
          lte(posts.createdAt, now),
        ),
      ),
  ])
  const minutes: number[] = []
  let answeredSameDay = 0
  let answeredLater = 0
  let stillUnanswered = 0
  let decided = 0
  for (const row of logged) {
    const dueAt = sameDayTarget(row.createdAt, schedule)
    // A response recorded after `now` (a fixed clock in the past) has not happened yet.
    const responded = row.firstResponseAt && row.firstResponseAt <= now ? row.firstResponseAt : null
    if (responded) {
      minutes.push((responded.getTime() - row.createdAt.getTime()) / 60_000)
      if (responded <= dueAt) answeredSameDay++
      else answeredLater++
      decided++
    } else {
      stillUnanswered++
      if (dueAt < now) decided++
    }
  }
  const counts = AGE_BUCKETS.map(() => 0)
  for (const row of open) {
    const hours = (now.getTime() - row.createdAt.getTime()) / 3_600_000
    const index = AGE_BUCKETS.findIndex((bucket) => hours < bucket.maxHours)
    counts[index]!++
  }
  const medianMinutes = median(minutes)
  return ok({
    days: options.days,
    logged: logged.length,
    answered: minutes.length,
    medianMinutesToFirstResponse: medianMinutes === null ? null : Math.round(medianMinutes),
    answeredSameDay,
    answeredLater,
    decided,
    sameDayShare: decided ? answeredSameDay / decided : null,
    stillUnanswered,
    openByAge: AGE_BUCKETS.map((bucket, i) => ({ key: bucket.key, label: bucket.label, count: counts[i]! })),
  })
}
