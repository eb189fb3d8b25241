/**
 * Status updates: support's timeline on a problem that affects many
 * ("Investigating", "Fix deployed — please test"). Each update reaches
 * everyone who pressed "me too" on the problem or follows it, in the app and
 * by email (as each person chose for the 'status_update' event), and shows
 * on the problem's page, oldest first.
 *
 * The timeline is separate from the problem's state: "resolved" is what
 * support says, "solved" is what an accepted workaround makes it, and
 * neither changes the other.
 *
 * Only support and admins post, only on problems, never on hidden ones.
 * Recipients are filtered by who may see the problem, so an update on a
 * staff-only problem reaches staff only. The update, the problem's
 * activity time, the audit entry, the notifications and their emails are
 * written in one transaction; emails leave after commit.
 */
import { and, asc, desc, eq } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { meToos, posts, statusUpdates, users, type StatusUpdateKind } from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { kickMailer } from '~/modules/email/email.server'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { followersWhoMaySee, notify } from '~/modules/notifications/notifications.server'
import { maySee, POST_MESSAGES, withReaders } from '~/modules/posts/posts.server'
import { isUniqueViolation } from '~/utils/db-errors.server'
import { parseInput } from '~/utils/forms'
import { fail, newId, ok, type Result } from '~/utils/result'
import { STATUS_UPDATE_LABELS, StatusUpdateSchema, type StatusUpdateInput } from './status-updates.schema'

export const STATUS_UPDATE_MESSAGES = {
  supportOnly: 'Only the support team can post status updates.',
  notFound: POST_MESSAGES.notFound,
  notProblem: 'Status updates are for problems; this post is not a problem report.',
  hidden: 'This problem is hidden, so it takes no status updates. Show it again first.',
} as const

export type StatusUpdateFailure = 'forbidden' | 'invalid' | 'not_found' | 'not_problem' | 'hidden'

/** One entry of a problem's timeline, as its page shows it. */
export type StatusUpdateView = {
  id: string
  status: StatusUpdateKind
  statusLabel: string
  body: string
  /** The body as safe HTML. */
  html: string
  authorId: string
  authorName: string
  createdAt: Date
}

/** An earlier update by this person with this form key: the double-submit guard. */
async function findBySubmissionKey(tx: Executor, actorId: string, key: string | undefined) {
  if (!key) return null
  const [row] = await tx
    .select({ id: statusUpdates.id, postId: statusUpdates.postId })
    .from(statusUpdates)
    .where(and(eq(statusUpdates.authorId, actorId), eq(statusUpdates.submissionKey, key)))
  return row ?? null
}

/** Everyone who pressed "me too" on `post` or follows it, and may see it (active people only). */
async function audienceOf(tx: Executor, post: typeof posts.$inferSelect): Promise<string[]> {
  const pressed = await tx
    .select({ id: users.id, role: users.role, organizationId: users.organizationId, name: users.name, email: users.email })
    .from(meToos)
    .innerJoin(users, and(eq(users.id, meToos.userId), eq(users.active, true)))
    .where(eq(meToos.postId, post.id))
  // A "me too" once made someone a follower; they stay in the loop even if they unfollowed since.
  const readable = await withReaders(tx, post)
  const stillAllowed = pressed.filter((person) => maySee(person, readable)).map((person) => person.id)
  return [...new Set([...(await followersWhoMaySee(tx, post.id)), ...stillAllowed])]
}

/** Paragraphs of a Markdown text for the plain email (blank lines separate them). */
function paragraphsOf(markdown: string) {
  return markdown
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
}

/**
 * Posts a status update on a problem. Support and admins only (`forbidden`
 * otherwise, before anything is read). The input is checked with
 * `StatusUpdateSchema` (`invalid`, with the field). Fails with `not_found`
 * (no such post), `not_problem` (a workaround, story or migration) or
 * `hidden` (support hid the problem). Everyone who pressed "me too" or
 * follows the problem and may see it is notified, except the author of the
 * update. A repeated submission key answers with the first update and
 * writes nothing.
 */
