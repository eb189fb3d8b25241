/**
 * Posts: the commands customers and support use to log problems, add
 * workarounds, tell success stories, plan migrations, reply, edit, accept,
 * verify, hide, and press "me too" or "follow".
 *
 * Every command: validate what the schema cannot (ids exist, belong to the
 * product), load, check the policy (who may do this to this post), then write
 * in one transaction, with notifications and their emails in that same
 * transaction. Expected failures are named outcomes with a message.
 * Reads are in post-queries.server.ts.
 */
import { and, eq, inArray, isNotNull, sql, TransactionRollbackError } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import {
  follows,
  meToos,
  postReaders,
  posts,
  postTags,
  postVersions,
  productVersions,
  products,
  replies,
  revisions,
  users,
  type MigrationStatus,
  type Visibility,
} from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { kickMailer } from '~/modules/email/email.server'
import { followersWhoMaySee, notify } from '~/modules/notifications/notifications.server'
import { fail, newId, ok, type Failure, type Result } from '~/utils/result'
import { MIGRATION_STATUS_LABELS } from './posts.schema'
import { announcePostChanges, emitPostChange } from './post-events.server'
import { isUniqueViolation } from '~/utils/db-errors.server'

export const POST_MESSAGES = {
  notFound: 'We could not find that post. It may have been removed, or it is not visible to you.',
  replyNotFound: 'We could not find that reply.',
  productNotFound: 'Choose a product from the list.',
  versionNotFound: 'Choose versions of the selected product.',
  notAuthor: 'Only the author can edit this.',
  supportOnly: 'Only the support team can do this.',
  notProblem: 'That is not a problem report.',
  notWorkaround: 'That is not a workaround.',
  notMigration: 'That is not a migration plan.',
  acceptNotAllowed: 'Only the author of the problem or the support team can accept a workaround.',
  hidden: 'This post is hidden, so it cannot take replies or changes.',
  ownProblemMeToo: 'This is your own problem; “me too” is for others who have it as well.',
  staffMeToo: '“Me too” is for customers who have the same problem.',
  relatedNotFound: 'The linked problem or migration was not found.',
  quotedNotFound: 'The reply you quoted is not part of this conversation.',
  sameVersion: 'The target version must differ from the current one.',
  retiredVersion: (name: string) => `Version ${name} is retired; choose a current version.`,
  readerNotColleague: 'Choose colleagues from your own organization to share it with.',
  privateProblemsOnly: 'Only a problem report can be private.',
} as const

type PostRow = typeof posts.$inferSelect

// -- helpers ----------------------------------------------------------------------

/**
 * A post as far as who may read it: its visibility, whether it is hidden,
 * its author, and — for a private post — the people it is shared with
 * (`post_readers`; left out, a private post is the author's and support's).
 */
export type ReadablePost = Pick<PostRow, 'visibility' | 'hiddenAt' | 'authorId'> & {
  readerIds?: readonly string[]
  /** A workaround's problem's visibility: a workaround as restricted as its problem is read with it. */
  problemVisibility?: Visibility | null
}

/**
 * May `actor` see this post? The in-memory form of `visibleTo`
 * (post-queries.server.ts), and the same rule:
 * - support sees everything;
 * - a hidden post only its author;
 * - community: everyone;
 * - staff-only: the author too (support's switch never locks an author out
 *   of reading and answering their own post);
 * - private: the author and the people it is shared with.
 * A workaround is also only as visible as its problem: callers check both.
 * One exactly as restricted as its problem (`problemVisibility`: both
 * staff-only, or both private) is read by whoever reads the problem.
 */
export function maySee(actor: Pick<Actor, 'id' | 'role'>, post: ReadablePost) {
  if (isStaff(actor)) return true
  if (post.hiddenAt && post.authorId !== actor.id) return false
  if (post.visibility === 'community' || post.authorId === actor.id) return true
  if (post.problemVisibility === post.visibility) return true
  return post.visibility === 'private' && (post.readerIds ?? []).includes(actor.id)
}

/** The people a private post is shared with (empty for other posts: nobody needs the list). */
export async function readersOf(tx: Executor, post: Pick<PostRow, 'id' | 'visibility'>): Promise<string[]> {
  if (post.visibility !== 'private') return []
  const rows = await tx.select({ userId: postReaders.userId }).from(postReaders).where(eq(postReaders.postId, post.id))
  return rows.map((r) => r.userId)
}

/** `post` with its readers, ready for `maySee`. */
export async function withReaders<P extends Pick<PostRow, 'id' | 'visibility'>>(tx: Executor, post: P): Promise<P & { readerIds: string[] }> {
  return { ...post, readerIds: await readersOf(tx, post) }
}

/** Loads a post the actor may see (locked for update inside a transaction when `lock`). */
async function loadVisiblePost(tx: Executor, actor: Actor, postId: string, { lock = false } = {}) {
  if (typeof postId !== 'string' || postId.length > 64) return null
  const query = tx.select().from(posts).where(eq(posts.id, postId)).limit(1)
  const [post] = lock ? await query.for('update') : await query
  if (!post) return null
  if (!post.problemId) return maySee(actor, await withReaders(tx, post)) ? post : null
  // A workaround is only as visible as its problem.
  const [problem] = await tx
    .select({ id: posts.id, visibility: posts.visibility, hiddenAt: posts.hiddenAt, authorId: posts.authorId })
    .from(posts)
    .where(eq(posts.id, post.problemId))
  if (!problem || !maySee(actor, await withReaders(tx, problem))) return null
  return maySee(actor, { ...(await withReaders(tx, post)), problemVisibility: problem.visibility }) ? post : null
}

