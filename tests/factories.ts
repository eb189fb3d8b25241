/**
 * Factories for tests and the demo seed: they insert rows directly, with
 * realistic defaults and unique values, so each test states only what it
 * cares about. The demo world (app/db/seed.ts) is built from these too.
 * They bypass the commands on purpose: no notifications, no emails, no
 * audit entries, only the rows and the counters the commands would keep.
 */
import { asc, eq, sql } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import {
  follows,
  meToos,
  organizationDomains,
  organizations,
  posts,
  postTags,
  postVersions,
  products,
  productVersions,
  replies,
  revisions,
  users,
  type MigrationStatus,
  type PostKind,
  type ProblemState,
  type Role,
  type Visibility,
} from '~/db/schema'
import { hashPassword } from '~/modules/auth/password.server'
import { newId } from '~/utils/result'

export const TEST_PASSWORD = 'correct horse battery staple'

let sequence = 0
const next = () => `${Date.now().toString(36)}${(++sequence).toString(36)}`

const hashes = new Map<string, Promise<string>>()
/** argon2 is slow on purpose; hash each distinct password once per process. */
function cachedHash(password: string) {
  let hash = hashes.get(password)
  if (!hash) {
    hash = hashPassword(password)
    hashes.set(password, hash)
  }
  return hash
}

export async function createOrganization(
  values: { name?: string; domains?: string[]; isVendor?: boolean } = {},
  executor: Executor = db,
) {
  const id = newId()
  const [organization] = await executor
    .insert(organizations)
    .values({ id, name: values.name ?? `Organization ${next()}`, isVendor: values.isVendor ?? false })
    .returning()
  if (values.domains?.length) {
    await executor.insert(organizationDomains).values(values.domains.map((domain) => ({ domain, organizationId: id })))
  }
  return organization!
}

export async function createUser(
  values: {
    email?: string
    name?: string
    role?: Role
    organizationId?: string
    password?: string
    active?: boolean
    /** "Support may introduce me to other customers" (default: yes). */
    introductionsEnabled?: boolean
    /** When the account was made (default: now). */
    createdAt?: Date
  } = {},
  executor: Executor = db,
) {
  const role = values.role ?? 'customer'
  const organizationId =
    values.organizationId ?? (await createOrganization({ isVendor: role !== 'customer' }, executor)).id
  const password = values.password ?? TEST_PASSWORD
  const [user] = await executor
    .insert(users)
    .values({
      id: newId(),
      organizationId,
      email: (values.email ?? `person-${next()}@example.test`).toLowerCase(),
      name: values.name ?? 'Test Person',
      role,
      active: values.active ?? true,
      introductionsEnabled: values.introductionsEnabled ?? true,
      passwordHash: await cachedHash(password),
      ...(values.createdAt ? { createdAt: values.createdAt, updatedAt: values.createdAt } : {}),
    })
    .returning()
  return { ...user!, password }
}

/** A product with its versions, in the given order (a version is a name, or a name and a release date). */
export async function createProduct(
  values: {
    name: string
    slug: string
    description?: string
    versions: (string | { name: string; releasedOn?: string })[]
  },
  executor: Executor = db,
) {
  const id = newId()
  const [product] = await executor
    .insert(products)
    .values({ id, name: values.name, slug: values.slug, description: values.description ?? '' })
    .returning()
  const versions = values.versions.length
    ? await executor
        .insert(productVersions)
        .values(
          values.versions.map((version, index) => ({
            id: newId(),
            productId: id,
            name: typeof version === 'string' ? version : version.name,
            releasedOn: typeof version === 'string' ? null : (version.releasedOn ?? null),
            sortOrder: index,
          })),
        )
        .returning()
    : []
  return { ...product!, versions }
}

/** The acting-user shape commands expect, from a created user. */
export function actorOf(user: { id: string; role: Role; organizationId: string; name: string; email: string }) {
  return { id: user.id, role: user.role, organizationId: user.organizationId, name: user.name, email: user.email }
}

