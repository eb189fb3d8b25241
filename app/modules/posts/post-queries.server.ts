/**
 * Reading posts. Every query takes the actor and applies the same
 * visibility rule as the commands (see `visibleTo`): customers never receive
 * staff-only posts, nor hidden ones except their own, through any list,
 * count or page. Staff-only details (me-too names, edit history) are only
 * filled in for staff.
 */
import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { db } from '~/db/client.server'
import {
  follows,
  meToos,
  organizations,
  posts,
  postReaders,
  postTags,
  postVersions,
  productVersions,
  products,
  replies,
  revisions,
  users,
  type PostKind,
  type ProblemState,
  type Visibility,
} from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { COUNT_BOUND } from '~/utils/bounded-count'
import { countUpTo } from '~/utils/bounded-count.server'
import { keysetPage, type Cursor, type KeysetPage } from '~/utils/keyset'
import { exactTime, keysetOrder, keysetWhere } from '~/utils/keyset.server'
import { maySee, withReaders } from './posts.server'

/** Cards per page of an activity list (home, person page). */
export const PAGE_SIZE = 20

const problems = alias(posts, 'problem')

/** The columns the visibility rule reads: a post's own, or (on a workaround) the copy of its problem's. */
type VisibilityColumns = {
  visibility: typeof posts.visibility | typeof posts.problemVisibility
  hiddenAt: typeof posts.hiddenAt | typeof posts.problemHiddenAt
  authorId: typeof posts.authorId | typeof posts.problemAuthorId
  /** The post these columns describe (for who it was shared with, `post_readers`). */
  id: typeof posts.id | typeof posts.problemId
}

/** Not hidden, or hidden but the actor's own. */
const notHiddenFor = (actor: Pick<Actor, 'id'>, c: VisibilityColumns) => or(isNull(c.hiddenAt), eq(c.authorId, actor.id))

/**
 * Who reads a post by its visibility, hiding aside: community posts, their
 * own (staff-only and private posts stay readable by their author), and
 * private ones shared with them (`post_readers`). A new visibility value is
 * one edit here (and in `maySee`, its form for one loaded post).
 */
const audienceOf = (actor: Pick<Actor, 'id'>, c: VisibilityColumns) =>
  sql`(${c.visibility} = 'community' or ${c.authorId} = ${actor.id} or (${c.visibility} = 'private' and exists (select 1 from ${postReaders} where ${postReaders.postId} = ${c.id} and ${postReaders.userId} = ${actor.id})))`

/**
 * The SQL form of `maySee`, for lists, the one place the rule is written
 * for them: staff read everything (undefined: no condition); a customer
 * reads a post that is not hidden (or is their own) and is in its audience.
 * A workaround also needs its problem readable, judged from the copy of the
 * problem's fields on the workaround's own row (kept by triggers, decision
 * 0021), so PostgreSQL checks each row it reads from an index without
 * looking its problem up. A workaround as restricted as its problem (both
 * staff-only, or both private) is read by whoever reads the problem, so the
 * problem's author reads support's answers on it; one support restricted on
 * a community problem stays support's (and its author's).
 */
export function visibleTo(actor: Pick<Actor, 'id' | 'role'>): SQL | undefined {
  if (isStaff(actor)) return undefined
  const problem: VisibilityColumns = {
    visibility: posts.problemVisibility,
    hiddenAt: posts.problemHiddenAt,
    authorId: posts.problemAuthorId,
    id: posts.problemId,
  }
  return and(
    notHiddenFor(actor, posts),
    or(
      and(isNull(posts.problemId), audienceOf(actor, posts)),
      and(
        isNotNull(posts.problemId),
        notHiddenFor(actor, problem),
        audienceOf(actor, problem),
        or(sql`${posts.visibility} = ${posts.problemVisibility}`, audienceOf(actor, posts)),
      ),
    ),
  )
}

/** `maySee`, and for a workaround also its problem: a workaround is only as visible as its problem. */
async function mayOpen(actor: Actor, post: typeof posts.$inferSelect) {
  if (!post.problemId) return maySee(actor, await withReaders(db, post))
  const [problem] = await db
    .select({ id: posts.id, visibility: posts.visibility, hiddenAt: posts.hiddenAt, authorId: posts.authorId })
    .from(posts)
    .where(eq(posts.id, post.problemId))
  if (!problem) return false
  return maySee(actor, { ...(await withReaders(db, post)), problemVisibility: problem.visibility }) && maySee(actor, await withReaders(db, problem))
}