/**
 * Those of `userIds` who may open `postId` (and, for a workaround, its
 * problem). Notifications must only reach people who may follow their link:
 * the author of a workaround under a problem that became staff-only or was
 * hidden must not learn its title from an email.
 */
async function whoMaySee(tx: Executor, userIds: string[], postId: string): Promise<string[]> {
  const unique = [...new Set(userIds)]
  if (!unique.length) return []
  const seen = {
    id: posts.id,
    visibility: posts.visibility,
    hiddenAt: posts.hiddenAt,
    authorId: posts.authorId,
    problemId: posts.problemId,
  }
  const [found] = await tx.select(seen).from(posts).where(eq(posts.id, postId))
  const [foundProblem] = found?.problemId
    ? await tx.select(seen).from(posts).where(eq(posts.id, found.problemId))
    : []
  if (!found || (found.problemId && !foundProblem)) return []
  const problem = foundProblem ? await withReaders(tx, foundProblem) : null
  const post = { ...(await withReaders(tx, found)), problemVisibility: problem?.visibility ?? null }
  const people = await tx
    .select({
      id: users.id,
      role: users.role,
      organizationId: users.organizationId,
      name: users.name,
      email: users.email,
    })
    .from(users)
    .where(inArray(users.id, unique))
  return people.filter((p) => maySee(p, post) && (!problem || maySee(p, problem))).map((p) => p.id)
}

async function checkProductAndVersions(
  tx: Executor,
  productId: string,
  versionIds: string[],
): Promise<Failure | null> {
  const [product] = await tx
    .select({ id: products.id })
    .from(products)
    .where(eq(products.id, productId))
  if (!product) return fail('invalid_product', POST_MESSAGES.productNotFound, 'productId')
  if (versionIds.length) {
    const found = await tx
      .select({
        id: productVersions.id,
        name: productVersions.name,
        retiredAt: productVersions.retiredAt,
      })
      .from(productVersions)
      .where(and(eq(productVersions.productId, productId), inArray(productVersions.id, versionIds)))
    if (found.length !== new Set(versionIds).size)
      return fail('invalid_version', POST_MESSAGES.versionNotFound, 'versionIds')
    const retired = found.find((v) => v.retiredAt)
    if (retired)
      return fail('retired_version', POST_MESSAGES.retiredVersion(retired.name), 'versionIds')
  }
  return null
}

async function follow(tx: Executor, postId: string, userId: string) {
  await tx.insert(follows).values({ postId, userId }).onConflictDoNothing()
}

async function replaceTags(tx: Executor, postId: string, tags: string[]) {
  await tx.delete(postTags).where(eq(postTags.postId, postId))
  if (tags.length) await tx.insert(postTags).values(tags.map((tag) => ({ postId, tag })))
}

async function replaceVersions(tx: Executor, postId: string, versionIds: string[]) {
  await tx.delete(postVersions).where(eq(postVersions.postId, postId))
  const unique = [...new Set(versionIds)]
  if (unique.length)
    await tx.insert(postVersions).values(unique.map((versionId) => ({ postId, versionId })))
}

/** An earlier post by this author with this form key: the double-submit guard. */
async function findBySubmissionKey(tx: Executor, actor: Actor, key: string | undefined) {
  if (!key) return null
  const [row] = await tx
    .select({ id: posts.id, kind: posts.kind, problemId: posts.problemId })
    .from(posts)
    .where(and(eq(posts.authorId, actor.id), eq(posts.submissionKey, key)))
  return row ?? null
}

const quote = (title: string | null) => `“${title ?? 'a post'}”`

/**
 * Runs a write in one transaction. A failure returned by `work` rolls back
 * everything it wrote (nothing half-saved). The posts it marks `changed`
 * are announced to every process in the transaction itself (post-events);
 * after commit, emails are delivered and this process's index hears at once.
 */
async function write<T>(
  work: (tx: Executor, changed: Set<string>) => Promise<Result<T>>,
): Promise<Result<T>> {
  const changed = new Set<string>()
  let failure: Failure | null = null
  let result: Result<T>
  try {
    result = await db.transaction(async (tx) => {
      const outcome = await work(tx, changed)
      if (!outcome.ok) {
        failure = outcome
        tx.rollback()
      }
      // Part of the commit: every process hears of it when, and only if, it commits.
      if (changed.size) await announcePostChanges(tx)
      return outcome
    })
  } catch (error) {
    // drizzle names every error it raises "DrizzleError": recognise the rollback by its class.
    if (failure && error instanceof TransactionRollbackError) return failure
    throw error
  }
  kickMailer()
  for (const id of changed) emitPostChange(id)
  return result
}