// ---------------------------------------------------------------------------
// Posts, replies, me-toos and follows
//
// One set of rules, two ways to write: `createPost`, `createReply` and
// `addMeToo` write one thing at once (tests), while `PostBatch` gathers a
// whole world in memory and writes it with a few multi-row inserts (the demo
// seed, which must stay fast on PGlite). Both keep the stored counters in
// step with the rows, the way the commands in posts.server.ts do:
// - replyCount counts every reply row (hidden ones too), meTooCount every
//   me_too row;
// - firstResponseAt is the earliest reply or workaround on a problem by
//   someone other than its author;
// - a problem is solved when a workaround is accepted, answered once someone
//   else responded, open otherwise;
// - lastActivityAt moves with replies, workarounds, acceptance and
//   verification (never backwards), not with me-toos;
// - authors, repliers and me-too-ers follow what they took part in (a
//   workaround's author follows its problem).

export type PostRow = typeof posts.$inferSelect
export type ReplyRow = typeof replies.$inferSelect

/** Everything a post factory accepts; unspecified values get realistic defaults. */
export type PostValues = {
  id?: string
  /** Default: problem. */
  kind?: PostKind
  /** Default: a new customer (createPost); required in a batch. */
  authorId?: string
  /** Default: the author's organization. */
  organizationId?: string
  /** Default: a new product with versions 1.0 and 2.0; a workaround takes its problem's. */
  productId?: string
  /** Workarounds: the problem they solve (default: a new problem by someone else). */
  problemId?: string
  /** Default: a made-up title (problems and stories), "<Product> <from> → <to>" (migrations). */
  title?: string | null
  body?: string
  versionIds?: string[]
  tags?: string[]
  /** Default: community; a workaround takes its problem's. */
  visibility?: Visibility
  /** Workarounds: accepted at this time, by `acceptedById` (default: the problem's author). */
  acceptedAt?: Date
  acceptedById?: string
  /** Workarounds: verified by this support user, at `verifiedAt` (default: a day after creation, not in the future). */
  verifiedById?: string
  verifiedAt?: Date
  /** Stories: the problem overcome or the migration completed. */
  relatedPostId?: string
  /** Migrations: default the product's first and last versions, in two weeks, planned. */
  fromVersionId?: string
  toVersionId?: string
  windowStart?: string
  windowEnd?: string | null
  migrationStatus?: MigrationStatus
  /** Hidden by support with a reason the author sees. */
  hiddenById?: string
  hiddenReason?: string
  hiddenAt?: Date
  assignedToId?: string
  /** An earlier version the author replaced at `replacedAt` (kept in revisions; sets editedAt). */
  earlierVersion?: { title?: string | null; body: string; replacedAt: Date }
  /** Default: now. */
  createdAt?: Date
  /** Default: createdAt; later activity only moves it forward. */
  lastActivityAt?: Date
}

export type ReplyValues = {
  postId: string
  /** Default: a new customer (createReply); required in a batch. */
  authorId?: string
  body?: string
  quotedReplyId?: string
  hiddenById?: string
  hiddenReason?: string
  hiddenAt?: Date
  /** Default: now. */
  createdAt?: Date
}

export type MeTooValues = { postId: string; userId?: string; createdAt?: Date }

/** A post as a batch holds it: the insert row with the fields the rules maintain filled in. */
export type PostDraft = typeof posts.$inferInsert & {
  id: string
  kind: PostKind
  authorId: string
  organizationId: string
  productId: string
  problemId: string | null
  title: string | null
  state: ProblemState | null
  visibility: Visibility
  acceptedAt: Date | null
  verifiedAt: Date | null
  hiddenAt: Date | null
  editedAt: Date | null
  firstResponseAt: Date | null
  meTooCount: number
  replyCount: number
  createdAt: Date
  lastActivityAt: Date
  versionIds: string[]
  tags: string[]
}

export type ReplyDraft = typeof replies.$inferInsert & { id: string; postId: string; authorId: string; createdAt: Date }

