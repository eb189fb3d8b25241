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
import { and, asc, desc, eq, gt, gte, isNull, lte, ne, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { db } from '~/db/client.server'
import { organizations, posts, products, users } from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { COUNT_BOUND, type BoundedCount } from '~/utils/bounded-count'
import { countUpTo } from '~/utils/bounded-count.server'
import { env } from '~/utils/env.server'
import { fail, ok, type Result } from '~/utils/result'
import { parseSchedule, sameDayTarget, type SupportSchedule } from './support-hours'

export const QUEUE_MESSAGES = {
  supportOnly: 'The support queue is for the support team.',
  notFound: 'We could not find that problem. It may have been deleted.',
  notProblem: 'Only problems can be assigned.',
}

/** Most rows the queue shows at once; the page says how many more wait (counted up to COUNT_BOUND). */
export const QUEUE_LIMIT = 200
/**
 * Most problems logged in the last 30 days that the metrics read (newest
 * first): past it the figures are over the newest this many, and say so.
 */
export const METRICS_ROW_LIMIT = 5000

/** The configured support hours (SUPPORT_HOURS, SUPPORT_DAYS, SUPPORT_TIMEZONE). */
export function supportSchedule(): SupportSchedule {
  const e = env()
  return parseSchedule({ hours: e.SUPPORT_HOURS, days: e.SUPPORT_DAYS, timeZone: e.SUPPORT_TIMEZONE })
}

const assignee = alias(users, 'assignee')

/**
 * A problem waiting in the queue: no answer yet by anyone but its author,
 * not hidden, not solved. Written as the `posts_waiting_idx` partial index
 * is, so the queue reads it oldest first and stops after a page.
 */
const waiting = and(
  eq(posts.kind, 'problem'),
  isNull(posts.hiddenAt),
  isNull(posts.firstResponseAt),
  or(isNull(posts.state), ne(posts.state, 'solved')),
)

/** A product's id from its slug, as a subquery, so the filter is on posts' own column. */
const productIdOf = (slug: string) => sql`(select ${products.id} from ${products} where ${products.slug} = ${slug})`

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
  /** Rows shown (default QUEUE_LIMIT) and how far the waiting ones are counted (default COUNT_BOUND). */
  limit?: number
  countBound?: number
  now?: Date
  /** Default: the configured support hours. */
  schedule?: SupportSchedule
}

/** The queue's first page and how many problems wait in all (counted up to a bound). */
export type Queue = { items: QueueItem[]; total: BoundedCount }

/**
 * The queue, oldest first (at most QUEUE_LIMIT rows), and how many wait in
 * all, counted up to COUNT_BOUND. Support and admins only; `forbidden`
 * otherwise.
 */