/**
 * A creating write that happens at most once per form key: a repeated key
 * (a double submit, even two at the same moment) answers with what the
 * first one created instead of creating it again.
 */
async function createOnce<T>(
  actor: Actor,
  key: string | undefined,
  fromEarlier: (earlier: { id: string; problemId: string | null }) => T,
  work: (tx: Executor, changed: Set<string>) => Promise<Result<T>>,
): Promise<Result<T>> {
  try {
    return await write(async (tx, changed) => {
      const earlier = await findBySubmissionKey(tx, actor, key)
      if (earlier) return ok(fromEarlier(earlier))
      return work(tx, changed)
    })
  } catch (error) {
    // Two submissions at once: the unique index let one in; answer with it.
    if (isUniqueViolation(error, 'posts_submission_key')) {
      const earlier = await findBySubmissionKey(db, actor, key)
      if (earlier) return ok(fromEarlier(earlier))
    }
    throw error
  }
}

// -- problems ---------------------------------------------------------------------

export type LogProblemInput = {
  title: string
  body: string
  productId: string
  versionIds: string[]
  tags: string[]
  workaround?: string
  submissionKey?: string
  /** Default community. Private: the author, `readerIds` and support. */
  visibility?: 'community' | 'private'
  /** Private only: active members of the author's organization (ignored for community). */
  readerIds?: string[]
}

/**
 * The chosen readers of a private post, checked: active members of the
 * author's organization other than the author (support reads it anyway).
 * A failure names the field; nobody outside the organization is ever added.
 */
async function checkReaders(tx: Executor, actor: Actor, readerIds: string[]): Promise<Result<string[]>> {
  const wanted = [...new Set(readerIds)].filter((id) => id !== actor.id)
  if (!wanted.length) return ok([])
  const found = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, wanted), eq(users.organizationId, actor.organizationId), eq(users.active, true), eq(users.role, 'customer')))
  if (found.length !== wanted.length) return fail('invalid_reader', POST_MESSAGES.readerNotColleague, 'readerIds')
  return ok(wanted)
}


/**
 * Logs a problem (and, when given, the author's own workaround, in the same
 * transaction). The author follows it and is sent an acknowledgement with
 * its tracking link. A repeated submission key returns the first post.
 */
export async function logProblem(
  actor: Actor,
  input: LogProblemInput,
): Promise<Result<{ id: string }>> {
  return createOnce(
    actor,
    input.submissionKey,
    (earlier) => ({ id: earlier.id }),
    async (tx, changed) => {
      const invalid = await checkProductAndVersions(tx, input.productId, input.versionIds)
      if (invalid) return invalid
      const visibility = input.visibility ?? 'community'
      const readers = visibility === 'private' ? await checkReaders(tx, actor, input.readerIds ?? []) : ok([] as string[])
      if (!readers.ok) return readers
      const id = newId()
      const now = new Date()
      await tx.insert(posts).values({
        id,
        kind: 'problem',
        visibility,
        authorId: actor.id,
        organizationId: actor.organizationId,
        productId: input.productId,
        title: input.title,
        body: input.body,
        state: 'open',
        submissionKey: input.submissionKey ?? null,
        createdAt: now,
        updatedAt: now,
        lastActivityAt: now,
      })
      await replaceVersions(tx, id, input.versionIds)
      await replaceTags(tx, id, input.tags)
      if (readers.value.length) await tx.insert(postReaders).values(readers.value.map((userId) => ({ postId: id, userId })))
      await follow(tx, id, actor.id)
      changed.add(id)
      if (input.workaround) {
        const workaroundId = newId()
        await tx.insert(posts).values({
          id: workaroundId,
          kind: 'workaround',
          visibility,
          authorId: actor.id,
          organizationId: actor.organizationId,
          productId: input.productId,
          problemId: id,
          title: null,
          body: input.workaround,
          createdAt: now,
          updatedAt: now,
          lastActivityAt: now,
        })
        changed.add(workaroundId)
      }
      await notify(tx, {
        event: 'problem_acknowledged',
        recipients: [actor.id],
        actorId: actor.id,
        postId: id,
        summary: `We received your problem ${quote(input.title)}`,
        details: [
          visibility === 'private'
            ? 'It is private: only you, the colleagues you chose and the support team can read it. You can follow everything that happens to it at the link below.'
            : 'It is now visible to other customers and to the support team. You can follow everything that happens to it at the link below.',
          'We will let you know when someone replies, posts a workaround, or when its status changes.',
        ],
        path: `/posts/${id}`,
        dedupeKey: `ack:${id}`,
      })
      return ok({ id })
    },
  )
}