type ProductCatalog = { name: string; versions: { id: string; name: string }[] }[]

const DAY_MS = 24 * 60 * 60 * 1000
const later = (a: Date, b: Date | null | undefined) => (b && b > a ? b : a)
const earlier = (a: Date, b: Date | null | undefined) => (b && b < a ? b : a)

/** A post loaded from the database into a batch; only changes to it are written back. */
type Adopted = {
  replyDelta: number
  meTooDelta: number
  touched: boolean
  /** A solved problem keeps its accepted workaround, which the batch never saw. */
  hadAccepted: boolean
}

/**
 * Gathers posts, replies, me-toos and follows in memory, applying the same
 * rules as the commands, then writes them all in `flush` with a handful of
 * multi-row inserts. Posts already in the database can take part after
 * `adopt` (their counters are updated on flush).
 */
export class PostBatch {
  readonly now: Date
  private readonly postsById = new Map<string, PostDraft>()
  private readonly order: PostDraft[] = []
  private readonly adopted = new Map<string, Adopted>()
  private readonly replyRows: ReplyDraft[] = []
  private readonly meTooRows: { postId: string; userId: string; createdAt: Date }[] = []
  private readonly meTooKeys = new Set<string>()
  private readonly followRows = new Map<string, { postId: string; userId: string; createdAt: Date }>()
  private readonly revisionRows: (typeof revisions.$inferInsert)[] = []
  private readonly versionNames = new Map<string, { product: string; name: string }>()

  /**
   * @param options.now the default time of everything added (default: now)
   * @param options.products products as `createProduct` returns them, so
   *   migrations get their "<Product> <from> → <to>" title
   */
  constructor(options: { now?: Date; products?: ProductCatalog } = {}) {
    this.now = options.now ?? new Date()
    for (const product of options.products ?? []) {
      for (const version of product.versions) this.versionNames.set(version.id, { product: product.name, name: version.name })
    }
  }

  /** A post of this batch (or adopted into it); throws when unknown. */
  get(postId: string): PostDraft {
    const post = this.postsById.get(postId)
    if (!post) throw new Error(`factories: post ${postId} is not part of this batch (adopt it first)`)
    return post
  }

  /** Lets a post already stored take part (replies, me-toos, workarounds, acceptance). */
  adopt(row: PostRow, extra: { versionIds?: string[]; tags?: string[] } = {}): PostDraft {
    const existing = this.postsById.get(row.id)
    if (existing) return existing
    const draft: PostDraft = { ...row, versionIds: extra.versionIds ?? [], tags: extra.tags ?? [] }
    this.postsById.set(row.id, draft)
    this.adopted.set(row.id, { replyDelta: 0, meTooDelta: 0, touched: false, hadAccepted: row.state === 'solved' })
    return draft
  }