/** Hidden posts are left out of lists even for staff, who reach them from moderation. */
const notHidden = isNull(posts.hiddenAt)

export type ActivityFilters = {
  kind?: PostKind
  productSlug?: string
  versionId?: string
  state?: ProblemState
  authorId?: string
  /** Where the page starts (`cursorFrom`); the newest page when absent. */
  cursor?: Cursor | null
}

type Card = {
  id: string
  kind: PostKind
  title: string | null
  problemId: string | null
  problemTitle: string | null
  state: ProblemState | null
  visibility: Visibility
  meTooCount: number
  replyCount: number
  accepted: boolean
  verified: boolean
  migrationStatus: string | null
  windowStart: string | null
  windowEnd: string | null
  createdAt: Date
  lastActivityAt: Date
  authorId: string
  authorName: string
  organizationName: string
  productName: string
  productSlug: string
  excerpt: string
}

const cardColumns = {
  id: posts.id,
  kind: posts.kind,
  title: posts.title,
  problemId: posts.problemId,
  problemTitle: problems.title,
  state: posts.state,
  visibility: posts.visibility,
  meTooCount: posts.meTooCount,
  replyCount: posts.replyCount,
  acceptedAt: posts.acceptedAt,
  verifiedAt: posts.verifiedAt,
  migrationStatus: posts.migrationStatus,
  windowStart: posts.windowStart,
  windowEnd: posts.windowEnd,
  createdAt: posts.createdAt,
  lastActivityAt: posts.lastActivityAt,
  authorId: posts.authorId,
  authorName: users.name,
  organizationName: organizations.name,
  productName: products.name,
  productSlug: products.slug,
  excerpt: sql<string>`left(${posts.body}, 400)`,
  cursorAt: exactTime(posts.lastActivityAt),
}