/** Adds a workaround to a problem the actor may see. Followers are notified. */
export async function addWorkaround(
  actor: Actor,
  problemId: string,
  input: { body: string; submissionKey?: string },
): Promise<Result<{ id: string; problemId: string }>> {
  return createOnce(
    actor,
    input.submissionKey,
    (earlier) => ({ id: earlier.id, problemId: earlier.problemId ?? problemId }),
    async (tx, changed) => {
      const problem = await loadVisiblePost(tx, actor, problemId, { lock: true })
      if (!problem) return fail('not_found', POST_MESSAGES.notFound)
      if (problem.kind !== 'problem') return fail('not_problem', POST_MESSAGES.notProblem)
      if (problem.hiddenAt) return fail('hidden', POST_MESSAGES.hidden)
      const id = newId()
      const now = new Date()
      await tx.insert(posts).values({
        id,
        kind: 'workaround',
        authorId: actor.id,
        organizationId: actor.organizationId,
        productId: problem.productId,
        problemId: problem.id,
        body: input.body,
        visibility: problem.visibility,
        submissionKey: input.submissionKey ?? null,
        createdAt: now,
        updatedAt: now,
        lastActivityAt: now,
      })
      const responded = actor.id !== problem.authorId
      await tx
        .update(posts)
        .set({
          lastActivityAt: now,
          updatedAt: now,
          ...(responded && !problem.firstResponseAt ? { firstResponseAt: now } : {}),
          ...(responded && problem.state === 'open' ? { state: 'answered' as const } : {}),
        })
        .where(eq(posts.id, problem.id))
      await follow(tx, problem.id, actor.id)
      changed.add(id).add(problem.id)
      await notify(tx, {
        event: 'workaround',
        recipients: await followersWhoMaySee(tx, problem.id),
        actorId: actor.id,
        postId: problem.id,
        summary: `${actor.name} posted a workaround for ${quote(problem.title)}`,
        path: `/posts/${problem.id}#workaround-${id}`,
        dedupeKey: `workaround:${id}`,
      })
      return ok({ id, problemId: problem.id })
    },
  )
}

/** Loads a workaround and its problem, locking the problem (serializes acceptances). */
async function loadWorkaround(tx: Executor, actor: Actor, workaroundId: string) {
  const workaround = await loadVisiblePost(tx, actor, workaroundId)
  if (!workaround) return fail('not_found', POST_MESSAGES.notFound)
  if (workaround.kind !== 'workaround' || !workaround.problemId)
    return fail('not_workaround', POST_MESSAGES.notWorkaround)
  const problem = await loadVisiblePost(tx, actor, workaround.problemId, { lock: true })
  if (!problem) return fail('not_found', POST_MESSAGES.notFound)
  return ok({ workaround, problem })
}

/**
 * Accepts a workaround as the solution of its problem (replacing any earlier
 * acceptance). The problem's author or support only. The problem becomes solved.
 */
export async function acceptWorkaround(
  actor: Actor,
  workaroundId: string,
): Promise<Result<{ problemId: string }>> {
  return write(async (tx, changed) => {
    const loaded = await loadWorkaround(tx, actor, workaroundId)
    if (!loaded.ok) return loaded
    const { workaround, problem } = loaded.value
    if (actor.id !== problem.authorId && !isStaff(actor))
      return fail('forbidden', POST_MESSAGES.acceptNotAllowed)
    if (problem.hiddenAt || workaround.hiddenAt) return fail('hidden', POST_MESSAGES.hidden)
    if (workaround.acceptedAt) return ok({ problemId: problem.id })
    const now = new Date()
    const previous = await tx
      .update(posts)
      .set({ acceptedAt: null, acceptedById: null, updatedAt: now })
      .where(and(eq(posts.problemId, problem.id), isNotNull(posts.acceptedAt)))
      .returning({ id: posts.id })
    await tx
      .update(posts)
      .set({ acceptedAt: now, acceptedById: actor.id, updatedAt: now, lastActivityAt: now })
      .where(eq(posts.id, workaround.id))
    await tx
      .update(posts)
      .set({ state: 'solved', updatedAt: now, lastActivityAt: now })
      .where(eq(posts.id, problem.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'workaround.accept',
      subjectType: 'post',
      subjectId: workaround.id,
      details: { problemId: problem.id, replaced: previous.map((p) => p.id) },
    })
    for (const p of previous) changed.add(p.id)
    changed.add(workaround.id).add(problem.id)
    await notify(tx, {
      event: 'workaround_accepted',
      recipients: [
        ...(await followersWhoMaySee(tx, problem.id)),
        ...(await whoMaySee(tx, [workaround.authorId], workaround.id)),
      ],
      actorId: actor.id,
      postId: problem.id,
      summary: `A workaround was accepted for ${quote(problem.title)}`,
      details: ['The problem is now marked solved.'],
      path: `/posts/${problem.id}#workaround-${workaround.id}`,
      dedupeKey: `accepted:${workaround.id}:${now.getTime()}`,
    })
    return ok({ problemId: problem.id })
  })
}

/** Withdraws the acceptance of a workaround; the problem goes back to answered (or open). */
export async function withdrawAcceptance(
  actor: Actor,
  workaroundId: string,
): Promise<Result<{ problemId: string }>> {
  return write(async (tx, changed) => {
    const loaded = await loadWorkaround(tx, actor, workaroundId)
    if (!loaded.ok) return loaded
    const { workaround, problem } = loaded.value
    if (actor.id !== problem.authorId && !isStaff(actor))
      return fail('forbidden', POST_MESSAGES.acceptNotAllowed)
    if (!workaround.acceptedAt) return ok({ problemId: problem.id })
    const now = new Date()
    await tx
      .update(posts)
      .set({ acceptedAt: null, acceptedById: null, updatedAt: now })
      .where(eq(posts.id, workaround.id))
    await tx
      .update(posts)
      .set({ state: problem.firstResponseAt ? 'answered' : 'open', updatedAt: now })
      .where(eq(posts.id, problem.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'workaround.unaccept',
      subjectType: 'post',
      subjectId: workaround.id,
    })
    changed.add(workaround.id).add(problem.id)
    return ok({ problemId: problem.id })
  })
}