  /** Adds a post of any kind. Required here: authorId and organizationId, and productId unless a workaround. */
  post(values: PostValues): PostDraft {
    const kind = values.kind ?? 'problem'
    const { authorId, organizationId } = values
    if (!authorId || !organizationId) throw new Error('factories: a batch post needs authorId and organizationId')
    const createdAt = values.createdAt ?? this.now
    const problem = kind === 'workaround' ? this.get(required(values.problemId, 'a workaround needs problemId')) : null
    if (problem && problem.kind !== 'problem') throw new Error('factories: a workaround belongs to a problem')
    const productId = problem?.productId ?? required(values.productId, `a ${kind} needs productId`)
    const fromVersionId = kind === 'migration' ? required(values.fromVersionId, 'a migration needs fromVersionId') : null
    const toVersionId = kind === 'migration' ? required(values.toVersionId, 'a migration needs toVersionId') : null
    if (kind === 'story' && values.relatedPostId) {
      const related = this.postsById.get(values.relatedPostId)
      if (related && related.kind !== 'problem' && related.kind !== 'migration') {
        throw new Error('factories: a story links to a problem or a migration')
      }
    }
    const post: PostDraft = {
      id: values.id ?? newId(),
      kind,
      authorId,
      organizationId,
      productId,
      problemId: problem?.id ?? null,
      title: kind === 'workaround' ? null : (values.title ?? this.defaultTitle(kind, fromVersionId, toVersionId)),
      body: values.body ?? DEFAULT_BODIES[kind],
      state: kind === 'problem' ? 'open' : null,
      visibility: values.visibility ?? problem?.visibility ?? 'community',
      acceptedAt: null,
      acceptedById: null,
      verifiedAt: null,
      verifiedById: null,
      relatedPostId: kind === 'story' ? (values.relatedPostId ?? null) : null,
      fromVersionId,
      toVersionId,
      windowStart: kind === 'migration' ? (values.windowStart ?? isoDate(new Date(createdAt.getTime() + 14 * DAY_MS))) : null,
      windowEnd: kind === 'migration' ? (values.windowEnd ?? null) : null,
      migrationStatus: kind === 'migration' ? (values.migrationStatus ?? 'planned') : null,
      hiddenAt: null,
      hiddenById: null,
      hiddenReason: null,
      editedAt: null,
      meTooCount: 0,
      replyCount: 0,
      firstResponseAt: null,
      assignedToId: values.assignedToId ?? null,
      createdAt,
      lastActivityAt: later(createdAt, values.lastActivityAt),
      // Workarounds show under their problem with no versions or tags of their own;
      // a migration concerns its two versions (as planMigration stores them).
      versionIds: kind === 'migration' ? [fromVersionId!, toVersionId!] : kind === 'workaround' ? [] : unique(values.versionIds ?? []),
      tags: kind === 'problem' || kind === 'story' ? unique(values.tags ?? []) : [],
    }
    if (this.postsById.has(post.id)) throw new Error(`factories: post ${post.id} exists already`)
    this.postsById.set(post.id, post)
    this.order.push(post)
    this.follow(problem?.id ?? post.id, authorId, createdAt)

    if (values.hiddenReason || values.hiddenById) {
      post.hiddenAt = values.hiddenAt ?? this.soonAfter(createdAt, 2 * 60 * 60 * 1000)
      post.hiddenById = required(values.hiddenById, 'a hidden post needs hiddenById')
      post.hiddenReason = required(values.hiddenReason, 'a hidden post needs hiddenReason')
    }
    if (values.earlierVersion) {
      post.editedAt = values.earlierVersion.replacedAt
      this.revisionRows.push({
        id: newId(),
        postId: post.id,
        title: kind === 'workaround' ? null : (values.earlierVersion.title ?? post.title),
        body: values.earlierVersion.body,
        authorId,
        createdAt,
        replacedAt: values.earlierVersion.replacedAt,
      })
    }

    if (problem) {
      this.touch(problem, createdAt)
      if (authorId !== problem.authorId) this.responded(problem, createdAt)
      if (values.acceptedAt) this.accept(post, values.acceptedAt, values.acceptedById ?? problem.authorId)
      if (values.verifiedById || values.verifiedAt) {
        const verifiedAt = values.verifiedAt ?? this.soonAfter(createdAt, DAY_MS)
        post.verifiedAt = verifiedAt
        post.verifiedById = required(values.verifiedById, 'a verified workaround needs verifiedById')
        this.touch(post, verifiedAt)
        this.touch(problem, verifiedAt)
      }
    } else if (values.acceptedAt || values.verifiedAt || values.verifiedById) {
      throw new Error('factories: only workarounds can be accepted or verified')
    }
    return post
  }