export async function postStatusUpdate(
  actor: Actor,
  input: { postId: string } & StatusUpdateInput,
): Promise<Result<{ id: string; postId: string }, StatusUpdateFailure>> {
  if (!isStaff(actor)) return fail('forbidden', STATUS_UPDATE_MESSAGES.supportOnly)
  const parsed = parseInput(StatusUpdateSchema, input)
  if (!parsed.ok) return parsed
  const { status, body, submissionKey } = parsed.value
  const postId = input.postId
  if (typeof postId !== 'string' || postId.length > 64) return fail('not_found', STATUS_UPDATE_MESSAGES.notFound)

  try {
    // Every refusal below comes before the first write: returning it commits nothing.
    const result = await db.transaction(async (tx): Promise<Result<{ id: string; postId: string }, StatusUpdateFailure>> => {
      const earlier = await findBySubmissionKey(tx, actor.id, submissionKey)
      if (earlier) return ok(earlier)
      // Locked: updates on one problem take turns, so their order is the order they were posted.
      const [post] = await tx.select().from(posts).where(eq(posts.id, postId)).for('update')
      if (!post || !maySee(actor, post)) return fail('not_found', STATUS_UPDATE_MESSAGES.notFound)
      if (post.kind !== 'problem') return fail('not_problem', STATUS_UPDATE_MESSAGES.notProblem)
      if (post.hiddenAt) return fail('hidden', STATUS_UPDATE_MESSAGES.hidden)
      const problem = post

      // Strictly after the previous update, even within one clock tick, so the timeline keeps its order.
      const [previous] = await tx
        .select({ createdAt: statusUpdates.createdAt })
        .from(statusUpdates)
        .where(eq(statusUpdates.postId, problem.id))
        .orderBy(desc(statusUpdates.createdAt))
        .limit(1)
      let now = new Date()
      if (previous && previous.createdAt >= now) now = new Date(previous.createdAt.getTime() + 1)

      const id = newId()
      await tx.insert(statusUpdates).values({
        id,
        postId: problem.id,
        authorId: actor.id,
        status,
        body,
        submissionKey: submissionKey ?? null,
        createdAt: now,
      })
      // News on the problem, like a reply: it moves up in "recent activity".
      await tx.update(posts).set({ lastActivityAt: now }).where(eq(posts.id, problem.id))
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'problem.status_update',
        subjectType: 'post',
        subjectId: problem.id,
        details: { statusUpdateId: id, status },
      })
      const label = STATUS_UPDATE_LABELS[status]
      await notify(tx, {
        event: 'status_update',
        recipients: await audienceOf(tx, problem),
        actorId: actor.id,
        postId: problem.id,
        summary: `${label}: status update on “${problem.title ?? 'a problem'}”`,
        details: [`${actor.name} from the support team wrote:`, ...paragraphsOf(body)],
        path: `/posts/${problem.id}#status-update-${id}`,
        dedupeKey: `status-update:${id}`,
      })
      return ok({ id, postId: problem.id })
    })
    if (result.ok) kickMailer()
    return result
  } catch (error) {
    // The same form sent twice at once: the unique index let one in; answer with it.
    if (isUniqueViolation(error, 'status_updates_submission_key')) {
      const earlier = await findBySubmissionKey(db, actor.id, submissionKey)
      if (earlier) return ok(earlier)
    }
    throw error
  }
}

/**
 * A problem's status updates, oldest first, with their text as safe HTML.
 * Whoever may see the problem may read them (`not_found` otherwise, the
 * same answer as for a post that does not exist). Other kinds of post have
 * none: an empty list.
 */
export async function listStatusUpdates(
  actor: Actor,
  postId: string,
): Promise<Result<StatusUpdateView[], 'not_found'>> {
  if (typeof postId !== 'string' || postId.length > 64) return fail('not_found', STATUS_UPDATE_MESSAGES.notFound)
  const [post] = await db
    .select({ id: posts.id, kind: posts.kind, visibility: posts.visibility, hiddenAt: posts.hiddenAt, authorId: posts.authorId })
    .from(posts)
    .where(eq(posts.id, postId))
  if (!post || !maySee(actor, await withReaders(db, post))) return fail('not_found', STATUS_UPDATE_MESSAGES.notFound)
  if (post.kind !== 'problem') return ok([])
  const rows = await db
    .select({
      id: statusUpdates.id,
      status: statusUpdates.status,
      body: statusUpdates.body,
      authorId: statusUpdates.authorId,
      authorName: users.name,
      createdAt: statusUpdates.createdAt,
    })
    .from(statusUpdates)
    .innerJoin(users, eq(users.id, statusUpdates.authorId))
    .where(eq(statusUpdates.postId, postId))
    .orderBy(asc(statusUpdates.createdAt), asc(statusUpdates.id))
  return ok(
    rows.map((row) => ({
      ...row,
      statusLabel: STATUS_UPDATE_LABELS[row.status],
      html: renderMarkdown(row.body),
    })),
  )
}