/** Support marks a workaround verified (or takes the mark back). Followers are notified of a verification. */
export async function setWorkaroundVerified(
  actor: Actor,
  workaroundId: string,
  verified: boolean,
): Promise<Result<{ problemId: string }>> {
  if (!isStaff(actor)) return fail('forbidden', POST_MESSAGES.supportOnly)
  return write(async (tx, changed) => {
    const loaded = await loadWorkaround(tx, actor, workaroundId)
    if (!loaded.ok) return loaded
    const { workaround, problem } = loaded.value
    if (Boolean(workaround.verifiedAt) === verified) return ok({ problemId: problem.id })
    const now = new Date()
    await tx
      .update(posts)
      .set(
        verified
          ? { verifiedAt: now, verifiedById: actor.id, updatedAt: now, lastActivityAt: now }
          : { verifiedAt: null, verifiedById: null, updatedAt: now },
      )
      .where(eq(posts.id, workaround.id))
    await tx
      .update(posts)
      .set({ updatedAt: now, lastActivityAt: now })
      .where(eq(posts.id, problem.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: verified ? 'workaround.verify' : 'workaround.unverify',
      subjectType: 'post',
      subjectId: workaround.id,
    })
    changed.add(workaround.id).add(problem.id)
    if (verified) {
      await notify(tx, {
        event: 'workaround_verified',
        recipients: [
          ...(await followersWhoMaySee(tx, problem.id)),
          ...(await whoMaySee(tx, [workaround.authorId], workaround.id)),
        ],
        actorId: actor.id,
        postId: problem.id,
        summary: `Support verified a workaround for ${quote(problem.title)}`,
        path: `/posts/${problem.id}#workaround-${workaround.id}`,
        dedupeKey: `verified:${workaround.id}:${now.getTime()}`,
      })
    }
    return ok({ problemId: problem.id })
  })
}

// -- success stories and migrations ---------------------------------------------------

export type WriteStoryInput = {
  title: string
  body: string
  productId: string
  versionIds: string[]
  tags: string[]
  relatedPostId?: string
  submissionKey?: string
}

/** Writes a success story, optionally linked to the problem it overcame or the migration it completed. */
export async function writeStory(
  actor: Actor,
  input: WriteStoryInput,
): Promise<Result<{ id: string }>> {
  return createOnce(
    actor,
    input.submissionKey,
    (earlier) => ({ id: earlier.id }),
    async (tx, changed) => {
      const invalid = await checkProductAndVersions(tx, input.productId, input.versionIds)
      if (invalid) return invalid
      if (input.relatedPostId) {
        const related = await loadVisiblePost(tx, actor, input.relatedPostId)
        if (!related || (related.kind !== 'problem' && related.kind !== 'migration')) {
          return fail('related_not_found', POST_MESSAGES.relatedNotFound, 'relatedPostId')
        }
      }
      const id = newId()
      await tx.insert(posts).values({
        id,
        kind: 'story',
        authorId: actor.id,
        organizationId: actor.organizationId,
        productId: input.productId,
        title: input.title,
        body: input.body,
        relatedPostId: input.relatedPostId ?? null,
        submissionKey: input.submissionKey ?? null,
      })
      await replaceVersions(tx, id, input.versionIds)
      await replaceTags(tx, id, input.tags)
      await follow(tx, id, actor.id)
      changed.add(id)
      return ok({ id })
    },
  )
}

export type PlanMigrationInput = {
  productId: string
  fromVersionId: string
  toVersionId: string
  windowStart: string
  windowEnd?: string
  status: MigrationStatus
  body: string
  submissionKey?: string
}

async function migrationTitle(
  tx: Executor,
  productId: string,
  fromVersionId: string,
  toVersionId: string,
) {
  const rows = await tx
    .select({
      id: productVersions.id,
      name: productVersions.name,
      product: products.name,
      retiredAt: productVersions.retiredAt,
    })
    .from(productVersions)
    .innerJoin(products, eq(products.id, productVersions.productId))
    .where(
      and(
        eq(productVersions.productId, productId),
        inArray(productVersions.id, [fromVersionId, toVersionId]),
      ),
    )
  const from = rows.find((r) => r.id === fromVersionId)
  const to = rows.find((r) => r.id === toVersionId)
  // Moving away from a retired version is normal; moving to one is not.
  if (!from || !to || to.retiredAt) return null
  return `${from.product} ${from.name} → ${to.name}`
}