  /** Adds a reply; counts it, moves activity, marks a problem answered when someone else replied. */
  reply(values: ReplyValues): ReplyDraft {
    const post = this.get(values.postId)
    const authorId = required(values.authorId, 'a batch reply needs authorId')
    const createdAt = values.createdAt ?? this.now
    if (values.quotedReplyId && !this.replyRows.some((r) => r.id === values.quotedReplyId && r.postId === post.id)) {
      throw new Error('factories: a quoted reply must belong to the same post (and this batch)')
    }
    const reply: ReplyDraft = {
      id: newId(),
      postId: post.id,
      authorId,
      body: values.body ?? 'Thanks — this helped us too.',
      quotedReplyId: values.quotedReplyId ?? null,
      hiddenAt: values.hiddenReason ? (values.hiddenAt ?? this.soonAfter(createdAt, 60 * 60 * 1000)) : null,
      hiddenById: values.hiddenReason ? required(values.hiddenById, 'a hidden reply needs hiddenById') : null,
      hiddenReason: values.hiddenReason ?? null,
      createdAt,
      updatedAt: createdAt,
    }
    this.replyRows.push(reply)
    post.replyCount += 1
    this.delta(post.id, 'replyDelta')
    this.touch(post, createdAt)
    if (post.kind === 'problem' && authorId !== post.authorId) this.responded(post, createdAt)
    this.follow(post.id, authorId, createdAt)
    return reply
  }

  /** A customer presses "me too" on someone else's problem. */
  meToo(values: MeTooValues): void {
    const post = this.get(values.postId)
    const userId = required(values.userId, 'a batch me-too needs userId')
    if (post.kind !== 'problem') throw new Error('factories: "me too" is for problems')
    if (post.authorId === userId) throw new Error('factories: nobody presses "me too" on their own problem')
    const key = `${post.id}:${userId}`
    if (this.meTooKeys.has(key)) throw new Error(`factories: ${userId} pressed "me too" on ${post.id} already`)
    this.meTooKeys.add(key)
    const createdAt = values.createdAt ?? this.now
    this.meTooRows.push({ postId: post.id, userId, createdAt })
    post.meTooCount += 1
    this.delta(post.id, 'meTooDelta')
    this.follow(post.id, userId, createdAt)
  }

  /** Records that someone follows a post (once). */
  follow(postId: string, userId: string, createdAt: Date = this.now): void {
    const key = `${postId}:${userId}`
    if (!this.followRows.has(key)) this.followRows.set(key, { postId, userId, createdAt })
  }

  /** Writes everything gathered, in dependency order, then forgets it. */
  async flush(executor: Executor = db): Promise<void> {
    const fresh = this.order.map((post) => {
      const { versionIds: _v, tags: _t, ...row } = post
      return { ...row, updatedAt: lastOf(post.createdAt, post.lastActivityAt, post.editedAt, post.hiddenAt) }
    })
    await insertChunked(executor, posts, fresh)
    await insertChunked(
      executor,
      postVersions,
      this.order.flatMap((p) => p.versionIds.map((versionId) => ({ postId: p.id, versionId }))),
    )
    await insertChunked(
      executor,
      postTags,
      this.order.flatMap((p) => p.tags.map((tag) => ({ postId: p.id, tag }))),
    )
    await insertChunked(executor, revisions, this.revisionRows)
    await insertChunked(executor, replies, this.replyRows)
    await insertChunked(executor, meToos, this.meTooRows)
    const followRows = [...this.followRows.values()]
    for (let i = 0; i < followRows.length; i += CHUNK) {
      await executor.insert(follows).values(followRows.slice(i, i + CHUNK)).onConflictDoNothing()
    }
    for (const [id, change] of this.adopted) {
      if (!change.touched && !change.replyDelta && !change.meTooDelta) continue
      const post = this.get(id)
      await executor
        .update(posts)
        .set({
          state: post.state,
          firstResponseAt: post.firstResponseAt,
          lastActivityAt: post.lastActivityAt,
          updatedAt: lastOf(post.lastActivityAt, post.updatedAt ?? post.createdAt),
          replyCount: sql`${posts.replyCount} + ${change.replyDelta}`,
          meTooCount: sql`${posts.meTooCount} + ${change.meTooDelta}`,
        })
        .where(eq(posts.id, id))
    }
    this.postsById.clear()
    this.order.length = 0
    this.adopted.clear()
    this.replyRows.length = 0
    this.meTooRows.length = 0
    this.meTooKeys.clear()
    this.followRows.clear()
    this.revisionRows.length = 0
  }

