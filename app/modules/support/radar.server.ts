/**
 * The migration radar: who moves to which version in the coming weeks, what
 * is known to go wrong in those versions, and which plans slipped.
 *
 * Definitions (the page explains them in the same words):
 * - A migration is *upcoming* when it is planned or in progress, not hidden,
 *   and its window has not ended yet (the window's last day is `windowEnd`,
 *   or `windowStart` for a single day) and starts before the end of the
 *   horizon (`weeks` whole weeks from this week's Monday).
 * - Upcoming migrations are grouped by the ISO week (Monday to Sunday) of
 *   their window's first day. One that started before this week and is still
 *   under way is shown in this week.
 * - A migration *slipped* when its window ended before today and it is still
 *   planned or in progress: nobody marked it done, postponed or rolled back.
 * - The *open problems* of a target version are problems in state open or
 *   answered (not solved) that name the version among those they affect,
 *   hidden ones left out.
 * "Today" is the date on the support team's clock (SUPPORT_TIMEZONE); window
 * dates are calendar dates with no time zone, so week arithmetic is done on
 * them in UTC with date-fns.
 *
 * Everything here is for support and admins (who see staff-only plans and
 * problems too, marked as such); customers get `forbidden`.
 */
import { TZDate, tz } from '@date-fns/tz'
import { addDays, addWeeks, differenceInCalendarDays, format, getISOWeek, getISOWeekYear, parseISO, startOfISOWeek } from 'date-fns'
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import { db } from '~/db/client.server'
import { organizations, posts, postVersions, products, type Visibility } from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { selectMigrationPlans } from '~/modules/support/migration-plans.server'
import { countUpTo } from '~/utils/bounded-count.server'
import { env } from '~/utils/env.server'
import { fail, ok, type Result } from '~/utils/result'

export const RADAR_MESSAGES = {
  supportOnly: 'The migration radar is for the support team.',
  migrationNotFound: 'We could not find that migration plan. It may have been hidden or deleted.',
  samePlan: 'Choose two different customers: someone cannot be introduced to themselves.',
  sameOrganization: 'Both plans belong to the same organization; introductions are between organizations.',
  notSameMove: 'These two plans are not the same move: choose plans to the same version of the same product.',
} as const

/** Weeks the radar looks ahead by default. */
export const RADAR_WEEKS = 12
/** Open problems listed per target version (the count says how many there are in all). */
export const OPEN_PROBLEMS_SHOWN = 5
/** Most slipped plans listed, the most recently slipped first. */
const SLIPPED_LIMIT = 100
/** Most upcoming plans read (far more than twelve weeks of real plans). */
const UPCOMING_LIMIT = 1000

/** Statuses of a plan that has neither finished nor been called off. */
const ACTIVE_STATUSES = ['planned', 'in_progress'] as const

const utc = tz('UTC')
/** A calendar date (YYYY-MM-DD) as a date-fns value at midnight UTC. */
const day = (iso: string) => parseISO(iso, { in: utc })
const isoDay = (date: Date) => format(date, 'yyyy-MM-dd', { in: utc })

/** The date it is at `now` on the clock of `timeZone`, as YYYY-MM-DD. */
export function localDate(now: Date, timeZone: string) {
  return format(new TZDate(now, timeZone), 'yyyy-MM-dd')
}

/** Monday of the ISO week `date` (YYYY-MM-DD) falls in. */
export function weekStart(date: string) {
  return isoDay(startOfISOWeek(day(date), { in: utc }))
}

export type RadarMigration = {
  id: string
  title: string
  status: (typeof ACTIVE_STATUSES)[number]
  visibility: Visibility
  /** First and last day of the window (the same for a single day). */
  windowStart: string
  windowEnd: string
  product: { id: string; name: string; slug: string }
  fromVersion: { id: string; name: string }
  toVersion: { id: string; name: string }
  organization: { id: string; name: string }
  author: { id: string; name: string }
}

export type RadarWeek = {
  /** Monday and Sunday of the week (YYYY-MM-DD). */
  start: string
  end: string
  isoWeek: number
  isoYear: number
  migrations: (RadarMigration & { underWay: boolean })[]
  /** Distinct organizations moving this week. */
  organizationCount: number
}

export type RadarProblem = {
  id: string
  title: string
  state: 'open' | 'answered'
  meTooCount: number
  visibility: Visibility
}

export type RadarTarget = {
  product: { id: string; name: string; slug: string }
  version: { id: string; name: string }
  migrations: RadarMigration[]
  organizationCount: number
  /** The first few open problems of the version, most me-toos first. */
  openProblems: RadarProblem[]
  /** How many open problems the version has, counted up to COUNT_BOUND (`openProblemCountAtLeast` past it). */
  openProblemCount: number
  openProblemCountAtLeast: boolean
  /** Two or more organizations plan this move in community plans: support can introduce them. */
  connectable: boolean
}