/** Plans a migration from one version to another within a window. */
export async function planMigration(
  actor: Actor,
  input: PlanMigrationInput,
): Promise<Result<{ id: string }>> {
  return createOnce(
    actor,
    input.submissionKey,
    (earlier) => ({ id: earlier.id }),
    async (tx, changed) => {
      const invalid = await checkProductAndVersions(tx, input.productId, [])
      if (invalid) return invalid
      // The form schema checks this too; other callers (seed, scripts) must not store "4.2 → 4.2".
      if (input.fromVersionId === input.toVersionId)
        return fail('same_version', POST_MESSAGES.sameVersion, 'toVersionId')
      const title = await migrationTitle(
        tx,
        input.productId,
        input.fromVersionId,
        input.toVersionId,
      )
      if (!title) return fail('invalid_version', POST_MESSAGES.versionNotFound, 'toVersionId')
      const id = newId()
      await tx.insert(posts).values({
        id,
        kind: 'migration',
        authorId: actor.id,
        organizationId: actor.organizationId,
        productId: input.productId,
        title,
        body: input.body,
        fromVersionId: input.fromVersionId,
        toVersionId: input.toVersionId,
        windowStart: input.windowStart,
        windowEnd: input.windowEnd ?? null,
        migrationStatus: input.status,
        submissionKey: input.submissionKey ?? null,
      })
      await replaceVersions(tx, id, [input.fromVersionId, input.toVersionId])
      await follow(tx, id, actor.id)
      changed.add(id)
      return ok({ id })
    },
  )
}

/** Changes a migration's status (its author or support); followers are told. */
export async function setMigrationStatus(
  actor: Actor,
  postId: string,
  status: MigrationStatus,
): Promise<Result<{ id: string }>> {
  return write(async (tx, changed) => {
    const post = await loadVisiblePost(tx, actor, postId, { lock: true })
    if (!post) return fail('not_found', POST_MESSAGES.notFound)
    if (post.kind !== 'migration') return fail('not_migration', POST_MESSAGES.notMigration)
    if (post.authorId !== actor.id && !isStaff(actor))
      return fail('forbidden', POST_MESSAGES.notAuthor)
    if (post.migrationStatus === status) return ok({ id: post.id })
    const now = new Date()
    await tx
      .update(posts)
      .set({ migrationStatus: status, updatedAt: now, lastActivityAt: now })
      .where(eq(posts.id, post.id))
    changed.add(post.id)
    await notify(tx, {
      event: 'migration_status',
      recipients: await followersWhoMaySee(tx, post.id),
      actorId: actor.id,
      postId: post.id,
      summary: `${quote(post.title)} is now ${MIGRATION_STATUS_LABELS[status].toLowerCase()}`,
      path: `/posts/${post.id}`,
      dedupeKey: `migration:${post.id}:${status}:${now.getTime()}`,
    })
    return ok({ id: post.id })
  })
}

// -- conversation -------------------------------------------------------------------

/** Replies to any post the actor may see; the replier follows it, followers are notified. */
export async function replyToPost(
  actor: Actor,
  postId: string,
  input: { body: string; quotedReplyId?: string; submissionKey?: string },
): Promise<Result<{ id: string; postId: string }>> {
  const findEarlier = async (tx: Executor) => {
    if (!input.submissionKey) return null
    const [row] = await tx
      .select({ id: replies.id, postId: replies.postId })
      .from(replies)
      .where(and(eq(replies.authorId, actor.id), eq(replies.submissionKey, input.submissionKey)))
    return row ?? null
  }
  try {
    return await write(async (tx, changed) => {
      const earlier = await findEarlier(tx)
      if (earlier) return ok(earlier)
      const post = await loadVisiblePost(tx, actor, postId, { lock: true })
      if (!post) return fail('not_found', POST_MESSAGES.notFound)
      if (post.hiddenAt) return fail('hidden', POST_MESSAGES.hidden)
      if (input.quotedReplyId) {
        const [quoted] = await tx
          .select({ id: replies.id })
          .from(replies)
          .where(and(eq(replies.id, input.quotedReplyId), eq(replies.postId, post.id)))
        if (!quoted) return fail('quoted_not_found', POST_MESSAGES.quotedNotFound)
      }
      const id = newId()
      const now = new Date()
      await tx.insert(replies).values({
        id,
        postId: post.id,
        authorId: actor.id,
        body: input.body,
        quotedReplyId: input.quotedReplyId ?? null,
        submissionKey: input.submissionKey ?? null,
        createdAt: now,
        updatedAt: now,
      })
      const responded = actor.id !== post.authorId
      await tx
        .update(posts)
        .set({
          replyCount: sql`${posts.replyCount} + 1`,
          lastActivityAt: now,
          ...(responded && post.kind === 'problem' && !post.firstResponseAt
            ? { firstResponseAt: now }
            : {}),
          ...(responded && post.kind === 'problem' && post.state === 'open'
            ? { state: 'answered' as const }
            : {}),
        })
        .where(eq(posts.id, post.id))
      await follow(tx, post.id, actor.id)
      changed.add(post.id)
      const topic = post.kind === 'workaround' ? 'a workaround' : quote(post.title)
      await notify(tx, {
        event: 'reply',
        // followersWhoMaySee looks at this post only; a workaround's problem may be hidden.
        recipients: await whoMaySee(tx, await followersWhoMaySee(tx, post.id), post.id),
        actorId: actor.id,
        postId: post.id,
        summary: `${actor.name} replied to ${topic}`,
        path: `/posts/${post.problemId ?? post.id}#reply-${id}`,
        dedupeKey: `reply:${id}`,
      })
      return ok({ id, postId: post.id })
    })
  } catch (error) {
    if (isUniqueViolation(error, 'replies_submission_key')) {
      const earlier = await findEarlier(db)
      if (earlier) return ok(earlier)
    }
    throw error
  }
}