  /** `ms` after `at`, but not after the batch's now (and never before `at`). */
  private soonAfter(at: Date, ms: number) {
    return later(at, earlier(new Date(at.getTime() + ms), this.now))
  }

  private accept(workaround: PostDraft, at: Date, byId: string) {
    const problem = this.get(workaround.problemId!)
    const others = this.order.some((p) => p.problemId === problem.id && p.acceptedAt && p.id !== workaround.id)
    if (others || this.adopted.get(problem.id)?.hadAccepted) {
      throw new Error(`factories: problem ${problem.id} has an accepted workaround already`)
    }
    workaround.acceptedAt = at
    workaround.acceptedById = byId
    this.touch(workaround, at)
    this.touch(problem, at)
    problem.state = 'solved'
  }

  /** Someone other than the author replied or posted a workaround on a problem. */
  private responded(problem: PostDraft, at: Date) {
    problem.firstResponseAt = earlier(at, problem.firstResponseAt)
    if (problem.state === 'open') problem.state = 'answered'
    this.markTouched(problem.id)
  }

  private touch(post: PostDraft, at: Date) {
    post.lastActivityAt = later(post.lastActivityAt, at)
    this.markTouched(post.id)
  }

  private markTouched(id: string) {
    const change = this.adopted.get(id)
    if (change) change.touched = true
  }

  private delta(id: string, field: 'replyDelta' | 'meTooDelta') {
    const change = this.adopted.get(id)
    if (change) change[field] += 1
  }

  private defaultTitle(kind: PostKind, fromVersionId: string | null, toVersionId: string | null) {
    if (kind === 'migration') {
      const from = this.versionNames.get(fromVersionId!)
      const to = this.versionNames.get(toVersionId!)
      if (!from || !to) throw new Error('factories: pass the products to the batch (or a title) for a migration')
      return `${from.product} ${from.name} → ${to.name}`
    }
    return kind === 'story' ? `We cut our rollout time in half (${next()})` : `Requests time out after the upgrade (${next()})`
  }
}

const DEFAULT_BODIES: Record<PostKind, string> = {
  problem: 'Since the upgrade, about one request in fifty fails with:\n\n```\nupstream timed out (110: Connection timed out)\n```\n\nIt started right after the change window.',
  workaround: 'Raising the upstream timeout to 30 s and restarting the workers made the errors go away.',
  story: 'We moved all traffic to the new cluster over one weekend without a single failed request.',
  migration: 'One node first, then the rest after a day of watching the error rate.',
}

const CHUNK = 400

async function insertChunked<T extends Record<string, unknown>>(
  executor: Executor,
  table: Parameters<Executor['insert']>[0],
  rows: T[],
) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await executor.insert(table).values(rows.slice(i, i + CHUNK) as never)
  }
}

function required<T>(value: T | undefined | null, message: string): T {
  if (value === undefined || value === null || value === '') throw new Error(`factories: ${message}`)
  return value
}

const unique = <T,>(values: T[]) => [...new Set(values)]
const lastOf = (...dates: (Date | null | undefined)[]) =>
  dates.reduce<Date>((a, b) => later(a, b), new Date(0))

/** YYYY-MM-DD of a time, in UTC (the format of date columns). */
export function isoDate(at: Date) {
  return at.toISOString().slice(0, 10)
}

async function loadPost(executor: Executor, postId: string) {
  const [row] = await executor.select().from(posts).where(eq(posts.id, postId))
  if (!row) throw new Error(`factories: post ${postId} does not exist`)
  return row
}

/** A post with its versions and tags, as stored. */
export async function getStoredPost(postId: string, executor: Executor = db) {
  const row = await loadPost(executor, postId)
  const versions = await executor.select({ id: postVersions.versionId }).from(postVersions).where(eq(postVersions.postId, postId))
  const tags = await executor.select({ tag: postTags.tag }).from(postTags).where(eq(postTags.postId, postId))
  return { ...row, versionIds: versions.map((v) => v.id), tags: tags.map((t) => t.tag) }
}