export type SlippedMigration = RadarMigration & { daysOverdue: number }

export type Radar = {
  /** Today on the support team's clock, and that clock's time zone. */
  today: string
  timeZone: string
  /** Every week of the horizon, this week first, empty ones included. */
  weeks: RadarWeek[]
  /** Target versions of the upcoming plans, by product name then version order. */
  targets: RadarTarget[]
  slipped: SlippedMigration[]
  /** Distinct organizations with an upcoming plan. */
  organizationCount: number
  /** Every product, for the filter. */
  products: { name: string; slug: string }[]
}

export type RadarOptions = {
  now?: Date
  /** Whole weeks to look ahead, this week included (default 12). */
  weeks?: number
  /** Only plans for this product. */
  productSlug?: string
  /** Default: SUPPORT_TIMEZONE. */
  timeZone?: string
}

const windowLastDay = sql<string>`coalesce(${posts.windowEnd}, ${posts.windowStart})`

async function selectMigrations(where: ReturnType<typeof and>, order: ReturnType<typeof asc>[], limit: number) {
  const rows = await selectMigrationPlans()
    .where(where)
    .orderBy(...order, asc(organizations.name), asc(posts.id))
    .limit(limit)
  return rows.map((r) => ({
    id: r.id,
    title: r.title ?? `${r.productName} ${r.fromName} → ${r.toName}`,
    status: r.status as RadarMigration['status'],
    visibility: r.visibility,
    windowStart: r.windowStart!,
    windowEnd: r.windowEnd ?? r.windowStart!,
    product: { id: r.productId, name: r.productName, slug: r.productSlug },
    fromVersion: { id: r.fromId, name: r.fromName },
    toVersion: { id: r.toId, name: r.toName },
    organization: { id: r.organizationId, name: r.organizationName },
    author: { id: r.authorId, name: r.authorName },
    toOrder: r.toOrder,
  }))
}

const distinctOrganizations = (migrations: Pick<RadarMigration, 'organization'>[]) =>
  new Set(migrations.map((m) => m.organization.id)).size

/**
 * The radar as of `now`: upcoming plans by week and by target version, the
 * open problems of each target version, and the plans that slipped. Support
 * and admins only; `forbidden` otherwise.
 */
export async function migrationRadar(actor: Actor, options: RadarOptions = {}): Promise<Result<Radar, 'forbidden'>> {
  if (!isStaff(actor)) return fail('forbidden', RADAR_MESSAGES.supportOnly)
  const timeZone = options.timeZone ?? env().SUPPORT_TIMEZONE
  const weekCount = Math.max(1, Math.min(options.weeks ?? RADAR_WEEKS, 52))
  const today = localDate(options.now ?? new Date(), timeZone)
  const thisMonday = weekStart(today)
  const horizonEnd = isoDay(addWeeks(day(thisMonday), weekCount, { in: utc })) // exclusive

  const base = and(
    eq(posts.kind, 'migration'),
    isNull(posts.hiddenAt),
    inArray(posts.migrationStatus, [...ACTIVE_STATUSES]),
    isNotNull(posts.windowStart),
    options.productSlug ? eq(products.slug, options.productSlug) : undefined,
  )
  const [upcoming, slippedRows, productList] = await Promise.all([
    selectMigrations(and(base, gte(windowLastDay, today), lt(posts.windowStart, horizonEnd)), [asc(posts.windowStart)], UPCOMING_LIMIT),
    selectMigrations(and(base, lt(windowLastDay, today)), [desc(windowLastDay)], SLIPPED_LIMIT),
    db.select({ name: products.name, slug: products.slug }).from(products).orderBy(asc(products.name)),
  ])

  // By week: every week of the horizon, so a quiet week shows as quiet.
  const weeks: RadarWeek[] = []
  for (let i = 0; i < weekCount; i++) {
    const monday = addWeeks(day(thisMonday), i, { in: utc })
    weeks.push({
      start: isoDay(monday),
      end: isoDay(addDays(monday, 6, { in: utc })),
      isoWeek: getISOWeek(monday, { in: utc }),
      isoYear: getISOWeekYear(monday, { in: utc }),
      migrations: [],
      organizationCount: 0,
    })
  }
  for (const { toOrder: _order, ...m } of upcoming) {
    const underWay = m.windowStart < thisMonday
    const index = underWay ? 0 : differenceInCalendarDays(day(weekStart(m.windowStart)), day(thisMonday), { in: utc }) / 7
    weeks[index]?.migrations.push({ ...m, underWay })
  }
  for (const week of weeks) week.organizationCount = distinctOrganizations(week.migrations)

  // By target version.
  const byVersion = new Map<string, { order: number; target: RadarTarget }>()
  for (const { toOrder, ...m } of upcoming) {
    let entry = byVersion.get(m.toVersion.id)
    if (!entry) {
      entry = {
        order: toOrder,
        target: { product: m.product, version: m.toVersion, migrations: [], organizationCount: 0, openProblems: [], openProblemCount: 0, openProblemCountAtLeast: false, connectable: false },
      }
      byVersion.set(m.toVersion.id, entry)
    }
    entry.target.migrations.push(m)
  }
  const targets = [...byVersion.values()]
    .sort((a, b) => a.target.product.name.localeCompare(b.target.product.name) || a.order - b.order)
    .map((e) => e.target)
  const problems = new Map(await Promise.all([...byVersion.keys()].map(async (versionId) => [versionId, await openProblemsOf(versionId)] as const)))
  for (const target of targets) {
    target.organizationCount = distinctOrganizations(target.migrations)
    // Introductions only start from community plans (see proposeIntroduction).
    target.connectable = distinctOrganizations(target.migrations.filter((m) => m.visibility === 'community')) >= 2
    const mine = problems.get(target.version.id)!
    target.openProblemCount = mine.count.value
    target.openProblemCountAtLeast = mine.count.atLeast
    target.openProblems = mine.shown
  }

  return ok({
    today,
    timeZone,
    weeks,
    targets,
    slipped: slippedRows.map(({ toOrder: _order, ...m }) => ({
      ...m,
      daysOverdue: differenceInCalendarDays(day(today), day(m.windowEnd), { in: utc }),
    })),
    organizationCount: distinctOrganizations(upcoming),
    products: productList,
  })
}