export async function listQueue(actor: Actor, options: QueueOptions = {}): Promise<Result<Queue, 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', QUEUE_MESSAGES.supportOnly)
  const now = options.now ?? new Date()
  const schedule = options.schedule ?? supportSchedule()
  const where = and(waiting, options.productSlug ? eq(posts.productId, productIdOf(options.productSlug)) : undefined)
  const rowsQuery = db
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
    .where(where)
    .orderBy(asc(posts.createdAt), asc(posts.id))
    .limit(options.limit ?? QUEUE_LIMIT)
  const [rows, total] = await Promise.all([
    rowsQuery,
    countUpTo(db.select({ id: posts.id }).from(posts).where(where).$dynamic(), options.countBound ?? COUNT_BOUND),
  ])
  return ok({
    total,
    items: rows.map((row) => {
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
  })
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
  /** True when more than METRICS_ROW_LIMIT problems were logged: the figures are over the newest that many. */
  partial: boolean
  /** Every problem waiting now (whenever logged), by age, each counted up to COUNT_BOUND. */
  openByAge: { key: string; label: string; count: number; atLeast: boolean }[]
}

/** The queue's figures for one view: the last 7 and 30 days from one read, and what waits by age. */
export type QueueFigures = { week: QueueMetrics; month: QueueMetrics }

function median(values: number[]) {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const HOUR_MS = 3_600_000

/**
 * Problems waiting at `now`, by age, each bucket counted up to `bound`. A
 * bucket is a range of `created_at`, counted twice: the unanswered ones on
 * the queue's partial index, and (for a clock in the past) the ones
 * answered after `now`, on the first-response index, so neither count scans
 * the problems answered long ago.
 */
async function openByAge(now: Date, bound: number): Promise<QueueMetrics['openByAge']> {
  const notSolved = or(isNull(posts.state), ne(posts.state, 'solved'))
  const live = and(eq(posts.kind, 'problem'), isNull(posts.hiddenAt), notSolved)
  const counts = await Promise.all(
    AGE_BUCKETS.map(async (bucket, i) => {
      // Bucket i holds ages in [the previous bucket's maxHours, its own): created in (now - max, now - previous max].
      const previous = i === 0 ? 0 : AGE_BUCKETS[i - 1]!.maxHours
      const inBucket = and(
        lte(posts.createdAt, new Date(now.getTime() - previous * HOUR_MS)),
        Number.isFinite(bucket.maxHours) ? gt(posts.createdAt, new Date(now.getTime() - bucket.maxHours * HOUR_MS)) : undefined,
      )
      const [unanswered, answeredLater] = await Promise.all([
        countUpTo(db.select({ id: posts.id }).from(posts).where(and(live, isNull(posts.firstResponseAt), inBucket)).$dynamic(), bound),
        countUpTo(db.select({ id: posts.id }).from(posts).where(and(live, gt(posts.firstResponseAt, now), inBucket)).$dynamic(), bound),
      ])
      const value = unanswered.value + answeredLater.value
      return { key: bucket.key, label: bucket.label, count: Math.min(value, bound), atLeast: value > bound || unanswered.atLeast || answeredLater.atLeast }
    }),
  )
  return counts
}

function windowMetrics(
  rows: { createdAt: Date; firstResponseAt: Date | null }[],
  days: 7 | 30,
  now: Date,
  schedule: SupportSchedule,
  partial: boolean,
  byAge: QueueMetrics['openByAge'],
): QueueMetrics {
  const since = now.getTime() - days * 24 * HOUR_MS
  const minutes: number[] = []
  let answeredSameDay = 0
  let answeredLater = 0
  let stillUnanswered = 0
  let decided = 0
  let logged = 0
  for (const row of rows) {
    if (row.createdAt.getTime() < since) continue
    logged++
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
  const medianMinutes = median(minutes)
  return {
    days,
    logged,
    answered: minutes.length,
    medianMinutesToFirstResponse: medianMinutes === null ? null : Math.round(medianMinutes),
    answeredSameDay,
    answeredLater,
    decided,
    sameDayShare: decided ? answeredSameDay / decided : null,
    stillUnanswered,
    // Only the 30-day window can reach the limit: the rows are read newest first.
    partial: partial && days === 30,
    openByAge: byAge,
  }
}

/**
 * How the queue did over the last 7 and 30 days (problems logged in the
 * window, hidden ones left out) and what waits now by age, from one bounded
 * read per view: at most METRICS_ROW_LIMIT problems of the window, and
 * bounded counts by age. Support and admins only; `forbidden` otherwise.
 */
export async function queueFigures(
  actor: Actor,
  options: { now?: Date; schedule?: SupportSchedule; rowLimit?: number; countBound?: number } = {},
): Promise<Result<QueueFigures, 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', QUEUE_MESSAGES.supportOnly)
  const now = options.now ?? new Date()
  const schedule = options.schedule ?? supportSchedule()
  const limit = options.rowLimit ?? METRICS_ROW_LIMIT
  const since = new Date(now.getTime() - 30 * 24 * HOUR_MS)
  const [logged, byAge] = await Promise.all([
    db
      .select({ createdAt: posts.createdAt, firstResponseAt: posts.firstResponseAt })
      .from(posts)
      .where(and(eq(posts.kind, 'problem'), isNull(posts.hiddenAt), gte(posts.createdAt, since), lte(posts.createdAt, now)))
      .orderBy(desc(posts.createdAt))
      .limit(limit + 1),
    openByAge(now, options.countBound ?? COUNT_BOUND),
  ])
  const partial = logged.length > limit
  const rows = logged.slice(0, limit)
  return ok({
    week: windowMetrics(rows, 7, now, schedule, partial, byAge),
    month: windowMetrics(rows, 30, now, schedule, partial, byAge),
  })
}

/**
 * One window of `queueFigures` (7 or 30 days). Support and admins only;
 * `forbidden` otherwise. A page showing both calls `queueFigures` once.
 */
export async function queueMetrics(
  actor: Actor,
  options: { days: 7 | 30; now?: Date; schedule?: SupportSchedule },
): Promise<Result<QueueMetrics, 'forbidden'>> {
  const figures = await queueFigures(actor, options)
  if (!figures.ok) return figures
  return ok(options.days === 7 ? figures.value.week : figures.value.month)
}