/**
 * Creates a post of any kind (default: an open problem) with its versions,
 * tags and the author's follow; a workaround updates its problem the way
 * `addWorkaround` does (answered, solved when accepted). Missing people,
 * products and problems are created.
 */
export async function createPost(values: PostValues = {}, executor: Executor = db) {
  const kind = values.kind ?? 'problem'
  const authorId = values.authorId ?? (await createUser({}, executor)).id
  const organizationId = values.organizationId ?? (await organizationOf(executor, authorId))
  const batch = new PostBatch()
  let productId = values.productId
  let problemId = values.problemId
  if (kind === 'workaround') {
    problemId ??= (await createPost({ kind: 'problem', productId }, executor)).id
    productId = batch.adopt(await loadPost(executor, problemId)).productId
  } else {
    productId ??= (await createProduct({ name: `Product ${next()}`, slug: `product-${next()}`, versions: ['1.0', '2.0'] }, executor)).id
  }
  let { fromVersionId, toVersionId, title } = values
  if (kind === 'migration') {
    const versions = await executor
      .select({ id: productVersions.id, name: productVersions.name, product: products.name })
      .from(productVersions)
      .innerJoin(products, eq(products.id, productVersions.productId))
      .where(eq(productVersions.productId, productId))
      .orderBy(asc(productVersions.sortOrder))
    fromVersionId ??= versions[0]?.id
    toVersionId ??= versions.at(-1)?.id
    const from = versions.find((v) => v.id === fromVersionId)
    const to = versions.find((v) => v.id === toVersionId)
    if (!from || !to || from.id === to.id) throw new Error('factories: a migration needs two versions of its product')
    title ??= `${from.product} ${from.name} → ${to.name}`
  }
  const post = batch.post({ ...values, kind, authorId, organizationId, productId, problemId, fromVersionId, toVersionId, title })
  await batch.flush(executor)
  return getStoredPost(post.id, executor)
}

/** Creates a reply to a post, counting it and marking a problem answered when the replier is not its author. */
export async function createReply(values: ReplyValues, executor: Executor = db): Promise<ReplyRow> {
  const authorId = values.authorId ?? (await createUser({}, executor)).id
  const batch = new PostBatch()
  batch.adopt(await loadPost(executor, values.postId))
  if (values.quotedReplyId) {
    const [quoted] = await executor.select().from(replies).where(eq(replies.id, values.quotedReplyId))
    if (!quoted || quoted.postId !== values.postId) throw new Error('factories: a quoted reply must belong to the same post')
  }
  const { quotedReplyId, ...rest } = values
  const reply = batch.reply({ ...rest, authorId })
  if (quotedReplyId) reply.quotedReplyId = quotedReplyId
  await batch.flush(executor)
  const [row] = await executor.select().from(replies).where(eq(replies.id, reply.id))
  return row!
}

/** Someone (default: a new customer) presses "me too" on a problem; returns the new count. */
export async function addMeToo(values: MeTooValues, executor: Executor = db) {
  const userId = values.userId ?? (await createUser({}, executor)).id
  const batch = new PostBatch()
  batch.adopt(await loadPost(executor, values.postId))
  batch.meToo({ ...values, userId })
  await batch.flush(executor)
  const [row] = await executor.select({ count: posts.meTooCount }).from(posts).where(eq(posts.id, values.postId))
  return { postId: values.postId, userId, count: row!.count }
}

/** Someone follows a post (idempotent). */
export async function addFollow(values: { postId: string; userId: string; createdAt?: Date }, executor: Executor = db) {
  await executor.insert(follows).values(values).onConflictDoNothing()
}

async function organizationOf(executor: Executor, userId: string) {
  const [user] = await executor.select({ organizationId: users.organizationId }).from(users).where(eq(users.id, userId))
  if (!user) throw new Error(`factories: user ${userId} does not exist`)
  return user.organizationId
}