/**
 * The first OPEN_PROBLEMS_SHOWN open and answered problems naming
 * `versionId`, most me-toos first, and how many there are, counted up to
 * COUNT_BOUND: a popular version's problems are never all read.
 */
async function openProblemsOf(versionId: string) {
  const where = and(
    eq(posts.kind, 'problem'),
    inArray(posts.state, ['open', 'answered']),
    isNull(posts.hiddenAt),
    eq(postVersions.versionId, versionId),
  )
  const [rows, count] = await Promise.all([
    db
      .select({
        id: posts.id,
        title: posts.title,
        state: posts.state,
        meTooCount: posts.meTooCount,
        visibility: posts.visibility,
      })
      .from(posts)
      .innerJoin(postVersions, eq(postVersions.postId, posts.id))
      .where(where)
      .orderBy(desc(posts.meTooCount), desc(posts.lastActivityAt), asc(posts.id))
      .limit(OPEN_PROBLEMS_SHOWN),
    countUpTo(db.select({ id: posts.id }).from(posts).innerJoin(postVersions, eq(postVersions.postId, posts.id)).where(where).$dynamic()),
  ])
  return {
    shown: rows.map((r) => ({ ...r, title: r.title ?? '(untitled problem)', state: r.state as RadarProblem['state'] })),
    count,
  }
}

type ConnectFailure = 'forbidden' | 'not_found' | 'same_plan' | 'same_organization' | 'not_same_move'

/**
 * "Connect these customers": checks that two plans are the same move (same
 * product and target version) by two organizations, and names what the
 * introduction proposal needs — the first plan (the subject, whose author is
 * asked first), the other plan's author and that plan (which qualifies
 * them). Nothing is written: the proposal page shows the notes for support
 * to edit, and `proposeIntroduction` checks everything again.
 * Support and admins only. Fails with `forbidden`, `not_found` (either plan
 * missing, hidden or not a migration), `same_plan`, `same_organization` or
 * `not_same_move`.
 */
export async function prepareSameMoveIntroduction(
  actor: Actor,
  input: { migrationId: string; otherMigrationId: string },
): Promise<Result<{ migrationId: string; solverId: string; viaPostId: string }, ConnectFailure>> {
  if (!isStaff(actor)) return fail('forbidden', RADAR_MESSAGES.supportOnly)
  if (input.migrationId === input.otherMigrationId) return fail('same_plan', RADAR_MESSAGES.samePlan, 'otherMigrationId')
  const rows = await db
    .select({
      id: posts.id,
      authorId: posts.authorId,
      organizationId: posts.organizationId,
      productId: posts.productId,
      toVersionId: posts.toVersionId,
    })
    .from(posts)
    .where(and(inArray(posts.id, [input.migrationId, input.otherMigrationId]), eq(posts.kind, 'migration'), isNull(posts.hiddenAt)))
  const plan = rows.find((r) => r.id === input.migrationId)
  const other = rows.find((r) => r.id === input.otherMigrationId)
  if (!plan || !other) return fail('not_found', RADAR_MESSAGES.migrationNotFound)
  if (plan.organizationId === other.organizationId) return fail('same_organization', RADAR_MESSAGES.sameOrganization, 'otherMigrationId')
  if (plan.productId !== other.productId || plan.toVersionId !== other.toVersionId) {
    return fail('not_same_move', RADAR_MESSAGES.notSameMove, 'otherMigrationId')
  }
  return ok({ migrationId: plan.id, solverId: other.authorId, viaPostId: other.id })
}