/** The author edits a post; the earlier version is kept for support to read. */
export async function editPost(
  actor: Actor,
  postId: string,
  input: { title?: string; body: string; tags?: string[] },
): Promise<Result<{ id: string; problemId: string | null }>> {
  return write(async (tx, changed) => {
    const post = await loadVisiblePost(tx, actor, postId, { lock: true })
    if (!post) return fail('not_found', POST_MESSAGES.notFound)
    if (post.authorId !== actor.id) return fail('forbidden', POST_MESSAGES.notAuthor)
    const title =
      post.kind === 'problem' || post.kind === 'story' ? (input.title ?? post.title) : post.title
    if (title === post.title && input.body === post.body && !input.tags)
      return ok({ id: post.id, problemId: post.problemId })
    const now = new Date()
    await tx.insert(revisions).values({
      id: newId(),
      postId: post.id,
      title: post.title,
      body: post.body,
      authorId: post.authorId,
      createdAt: post.editedAt ?? post.createdAt,
    })
    await tx
      .update(posts)
      .set({ title, body: input.body, editedAt: now, updatedAt: now })
      .where(eq(posts.id, post.id))
    if (input.tags && post.kind !== 'workaround' && post.kind !== 'migration')
      await replaceTags(tx, post.id, input.tags)
    changed.add(post.id)
    if (post.problemId) changed.add(post.problemId)
    return ok({ id: post.id, problemId: post.problemId })
  })
}

/** The author edits a reply; the earlier version is kept. */
export async function editReply(
  actor: Actor,
  replyId: string,
  body: string,
): Promise<Result<{ postId: string }>> {
  return write(async (tx) => {
    const [reply] = await tx.select().from(replies).where(eq(replies.id, replyId)).for('update')
    const post = reply ? await loadVisiblePost(tx, actor, reply.postId) : null
    if (!reply || !post || (reply.hiddenAt && !isStaff(actor) && reply.authorId !== actor.id)) {
      return fail('not_found', POST_MESSAGES.replyNotFound)
    }
    if (reply.authorId !== actor.id) return fail('forbidden', POST_MESSAGES.notAuthor)
    if (body === reply.body) return ok({ postId: post.problemId ?? post.id })
    const now = new Date()
    await tx.insert(revisions).values({
      id: newId(),
      replyId: reply.id,
      body: reply.body,
      authorId: reply.authorId,
      createdAt: reply.editedAt ?? reply.createdAt,
    })
    await tx
      .update(replies)
      .set({ body, editedAt: now, updatedAt: now })
      .where(eq(replies.id, reply.id))
    return ok({ postId: post.problemId ?? post.id })
  })
}

// -- moderation (support) -------------------------------------------------------------

/** Support hides a post (with a reason the author sees) or shows it again. */
export async function setPostHidden(
  actor: Actor,
  postId: string,
  hidden: { reason: string } | null,
): Promise<Result<{ id: string; problemId: string | null }>> {
  if (!isStaff(actor)) return fail('forbidden', POST_MESSAGES.supportOnly)
  return write(async (tx, changed) => {
    const post = await loadVisiblePost(tx, actor, postId, { lock: true })
    if (!post) return fail('not_found', POST_MESSAGES.notFound)
    const now = new Date()
    await tx
      .update(posts)
      .set(
        hidden
          ? { hiddenAt: now, hiddenById: actor.id, hiddenReason: hidden.reason, updatedAt: now }
          : { hiddenAt: null, hiddenById: null, hiddenReason: null, updatedAt: now },
      )
      .where(eq(posts.id, post.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: hidden ? 'post.hide' : 'post.unhide',
      subjectType: 'post',
      subjectId: post.id,
      details: hidden ? { reason: hidden.reason } : {},
    })
    changed.add(post.id)
    if (post.problemId) changed.add(post.problemId)
    if (hidden) {
      await notify(tx, {
        event: 'post_hidden',
        recipients: await whoMaySee(tx, [post.authorId], post.id),
        actorId: actor.id,
        postId: post.problemId ?? post.id,
        summary: `Support hid your ${post.kind === 'workaround' ? 'workaround' : quote(post.title)}`,
        details: [`The reason given: ${hidden.reason}`],
        path: `/posts/${post.problemId ?? post.id}`,
        dedupeKey: `hidden:${post.id}:${now.getTime()}`,
      })
    }
    return ok({ id: post.id, problemId: post.problemId })
  })
}