/** The card rows of posts matching `where`, in `order`, at most `limit` (joins only for the rows kept). */
function cardRows(where: SQL | undefined, order: SQL[], limit: number) {
  return db
    .select(cardColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(organizations, eq(organizations.id, posts.organizationId))
    .innerJoin(products, eq(products.id, posts.productId))
    .leftJoin(problems, eq(problems.id, posts.problemId))
    .where(where)
    .orderBy(...order)
    .limit(limit)
}

function toCard({ acceptedAt, verifiedAt, cursorAt: _cursor, ...row }: Awaited<ReturnType<typeof cardRows>>[number]): Card {
  return { ...row, accepted: Boolean(acceptedAt), verified: Boolean(verifiedAt), excerpt: plainExcerpt(row.excerpt) }
}

/**
 * A product page section counts up to this many ("100+"): it shows ten and
 * links to the full list, and four sections counted to 1,000 would read
 * 4,000 rows per view.
 */
export const SECTION_COUNT_BOUND = 100

/** Up to `limit` cards in `order`, and how many match in all, counted up to `bound` (product page sections). */
async function cardSection(where: SQL | undefined, order: SQL[], limit: number, bound = SECTION_COUNT_BOUND) {
  const [rows, total] = await Promise.all([
    cardRows(where, order, limit),
    countUpTo(db.select({ id: posts.id }).from(posts).where(where).$dynamic(), bound),
  ])
  return { items: rows.map(toCard), total }
}

/**
 * A keyset page of cards, newest activity first (id as tie-break): reads
 * about a page of rows from the matching list index wherever the page is.
 */
async function activityPage(where: SQL | undefined, cursor: Cursor | null | undefined, pageSize = PAGE_SIZE): Promise<KeysetPage<Card>> {
  const position = keysetWhere(posts.lastActivityAt, posts.id, cursor)
  const rows = await cardRows(and(where, position), keysetOrder(posts.lastActivityAt, posts.id, cursor), pageSize + 1)
  const page = keysetPage(rows, pageSize, cursor ?? null)
  return { ...page, items: page.items.map(toCard) }
}

/** A product's id from its slug, as a subquery: lists filter on posts' own column, which their indexes lead with. */
const productIdOf = (slug: string) => sql`(select ${products.id} from ${products} where ${products.slug} = ${slug})`

/** Markdown to a short line of plain text for cards. */
export function plainExcerpt(markdown: string, max = 220) {
  const text = markdown
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^[>#\-*+\d.\s]+/gm, '')
    .replace(/[*_~]+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text
}

/**
 * Recent activity for the home page, filtered by kind, product, version and
 * state, newest first, a keyset page at a time (`filters.cursor`).
 */
export async function listActivity(actor: Actor, filters: ActivityFilters = {}) {
  const conditions: (SQL | undefined)[] = [visibleTo(actor), notHidden]
  if (filters.kind) conditions.push(eq(posts.kind, filters.kind))
  if (filters.productSlug) conditions.push(eq(posts.productId, productIdOf(filters.productSlug)))
  if (filters.versionId) {
    conditions.push(
      sql`exists (select 1 from ${postVersions} where ${postVersions.postId} = coalesce(${posts.problemId}, ${posts.id}) and ${postVersions.versionId} = ${filters.versionId})`,
    )
  }
  if (filters.state) conditions.push(and(eq(posts.kind, 'problem'), eq(posts.state, filters.state)))
  if (filters.authorId) conditions.push(eq(posts.authorId, filters.authorId))
  return activityPage(and(...conditions), filters.cursor)
}

/** Products with their versions, for filters and forms (retired versions flagged). */
export async function listProductsWithVersions() {
  const [productRows, versionRows] = await Promise.all([
    db.select().from(products).orderBy(asc(products.name)),
    db.select().from(productVersions).orderBy(asc(productVersions.sortOrder), asc(productVersions.name)),
  ])
  return productRows.map((p) => ({
    id: p.id,
    slug: p.slug,
    name: p.name,
    description: p.description,
    versions: versionRows
      .filter((v) => v.productId === p.id)
      .map((v) => ({ id: v.id, name: v.name, retired: Boolean(v.retiredAt) })),
  }))
}

/** Everything the page of one post shows, for this actor; null when they may not see it. */
export async function getPostPage(actor: Actor, postId: string) {
  if (typeof postId !== 'string' || postId.length > 64) return null
  const [post] = await db
    .select({
      post: posts,
      authorName: users.name,
      authorRole: users.role,
      organizationName: organizations.name,
      productName: products.name,
      productSlug: products.slug,
    })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(organizations, eq(organizations.id, posts.organizationId))
    .innerJoin(products, eq(products.id, posts.productId))
    .where(eq(posts.id, postId))
  if (!post || !(await mayOpen(actor, post.post))) return null
  // Workarounds live on their problem's page.
  if (post.post.kind === 'workaround') return { redirectTo: `/posts/${post.post.problemId}#workaround-${post.post.id}` }

  const staff = isStaff(actor)
  const p = post.post
  const [versionRows, tagRows, workaroundRows, replyRows, following, meToo, meTooPeople, revisionCount] = await Promise.all([
    db
      .select({ id: productVersions.id, name: productVersions.name })
      .from(postVersions)
      .innerJoin(productVersions, eq(productVersions.id, postVersions.versionId))
      .where(eq(postVersions.postId, p.id))
      .orderBy(asc(productVersions.sortOrder)),
    db.select({ tag: postTags.tag }).from(postTags).where(eq(postTags.postId, p.id)).orderBy(asc(postTags.tag)),
    p.kind === 'problem'
      ? db
          .select({
            id: posts.id,
            body: posts.body,
            authorId: posts.authorId,
            authorName: users.name,
            organizationName: organizations.name,
            acceptedAt: posts.acceptedAt,
            verifiedAt: posts.verifiedAt,
            hiddenAt: posts.hiddenAt,
            hiddenReason: posts.hiddenReason,
            editedAt: posts.editedAt,
            createdAt: posts.createdAt,
            visibility: posts.visibility,
          })
          .from(posts)
          .innerJoin(users, eq(users.id, posts.authorId))
          .innerJoin(organizations, eq(organizations.id, posts.organizationId))
          .where(eq(posts.problemId, p.id))
          // Accepted first, then verified, then newest.
          .orderBy(sql`${posts.acceptedAt} is null`, sql`${posts.verifiedAt} is null`, desc(posts.createdAt))
      : Promise.resolve([]),
    db
      .select({
        id: replies.id,
        body: replies.body,
        authorId: replies.authorId,
        authorName: users.name,
        authorRole: users.role,
        organizationName: organizations.name,
        quotedReplyId: replies.quotedReplyId,
        hiddenAt: replies.hiddenAt,
        hiddenReason: replies.hiddenReason,
        editedAt: replies.editedAt,
        createdAt: replies.createdAt,
      })
      .from(replies)
      .innerJoin(users, eq(users.id, replies.authorId))
      .innerJoin(organizations, eq(organizations.id, users.organizationId))
      .where(eq(replies.postId, p.id))
      .orderBy(asc(replies.createdAt), asc(replies.id)),
    db.select({ userId: follows.userId }).from(follows).where(and(eq(follows.postId, p.id), eq(follows.userId, actor.id))),
    db.select({ userId: meToos.userId }).from(meToos).where(and(eq(meToos.postId, p.id), eq(meToos.userId, actor.id))),
    staff
      ? db
          .select({ id: users.id, name: users.name, organizationName: organizations.name, at: meToos.createdAt })
          .from(meToos)
          .innerJoin(users, eq(users.id, meToos.userId))
          .innerJoin(organizations, eq(organizations.id, users.organizationId))
          .where(eq(meToos.postId, p.id))
          .orderBy(asc(meToos.createdAt))
      : Promise.resolve([]),
    staff
      ? db.select({ value: count() }).from(revisions).where(eq(revisions.postId, p.id))
      : Promise.resolve([{ value: 0 }]),
  ])

  // Customers see hidden workarounds and replies only when they wrote them, and
  // no staff-only workaround (support may restrict one on a community problem).
  // The problem is readable here; a workaround as restricted as it is readable with it.
  const workarounds = workaroundRows.filter((w) => maySee(actor, { ...w, problemVisibility: p.visibility }))
  const visibleReplies = replyRows.filter((r) => staff || !r.hiddenAt || r.authorId === actor.id)
  const hiddenReplyCount = replyRows.length - visibleReplies.length

  // Who a private post is shared with, for those who may read it (the author, those people, support).
  const sharedWith =
    p.visibility === 'private'
      ? await db
          .select({ id: users.id, name: users.name })
          .from(postReaders)
          .innerJoin(users, eq(users.id, postReaders.userId))
          .where(eq(postReaders.postId, p.id))
          .orderBy(asc(users.name))
      : []

  let migration: Awaited<ReturnType<typeof migrationContext>> | null = null
  if (p.kind === 'migration') migration = await migrationContext(actor, p)
  let related: { id: string; title: string | null; kind: PostKind } | null = null
  if (p.relatedPostId) {
    const [r] = await db.select().from(posts).where(eq(posts.id, p.relatedPostId))
    if (r && maySee(actor, await withReaders(db, r))) related = { id: r.id, title: r.title, kind: r.kind }
  }

  return {
    redirectTo: null,
    post: {
      id: p.id,
      kind: p.kind,
      title: p.title,
      body: p.body,
      state: p.state,
      visibility: p.visibility,
      meTooCount: p.meTooCount,
      replyCount: p.replyCount,
      createdAt: p.createdAt,
      editedAt: p.editedAt,
      hiddenAt: p.hiddenAt,
      hiddenReason: p.hiddenAt && (staff || p.authorId === actor.id) ? p.hiddenReason : null,
      migrationStatus: p.migrationStatus,
      windowStart: p.windowStart,
      windowEnd: p.windowEnd,
      fromVersionId: p.fromVersionId,
      toVersionId: p.toVersionId,
      productId: p.productId,
      authorId: p.authorId,
      authorName: post.authorName,
      authorRole: post.authorRole,
      organizationName: post.organizationName,
      productName: post.productName,
      productSlug: post.productSlug,
      versions: versionRows,
      tags: tagRows.map((t) => t.tag),
    },
    workarounds: workarounds.map((w) => ({
      ...w,
      hiddenReason: w.hiddenAt && (staff || w.authorId === actor.id) ? w.hiddenReason : null,
    })),
    replies: visibleReplies.map((r) => ({
      ...r,
      hiddenReason: r.hiddenAt && (staff || r.authorId === actor.id) ? r.hiddenReason : null,
    })),
    hiddenReplyCount,
    sharedWith,
    related,
    migration,
    viewer: {
      id: actor.id,
      staff,
      isAuthor: p.authorId === actor.id,
      following: following.length > 0,
      meToo: meToo.length > 0,
      canAccept: p.kind === 'problem' && (staff || p.authorId === actor.id),
      canMeToo: p.kind === 'problem' && !staff && p.authorId !== actor.id,
    },
    staffOnly: staff ? { meTooPeople, revisionCount: revisionCount[0]?.value ?? 0 } : null,
  }
}

/** For a migration's page: open problems known for its target version, and who else plans the move. */
async function migrationContext(actor: Actor, migration: typeof posts.$inferSelect) {
  if (!migration.toVersionId) return { openProblems: [], otherOrganizations: 0, fromVersion: null, toVersion: null }
  const [openProblems, [others], versionNames] = await Promise.all([
    db
      .select({ id: posts.id, title: posts.title, state: posts.state, meTooCount: posts.meTooCount })
      .from(posts)
      .innerJoin(postVersions, and(eq(postVersions.postId, posts.id), eq(postVersions.versionId, migration.toVersionId)))
      .where(and(eq(posts.kind, 'problem'), ne(posts.state, 'solved'), notHidden, visibleTo(actor)))
      .orderBy(desc(posts.meTooCount), desc(posts.lastActivityAt))
      .limit(20),
    db
      .select({ value: sql<number>`count(distinct ${posts.organizationId})::int` })
      .from(posts)
      .where(
        and(
          eq(posts.kind, 'migration'),
          eq(posts.fromVersionId, migration.fromVersionId ?? ''),
          eq(posts.toVersionId, migration.toVersionId),
          ne(posts.organizationId, migration.organizationId),
          inArray(posts.migrationStatus, ['planned', 'in_progress', 'postponed']),
          notHidden,
          // A staff-only plan is not counted for customers either.
          visibleTo(actor),
        ),
      ),
    db
      .select({ id: productVersions.id, name: productVersions.name })
      .from(productVersions)
      .where(inArray(productVersions.id, [migration.fromVersionId ?? '', migration.toVersionId])),
  ])
  return {
    openProblems,
    otherOrganizations: others?.value ?? 0,
    fromVersion: versionNames.find((v) => v.id === migration.fromVersionId)?.name ?? null,
    toVersion: versionNames.find((v) => v.id === migration.toVersionId)?.name ?? null,
  }
}

/** A product's page: its open problems, solutions, stories and upcoming migrations. */
export async function getProductPage(actor: Actor, slug: string) {
  const [product] = await db.select().from(products).where(eq(products.slug, slug))
  if (!product) return null
  const visible = and(visibleTo(actor), notHidden, eq(posts.productId, product.id))
  const today = new Date().toISOString().slice(0, 10)
  const [openProblems, solutions, stories, migrations, versions] = await Promise.all([
    cardSection(and(visible, eq(posts.kind, 'problem'), ne(posts.state, 'solved')), [desc(posts.lastActivityAt), desc(posts.id)], 10),
    cardSection(
      and(visible, eq(posts.kind, 'workaround'), or(isNotNull(posts.acceptedAt), isNotNull(posts.verifiedAt))),
      [desc(posts.lastActivityAt), desc(posts.id)],
      10,
    ),
    cardSection(and(visible, eq(posts.kind, 'story')), [desc(posts.createdAt), desc(posts.id)], 10),
    cardSection(
      and(visible, eq(posts.kind, 'migration'), gte(sql`coalesce(${posts.windowEnd}, ${posts.windowStart})`, today)),
      [asc(posts.windowStart), asc(posts.id)],
      10,
    ),
    db.select().from(productVersions).where(eq(productVersions.productId, product.id)).orderBy(asc(productVersions.sortOrder)),
  ])
  return { product, versions, openProblems, solutions, stories, migrations }
}

/**
 * A person's public profile: their visible posts (a keyset page from
 * `cursor`), how many there are and how many of their workarounds were
 * accepted, both counted up to COUNT_BOUND.
 */
export async function getPersonPage(actor: Actor, userId: string, cursor: Cursor | null = null, countBound = COUNT_BOUND) {
  if (typeof userId !== 'string' || userId.length > 64) return null
  const [person] = await db
    .select({ id: users.id, name: users.name, role: users.role, active: users.active, createdAt: users.createdAt, organizationName: organizations.name })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, userId))
  if (!person) return null
  const theirs = and(eq(posts.authorId, userId), visibleTo(actor), notHidden)
  const [accepted, total, list] = await Promise.all([
    countUpTo(db.select({ id: posts.id }).from(posts).where(and(theirs, eq(posts.kind, 'workaround'), isNotNull(posts.acceptedAt))).$dynamic(), countBound),
    countUpTo(db.select({ id: posts.id }).from(posts).where(theirs).$dynamic(), countBound),
    listActivity(actor, { authorId: userId, cursor }),
  ])
  return { person, acceptedWorkarounds: accepted, postCount: total, posts: list }
}

/** Earlier versions of a post and its replies. Support only. */
export async function listRevisions(actor: Actor, postId: string) {
  if (!isStaff(actor)) return null
  const [post] = await db.select({ id: posts.id, title: posts.title, kind: posts.kind }).from(posts).where(eq(posts.id, postId))
  if (!post) return null
  const replyIds = db.select({ id: replies.id }).from(replies).where(eq(replies.postId, postId))
  const rows = await db
    .select({
      id: revisions.id,
      replyId: revisions.replyId,
      title: revisions.title,
      body: revisions.body,
      createdAt: revisions.createdAt,
      replacedAt: revisions.replacedAt,
      authorName: users.name,
    })
    .from(revisions)
    .leftJoin(users, eq(users.id, revisions.authorId))
    .where(or(eq(revisions.postId, postId), inArray(revisions.replyId, replyIds)))
    .orderBy(desc(revisions.replacedAt))
  return { post, revisions: rows }
}

/** One reply the actor may see (for quoting and editing). */
export async function getReply(actor: Actor, replyId: string) {
  if (typeof replyId !== 'string' || replyId.length > 64) return null
  const [row] = await db
    .select({ reply: replies, authorName: users.name, post: posts })
    .from(replies)
    .innerJoin(users, eq(users.id, replies.authorId))
    .innerJoin(posts, eq(posts.id, replies.postId))
    .where(eq(replies.id, replyId))
  if (!row || !(await mayOpen(actor, row.post))) return null
  if (row.reply.hiddenAt && !isStaff(actor) && row.reply.authorId !== actor.id) return null
  return { ...row.reply, authorName: row.authorName, pagePostId: row.post.problemId ?? row.post.id }
}

/** A post the actor wrote, for its edit form. */
export async function getOwnPostForEdit(actor: Actor, postId: string) {
  if (typeof postId !== 'string' || postId.length > 64) return null
  const [post] = await db.select().from(posts).where(eq(posts.id, postId))
  if (!post || post.authorId !== actor.id || !(await mayOpen(actor, post))) return null
  const tags = await db.select({ tag: postTags.tag }).from(postTags).where(eq(postTags.postId, post.id))
  return { ...post, tags: tags.map((t) => t.tag) }
}

/** New accepted or verified workarounds for the Atom feed: public posts only, never staff-only or hidden. */
export async function listFeedSolutions({ productSlug, limit = 50 }: { productSlug?: string; limit?: number } = {}) {
  const solvedAt = sql<Date>`greatest(${posts.acceptedAt}, ${posts.verifiedAt})`
  return db
    .select({
      id: posts.id,
      body: posts.body,
      problemId: posts.problemId,
      problemTitle: problems.title,
      authorName: users.name,
      productName: products.name,
      productSlug: products.slug,
      acceptedAt: posts.acceptedAt,
      verifiedAt: posts.verifiedAt,
      updatedAt: posts.updatedAt,
      solvedAt,
    })
    .from(posts)
    .innerJoin(problems, eq(problems.id, posts.problemId))
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(products, eq(products.id, posts.productId))
    .where(
      and(
        eq(posts.kind, 'workaround'),
        or(isNotNull(posts.acceptedAt), isNotNull(posts.verifiedAt)),
        eq(posts.visibility, 'community'),
        isNull(posts.hiddenAt),
        eq(problems.visibility, 'community'),
        isNull(problems.hiddenAt),
        productSlug ? eq(products.slug, productSlug) : undefined,
      ),
    )
    .orderBy(desc(solvedAt))
    .limit(limit)
}

/**
 * The colleagues a customer may share a private problem with: the active
 * customers of their own organization, by name (at most 200). Support has
 * nobody to choose (support reads every private post anyway): empty.
 */
export async function listShareableColleagues(actor: Actor) {
  if (isStaff(actor)) return []
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.organizationId, actor.organizationId), eq(users.active, true), eq(users.role, 'customer'), ne(users.id, actor.id)))
    .orderBy(asc(users.name), asc(users.id))
    .limit(200)
}