/** Support hides a reply (with a reason its author sees) or shows it again. */
export async function setReplyHidden(
  actor: Actor,
  replyId: string,
  hidden: { reason: string } | null,
): Promise<Result<{ postId: string }>> {
  if (!isStaff(actor)) return fail('forbidden', POST_MESSAGES.supportOnly)
  return write(async (tx) => {
    const [reply] = await tx.select().from(replies).where(eq(replies.id, replyId)).for('update')
    if (!reply) return fail('not_found', POST_MESSAGES.replyNotFound)
    const [post] = await tx
      .select({ id: posts.id, problemId: posts.problemId, title: posts.title })
      .from(posts)
      .where(eq(posts.id, reply.postId))
    const now = new Date()
    await tx
      .update(replies)
      .set(
        hidden
          ? { hiddenAt: now, hiddenById: actor.id, hiddenReason: hidden.reason, updatedAt: now }
          : { hiddenAt: null, hiddenById: null, hiddenReason: null, updatedAt: now },
      )
      .where(eq(replies.id, reply.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: hidden ? 'reply.hide' : 'reply.unhide',
      subjectType: 'reply',
      subjectId: reply.id,
      details: hidden ? { reason: hidden.reason } : {},
    })
    const pagePostId = post?.problemId ?? reply.postId
    if (hidden) {
      await notify(tx, {
        event: 'post_hidden',
        recipients: await whoMaySee(tx, [reply.authorId], reply.postId),
        actorId: actor.id,
        postId: pagePostId,
        summary: `Support hid your reply on ${quote(post?.title ?? null)}`,
        details: [`The reason given: ${hidden.reason}`],
        path: `/posts/${pagePostId}#reply-${reply.id}`,
        dedupeKey: `reply-hidden:${reply.id}:${now.getTime()}`,
      })
    }
    return ok({ postId: pagePostId })
  })
}

/**
 * Support chooses who sees a post: the community, staff only (its author
 * still reads and answers it), or — for a problem — private (its author, the
 * colleagues they chose, support). A problem's workarounds follow it.
 */
export async function setPostVisibility(
  actor: Actor,
  postId: string,
  visibility: Visibility,
): Promise<Result<{ id: string }>> {
  if (!isStaff(actor)) return fail('forbidden', POST_MESSAGES.supportOnly)
  return write(async (tx, changed) => {
    const post = await loadVisiblePost(tx, actor, postId, { lock: true })
    if (!post) return fail('not_found', POST_MESSAGES.notFound)
    // Private is the problem author's choice of readers; support may restore
    // it (the chosen readers are kept while staff-only) or make a problem
    // private to its author, not make a story or plan private.
    if (visibility === 'private' && post.kind !== 'problem') return fail('not_problem', POST_MESSAGES.privateProblemsOnly, 'visibility')
    const now = new Date()
    const touched = await tx
      .update(posts)
      .set({ visibility, updatedAt: now })
      .where(
        post.kind === 'problem'
          ? sql`${posts.id} = ${post.id} or ${posts.problemId} = ${post.id}`
          : eq(posts.id, post.id),
      )
      .returning({ id: posts.id })
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'post.visibility',
      subjectType: 'post',
      subjectId: post.id,
      details: { visibility },
    })
    for (const t of touched) changed.add(t.id)
    return ok({ id: post.id })
  })
}

// -- me too and follow -------------------------------------------------------------------

/** A customer says they have the same problem (or takes it back). Returns the new state and count. */
export async function toggleMeToo(
  actor: Actor,
  problemId: string,
): Promise<Result<{ meToo: boolean; count: number }>> {
  if (isStaff(actor)) return fail('forbidden', POST_MESSAGES.staffMeToo)
  return write(async (tx, changed) => {
    const problem = await loadVisiblePost(tx, actor, problemId, { lock: true })
    if (!problem) return fail('not_found', POST_MESSAGES.notFound)
    if (problem.kind !== 'problem') return fail('not_problem', POST_MESSAGES.notProblem)
    if (problem.authorId === actor.id) return fail('own_problem', POST_MESSAGES.ownProblemMeToo)
    const removed = await tx
      .delete(meToos)
      .where(and(eq(meToos.postId, problem.id), eq(meToos.userId, actor.id)))
      .returning({ postId: meToos.postId })
    const meToo = removed.length === 0
    if (meToo) {
      await tx.insert(meToos).values({ postId: problem.id, userId: actor.id })
      await follow(tx, problem.id, actor.id)
    }
    const [row] = await tx
      .update(posts)
      .set({ meTooCount: sql`${posts.meTooCount} + ${meToo ? 1 : -1}` })
      .where(eq(posts.id, problem.id))
      .returning({ count: posts.meTooCount })
    changed.add(problem.id)
    return ok({ meToo, count: row?.count ?? 0 })
  })
}

/** Follows or unfollows a post the actor may see. */
export async function toggleFollow(
  actor: Actor,
  postId: string,
): Promise<Result<{ following: boolean }>> {
  return write(async (tx) => {
    const post = await loadVisiblePost(tx, actor, postId)
    if (!post) return fail('not_found', POST_MESSAGES.notFound)
    const target = post.problemId ?? post.id
    const removed = await tx
      .delete(follows)
      .where(and(eq(follows.postId, target), eq(follows.userId, actor.id)))
      .returning({ postId: follows.postId })
    if (removed.length === 0) await tx.insert(follows).values({ postId: target, userId: actor.id })
    return ok({ following: removed.length === 0 })
  })
}
