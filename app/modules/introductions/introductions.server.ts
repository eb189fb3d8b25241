/**
 * Introductions: support connects a customer stuck on a problem (the asker)
 * with a customer who solved something similar (the solver) — only when both
 * say yes. The same flow connects two customers planning the same migration
 * (the migration radar's "connect these customers"): the subject is then the
 * asker's migration plan, and the qualifying post the other customer's plan
 * for the same move (same product, same target version).
 *
 * States: proposed → connected, or declined, expired, withdrawn. While
 * proposed, each side answers separately (`askerResponse`, `solverResponse`);
 * "accepted by one" is a proposed introduction with one acceptance. Every
 * transition locks the introduction row and re-checks its state in one
 * transaction, so an accept racing a decline ends in one consistent state,
 * and every transition is written to the audit log.
 *
 * Privacy, enforced here (not in the pages): until both accept, neither side
 * learns the other's identity, email, or even that the other was asked, nor
 * anything that leads to them: each side sees support's note and a neutral
 * summary of the other side's post (product, versions, "a customer who
 * solved a similar problem") — no title, text, id or link of it, which one
 * search or click would turn into a name (introductions-view.ts,
 * `postsForViewer`). Once both accept, both see the posts and each other. A decline, an expiry or a withdrawal tells the other side only
 * that the introduction did not happen. Customers can only see their own
 * introductions (someone else's is "not found").
 */
import { and, asc, count, eq, inArray, lte, or, sql, TransactionRollbackError, type SQL } from 'drizzle-orm'
import { keysetPage, type Cursor } from '~/utils/keyset'
import { exactTime, keysetOrder, keysetWhere } from '~/utils/keyset.server'
import { db, type Executor } from '~/db/client.server'
import {
  introductionMessages,
  introductions,
  organizations,
  posts,
  postVersions,
  products,
  productVersions,
  users,
  type IntroductionState,
} from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { kickMailer } from '~/modules/email/email.server'
import { notify } from '~/modules/notifications/notifications.server'
import { maySee } from '~/modules/posts/posts.server'
import { isUniqueViolation } from '~/utils/db-errors.server'
import { postsForViewer } from './introductions-view'
import { env } from '~/utils/env.server'
import { fail, newId, ok, type Failure, type Result } from '~/utils/result'

export const INTRODUCTION_LIFETIME_DAYS = () => env().INTRODUCTION_EXPIRY_DAYS
export const OUTCOME_AFTER_DAYS = () => env().INTRODUCTION_OUTCOME_DAYS
const DAY_MS = 24 * 60 * 60 * 1000

export const INTRO_MESSAGES = {
  notFound: 'We could not find that introduction.',
  supportOnly: 'Only the support team can do this.',
  problemNotFound: 'That problem was not found, or it is not visible to the community.',
  notProblem: 'Introductions start from a problem report or a migration plan.',
  notSameMove: 'Introductions about a migration plan are between customers making the same move: choose their plan to the same version of the same product.',
  staffOnlyProblem: 'This problem is staff-only or private; introductions start only from community problems, so nothing of it reaches another customer.',
  solverNotFound: 'That person was not found or is no longer active.',
  askerInactive: 'The author of this problem is no longer active.',
  askerNotCustomer: 'Introductions are for customers; this problem was logged by the support team.',
  solverIsAsker: 'The person who asked cannot be introduced to themselves.',
  sameOrganization: 'They work at the same organization as the asker; introductions are between organizations.',
  solverOptedOut: 'This customer has turned introductions off in their profile.',
  askerOptedOut: 'The author of this problem has turned introductions off in their profile.',
  solverNotCustomer: 'Introductions are between customers.',
  qualifyingNotFound: 'The post that qualifies this person was not found, or it is not theirs.',
  alreadyOpen: 'An introduction between these two for this problem is already open.',
  notOpen: 'This introduction is no longer waiting for answers.',
  alreadyAnswered: 'You have already answered this request.',
  notConnected: 'Messages can be sent once both have said yes.',
  notAsker: 'Only the person who asked can say whether it helped.',
} as const

type IntroRow = typeof introductions.$inferSelect

export type Side = 'asker' | 'solver'

function sideOf(actor: Actor, intro: Pick<IntroRow, 'askerId' | 'solverId'>): Side | null {
  if (actor.id === intro.askerId) return 'asker'
  if (actor.id === intro.solverId) return 'solver'
  return null
}

/** Loads and locks an introduction the actor takes part in (or any, for staff). */
async function loadForUpdate(tx: Executor, actor: Actor, id: string) {
  if (typeof id !== 'string' || id.length > 64) return null
  const [intro] = await tx.select().from(introductions).where(eq(introductions.id, id)).for('update')
  if (!intro) return null
  if (!isStaff(actor) && !sideOf(actor, intro)) return null
  return intro
}

/** Runs a transition in one transaction; a returned failure rolls it back. Mail goes after commit. */
async function transition<T>(work: (tx: Executor) => Promise<Result<T>>): Promise<Result<T>> {
  let failure: Failure | null = null
  try {
    const result = await db.transaction(async (tx) => {
      const outcome = await work(tx)
      if (!outcome.ok) {
        failure = outcome
        tx.rollback()
      }
      return outcome
    })
    kickMailer()
    return result
  } catch (error) {
    // drizzle names its rollback error 'DrizzleError': recognise it by class, not by name.
    if (failure && error instanceof TransactionRollbackError) return failure
    throw error
  }
}

const introPath = (id: string) => `/introductions/${id}`

/** Tells both sides (and the proposer) that it did not happen — never who or why. */
async function notifyDidNotHappen(tx: Executor, intro: IntroRow, actorId: string | null, reason: string) {
  await notify(tx, {
    event: 'introduction_result',
    recipients: [intro.askerId, intro.solverId],
    actorId,
    postId: null,
    summary: 'An introduction support suggested did not happen',
    details: ['Nothing more will come of it, and no details were shared. Support can suggest someone else.'],
    path: introPath(intro.id),
    dedupeKey: `intro-closed:${intro.id}`,
  })
  await notify(tx, {
    event: 'introduction_result',
    recipients: [intro.proposedById],
    actorId,
    postId: intro.problemId,
    summary: `An introduction you proposed ${reason}`,
    path: introPath(intro.id),
    dedupeKey: `intro-closed-staff:${intro.id}`,
  })
}

// -- proposing ------------------------------------------------------------------------

export type ProposeInput = {
  problemId: string
  solverId: string
  qualifyingPostId?: string
  askerNote: string
  solverNote: string
}

/**
 * Support proposes an introduction between a problem's author and a customer
 * who solved something similar. Each side is asked separately.
 */
export async function proposeIntroduction(actor: Actor, input: ProposeInput): Promise<Result<{ id: string }>> {
  if (!isStaff(actor)) return fail('forbidden', INTRO_MESSAGES.supportOnly)
  try {
    return await transition(async (tx) => {
      const [problem] = await tx.select().from(posts).where(eq(posts.id, input.problemId)).for('update')
      if (!problem || problem.hiddenAt) return fail('problem_not_found', INTRO_MESSAGES.problemNotFound)
      if (problem.kind !== 'problem' && problem.kind !== 'migration') return fail('not_problem', INTRO_MESSAGES.notProblem)
      const sameMove = problem.kind === 'migration'
      if (problem.visibility !== 'community') return fail('staff_only', INTRO_MESSAGES.staffOnlyProblem)
      const [asker] = await tx.select().from(users).where(eq(users.id, problem.authorId))
      const [solver] = await tx.select().from(users).where(eq(users.id, input.solverId)).for('update')
      if (!asker || !asker.active) return fail('asker_inactive', INTRO_MESSAGES.askerInactive)
      if (asker.role !== 'customer') return fail('asker_not_customer', INTRO_MESSAGES.askerNotCustomer)
      if (!solver || !solver.active) return fail('solver_not_found', INTRO_MESSAGES.solverNotFound, 'solverId')
      if (solver.id === asker.id) return fail('solver_is_asker', INTRO_MESSAGES.solverIsAsker, 'solverId')
      if (solver.role !== 'customer') return fail('solver_not_customer', INTRO_MESSAGES.solverNotCustomer, 'solverId')
      if (solver.organizationId === asker.organizationId) return fail('same_organization', INTRO_MESSAGES.sameOrganization, 'solverId')
      if (!solver.introductionsEnabled) return fail('solver_opted_out', INTRO_MESSAGES.solverOptedOut, 'solverId')
      if (!asker.introductionsEnabled) return fail('asker_opted_out', INTRO_MESSAGES.askerOptedOut)
      // A plan's author is introduced to someone making the same move, which their own plan shows.
      if (sameMove && !input.qualifyingPostId) return fail('not_same_move', INTRO_MESSAGES.notSameMove, 'qualifyingPostId')
      if (input.qualifyingPostId) {
        const [qualifying] = await tx.select().from(posts).where(eq(posts.id, input.qualifyingPostId))
        if (!qualifying || qualifying.authorId !== solver.id || qualifying.visibility !== 'community' || qualifying.hiddenAt) {
          return fail('qualifying_not_found', INTRO_MESSAGES.qualifyingNotFound)
        }
        if (
          sameMove &&
          (qualifying.kind !== 'migration' || qualifying.productId !== problem.productId || qualifying.toVersionId !== problem.toVersionId)
        ) {
          return fail('not_same_move', INTRO_MESSAGES.notSameMove, 'qualifyingPostId')
        }
      }
      const [open] = await tx
        .select({ id: introductions.id })
        .from(introductions)
        .where(
          and(
            eq(introductions.problemId, problem.id),
            eq(introductions.askerId, asker.id),
            eq(introductions.solverId, solver.id),
            inArray(introductions.state, ['proposed', 'connected']),
          ),
        )
      if (open) return fail('already_open', INTRO_MESSAGES.alreadyOpen)
      const id = newId()
      const now = new Date()
      await tx.insert(introductions).values({
        id,
        problemId: problem.id,
        askerId: asker.id,
        solverId: solver.id,
        qualifyingPostId: input.qualifyingPostId ?? null,
        proposedById: actor.id,
        askerNote: input.askerNote,
        solverNote: input.solverNote,
        expiresAt: new Date(now.getTime() + INTRODUCTION_LIFETIME_DAYS() * DAY_MS),
        createdAt: now,
        updatedAt: now,
      })
      // Each side is asked on its own; neither message names the other.
      await notify(tx, {
        event: 'introduction_request',
        recipients: [asker.id],
        actorId: actor.id,
        postId: null,
        summary: sameMove ? 'Support found another customer planning the same migration' : 'Support found someone who may have solved your problem',
        details: [
          `About ${sameMove ? 'your migration plan ' : ''}“${problem.title}”: would you like to be introduced? Nothing is shared unless you both say yes.`,
        ],
        path: introPath(id),
        dedupeKey: `intro-ask-asker:${id}`,
      })
      await notify(tx, {
        event: 'introduction_request',
        recipients: [solver.id],
        actorId: actor.id,
        postId: null,
        summary: sameMove ? 'Support asks whether you would talk with another customer making the same move' : 'Support asks whether you could help another customer',
        details: [
          sameMove
            ? 'Another customer plans the same migration as you. Nothing is shared unless you both say yes.'
            : 'Someone is stuck on a problem you seem to have solved. Nothing is shared unless you both say yes.',
        ],
        path: introPath(id),
        dedupeKey: `intro-ask-solver:${id}`,
      })
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'introduction.propose',
        subjectType: 'introduction',
        subjectId: id,
        details: { problemId: problem.id, askerId: asker.id, solverId: solver.id },
      })
      return ok({ id })
    })
  } catch (error) {
    if (isUniqueViolation(error, 'introductions_open_pair')) return fail('already_open', INTRO_MESSAGES.alreadyOpen)
    throw error
  }
}

// -- answering --------------------------------------------------------------------------

/**
 * One side accepts or declines. A decline closes it at once (the other side
 * learns only that it did not happen); the second acceptance connects it.
 */
export async function respondToIntroduction(
  actor: Actor,
  id: string,
  answer: 'accepted' | 'declined',
): Promise<Result<{ state: IntroductionState }>> {
  let expiredNow = false as boolean
  const result = await transition<{ state: IntroductionState }>(async (tx) => {
    const intro = await loadForUpdate(tx, actor, id)
    const side = intro ? sideOf(actor, intro) : null
    if (!intro || !side) return fail('not_found', INTRO_MESSAGES.notFound)
    const now = new Date()
    if (intro.state === 'proposed' && intro.expiresAt <= now) {
      // The expiry must commit, so this is not returned as a failure (which
      // would roll it back); the refusal is returned after the commit.
      await closeExpired(tx, intro, now)
      expiredNow = true
      return ok({ state: 'expired' })
    }
    if (intro.state !== 'proposed') return fail('not_open', INTRO_MESSAGES.notOpen)
    const mine = side === 'asker' ? intro.askerResponse : intro.solverResponse
    if (mine) return fail('already_answered', INTRO_MESSAGES.alreadyAnswered)
    const other = side === 'asker' ? intro.solverResponse : intro.askerResponse
    const response = side === 'asker' ? { askerResponse: answer, askerRespondedAt: now } : { solverResponse: answer, solverRespondedAt: now }
    let state: IntroductionState = 'proposed'
    if (answer === 'declined') state = 'declined'
    else if (other === 'accepted') state = 'connected'
    await tx
      .update(introductions)
      .set({
        ...response,
        state,
        updatedAt: now,
        ...(state === 'connected' ? { connectedAt: now } : {}),
        ...(state === 'declined' ? { closedAt: now } : {}),
      })
      .where(and(eq(introductions.id, intro.id), eq(introductions.state, 'proposed')))
    await recordAudit(tx, {
      actorId: actor.id,
      action: answer === 'accepted' ? 'introduction.accept' : 'introduction.decline',
      subjectType: 'introduction',
      subjectId: intro.id,
      details: { side, state },
    })
    if (state === 'declined') await notifyDidNotHappen(tx, intro, actor.id, 'was declined')
    if (state === 'connected') {
      await notify(tx, {
        event: 'introduction_result',
        recipients: [intro.askerId, intro.solverId, intro.proposedById],
        actorId: null,
        postId: null,
        summary: 'You are connected: both said yes to an introduction',
        details: ['You can now see each other’s name, organization and contact email, and write in your private thread.'],
        path: introPath(intro.id),
        dedupeKey: `intro-connected:${intro.id}`,
      })
    }
    return ok({ state })
  })
  return expiredNow ? fail('not_open', INTRO_MESSAGES.notOpen) : result
}

/** Support withdraws a request that is still waiting for answers. */
export async function withdrawIntroduction(actor: Actor, id: string): Promise<Result<{ state: IntroductionState }>> {
  if (!isStaff(actor)) return fail('forbidden', INTRO_MESSAGES.supportOnly)
  return transition(async (tx) => {
    const intro = await loadForUpdate(tx, actor, id)
    if (!intro) return fail('not_found', INTRO_MESSAGES.notFound)
    if (intro.state !== 'proposed') return fail('not_open', INTRO_MESSAGES.notOpen)
    const now = new Date()
    await tx.update(introductions).set({ state: 'withdrawn', closedAt: now, updatedAt: now }).where(eq(introductions.id, intro.id))
    await recordAudit(tx, { actorId: actor.id, action: 'introduction.withdraw', subjectType: 'introduction', subjectId: intro.id })
    await notifyDidNotHappen(tx, intro, actor.id, 'was withdrawn')
    return ok({ state: 'withdrawn' as const })
  })
}

async function closeExpired(tx: Executor, intro: IntroRow, now: Date) {
  await tx
    .update(introductions)
    .set({ state: 'expired', closedAt: now, updatedAt: now })
    .where(and(eq(introductions.id, intro.id), eq(introductions.state, 'proposed')))
  await recordAudit(tx, { actorId: null, action: 'introduction.expire', subjectType: 'introduction', subjectId: intro.id })
  await notifyDidNotHappen(tx, intro, null, 'expired without both answers')
}

/** Expires requests past their date (the hourly timer and `respond`). Returns how many. */
export async function expireIntroductions(now = new Date()) {
  const due = await db
    .select({ id: introductions.id })
    .from(introductions)
    .where(and(eq(introductions.state, 'proposed'), lte(introductions.expiresAt, now)))
  let expired = 0
  for (const { id } of due) {
    await db.transaction(async (tx) => {
      const [intro] = await tx.select().from(introductions).where(eq(introductions.id, id)).for('update')
      if (intro?.state === 'proposed' && intro.expiresAt <= now) {
        await closeExpired(tx, intro, now)
        expired++
      }
    })
  }
  if (expired) kickMailer()
  return expired
}

// -- connected: the thread and the outcome ---------------------------------------------------

/** A message in a connected introduction's private thread (the two customers and support). */
export async function postIntroductionMessage(
  actor: Actor,
  id: string,
  input: { body: string; submissionKey?: string },
): Promise<Result<{ id: string }>> {
  try {
    return await transition(async (tx) => {
      const intro = await loadForUpdate(tx, actor, id)
      if (!intro) return fail('not_found', INTRO_MESSAGES.notFound)
      if (intro.state !== 'connected') return fail('not_connected', INTRO_MESSAGES.notConnected)
      if (input.submissionKey) {
        const [earlier] = await tx
          .select({ id: introductionMessages.id })
          .from(introductionMessages)
          .where(
            and(
              eq(introductionMessages.introductionId, intro.id),
              eq(introductionMessages.authorId, actor.id),
              eq(introductionMessages.submissionKey, input.submissionKey),
            ),
          )
        if (earlier) return ok(earlier)
      }
      const messageId = newId()
      await tx.insert(introductionMessages).values({
        id: messageId,
        introductionId: intro.id,
        authorId: actor.id,
        body: input.body,
        submissionKey: input.submissionKey ?? null,
      })
      await tx.update(introductions).set({ updatedAt: new Date() }).where(eq(introductions.id, intro.id))
      await notify(tx, {
        event: 'introduction_message',
        recipients: [intro.askerId, intro.solverId, intro.proposedById],
        actorId: actor.id,
        postId: null,
        summary: `${actor.name} wrote in your introduction`,
        path: `${introPath(intro.id)}#message-${messageId}`,
        dedupeKey: `intro-message:${messageId}`,
      })
      return ok({ id: messageId })
    })
  } catch (error) {
    if (isUniqueViolation(error, 'introduction_messages_submission_key')) {
      const [earlier] = await db
        .select({ id: introductionMessages.id })
        .from(introductionMessages)
        .where(and(eq(introductionMessages.authorId, actor.id), eq(introductionMessages.submissionKey, input.submissionKey ?? '')))
      if (earlier) return ok(earlier)
    }
    throw error
  }
}

/** A week (configurable) after connecting, asks the asker whether it helped. Returns how many were asked. */
export async function askIntroductionOutcomes(now = new Date()) {
  const due = await db
    .select({ id: introductions.id })
    .from(introductions)
    .where(
      and(
        eq(introductions.state, 'connected'),
        sql`${introductions.outcomeAskedAt} is null`,
        lte(introductions.connectedAt, new Date(now.getTime() - OUTCOME_AFTER_DAYS() * DAY_MS)),
      ),
    )
  let asked = 0
  for (const { id } of due) {
    await db.transaction(async (tx) => {
      const [intro] = await tx
        .update(introductions)
        .set({ outcomeAskedAt: now })
        .where(and(eq(introductions.id, id), sql`${introductions.outcomeAskedAt} is null`))
        .returning()
      if (!intro) return
      await notify(tx, {
        event: 'introduction_outcome',
        recipients: [intro.askerId],
        actorId: null,
        postId: null,
        summary: 'Did the introduction help?',
        details: ['A week ago you were connected with another customer. Tell us whether it helped — it takes one click.'],
        path: `${introPath(intro.id)}#outcome`,
        dedupeKey: `intro-outcome:${intro.id}`,
      })
      asked++
    })
  }
  if (asked) kickMailer()
  return asked
}

/** The asker says whether the introduction helped. */
export async function recordIntroductionOutcome(actor: Actor, id: string, helped: boolean): Promise<Result<{ problemId: string }>> {
  return transition(async (tx) => {
    const intro = await loadForUpdate(tx, actor, id)
    if (!intro || (!isStaff(actor) && !sideOf(actor, intro))) return fail('not_found', INTRO_MESSAGES.notFound)
    if (actor.id !== intro.askerId) return fail('forbidden', INTRO_MESSAGES.notAsker)
    if (intro.state !== 'connected') return fail('not_connected', INTRO_MESSAGES.notConnected)
    await tx
      .update(introductions)
      .set({ outcome: helped ? 'helped' : 'not_helped', outcomeAt: new Date(), updatedAt: new Date() })
      .where(eq(introductions.id, intro.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'introduction.outcome',
      subjectType: 'introduction',
      subjectId: intro.id,
      details: { helped },
    })
    return ok({ problemId: intro.problemId })
  })
}

// -- reading ------------------------------------------------------------------------------

/** How many customers someone helped through introductions (shown on their profile). */
export async function countHelped(userId: string) {
  const [row] = await db
    .select({ value: count() })
    .from(introductions)
    .where(and(eq(introductions.solverId, userId), eq(introductions.outcome, 'helped')))
  return row?.value ?? 0
}

/** Open introductions per solver (support sees this next to candidates). */
export async function countOpenBySolver(userIds: string[]) {
  if (!userIds.length) return new Map<string, number>()
  const rows = await db
    .select({ userId: introductions.solverId, value: count() })
    .from(introductions)
    .where(and(inArray(introductions.solverId, userIds), inArray(introductions.state, ['proposed', 'connected'])))
    .groupBy(introductions.solverId)
  return new Map(rows.map((r) => [r.userId, r.value]))
}

const contactOf = (u: { email: string; contactEmail: string | null }) => u.contactEmail || u.email

/** A post of an introduction with what its neutral summary needs: product and versions (a workaround's are its problem's). */
async function loadPost(id: string) {
  const [row] = await db
    .select({
      id: posts.id,
      kind: posts.kind,
      title: posts.title,
      body: posts.body,
      problemId: posts.problemId,
      visibility: posts.visibility,
      hiddenAt: posts.hiddenAt,
      authorId: posts.authorId,
      productName: products.name,
    })
    .from(posts)
    .innerJoin(products, eq(products.id, posts.productId))
    .where(eq(posts.id, id))
  if (!row) return null
  const versions = await db
    .select({ name: productVersions.name })
    .from(postVersions)
    .innerJoin(productVersions, eq(productVersions.id, postVersions.versionId))
    .where(eq(postVersions.postId, row.problemId ?? row.id))
    .orderBy(asc(productVersions.sortOrder), asc(productVersions.name))
  return { ...row, versionNames: versions.map((v) => v.name) }
}

/**
 * One introduction as the actor may see it. For a side: their own note and
 * what they are asked about; the other side's name, organization and
 * contact email only once connected. Staff see everything. Null when the
 * actor takes no part (someone else's introduction is simply not found).
 */
export async function getIntroduction(actor: Actor, id: string) {
  if (typeof id !== 'string' || id.length > 64) return null
  const [intro] = await db.select().from(introductions).where(eq(introductions.id, id))
  if (!intro) return null
  const staff = isStaff(actor)
  const side = sideOf(actor, intro)
  if (!staff && !side) return null

  const people = await db
    .select({ id: users.id, name: users.name, email: users.email, contactEmail: users.contactEmail, organizationName: organizations.name })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(inArray(users.id, [intro.askerId, intro.solverId, intro.proposedById]))
  const person = (userId: string) => people.find((p) => p.id === userId)!
  const [problem, qualifying] = await Promise.all([loadPost(intro.problemId), intro.qualifyingPostId ? loadPost(intro.qualifyingPostId) : null])
  const connected = intro.state === 'connected'
  const subjectKind = problem?.kind === 'migration' ? ('migration' as const) : ('problem' as const)
  const card = (userId: string) => {
    const p = person(userId)
    return { id: p.id, name: p.name, organizationName: p.organizationName, contactEmail: contactOf(p) }
  }
  const messages = connected || staff
    ? await db
        .select({ id: introductionMessages.id, body: introductionMessages.body, createdAt: introductionMessages.createdAt, authorId: introductionMessages.authorId, authorName: users.name })
        .from(introductionMessages)
        .innerJoin(users, eq(users.id, introductionMessages.authorId))
        .where(eq(introductionMessages.introductionId, intro.id))
        .orderBy(introductionMessages.createdAt, introductionMessages.id)
    : []
  const myResponse = side === 'asker' ? intro.askerResponse : side === 'solver' ? intro.solverResponse : null
  const closed = intro.state === 'declined' || intro.state === 'expired' || intro.state === 'withdrawn'
  return {
    id: intro.id,
    side,
    staff,
    // Sides see "did not happen" for any closed state: never who declined or why.
    state: !staff && closed ? ('did_not_happen' as const) : intro.state,
    myResponse,
    createdAt: intro.createdAt,
    expiresAt: intro.expiresAt,
    connectedAt: intro.connectedAt,
    outcome: side === 'asker' || staff ? intro.outcome : null,
    outcomeAskedAt: intro.outcomeAskedAt,
    note: side === 'asker' ? intro.askerNote : side === 'solver' ? intro.solverNote : null,
    /** 'migration' when two customers planning the same move are introduced. */
    subjectKind,
    // Who sees which post whole, and who only a neutral summary of the other
    // side's post until both accept: introductions-view.ts (postsForViewer).
    ...postsForViewer({
      side,
      staff,
      connected,
      subjectKind,
      problem: problem && (staff || maySee(actor, problem)) ? problem : null,
      qualifying: qualifying && (staff || maySee(actor, qualifying)) ? qualifying : null,
    }),
    other: connected && side ? card(side === 'asker' ? intro.solverId : intro.askerId) : null,
    staffView: staff
      ? {
          asker: card(intro.askerId),
          solver: card(intro.solverId),
          proposedBy: person(intro.proposedById).name,
          askerNote: intro.askerNote,
          solverNote: intro.solverNote,
          askerResponse: intro.askerResponse,
          solverResponse: intro.solverResponse,
        }
      : null,
    messages,
  }
}

const CLOSED_STATES: IntroductionState[] = ['declined', 'expired', 'withdrawn']

/** Introductions per page of the list. */
export const INTRODUCTIONS_PAGE_SIZE = 50

type ListIntroductionsOptions = { state?: IntroductionState; problemId?: string; cursor?: Cursor | null }

/** The first page of `listIntroductionsPage` (a problem's page, tests). */
export async function listIntroductions(actor: Actor, options: ListIntroductionsOptions = {}) {
  return (await listIntroductionsPage(actor, options)).items
}

/**
 * The actor's own introductions (customers), or every introduction filtered
 * by state (staff), most recently changed first, a keyset page at a time
 * from `cursor` (decision 0021).
 */
export async function listIntroductionsPage(actor: Actor, { state, problemId, cursor = null }: ListIntroductionsOptions = {}) {
  const staff = isStaff(actor)
  // A side sees every closed state as "did not happen", so filtering by one
  // must not tell them which it was: any closed state matches.
  const closedFilter = !staff && state && CLOSED_STATES.includes(state)
  const conditions: (SQL | undefined)[] = [
    staff ? undefined : or(eq(introductions.askerId, actor.id), eq(introductions.solverId, actor.id)),
    closedFilter ? inArray(introductions.state, CLOSED_STATES) : state ? eq(introductions.state, state) : undefined,
    problemId ? eq(introductions.problemId, problemId) : undefined,
  ]
  const asker = sql<string>`(select name from ${users} where ${users.id} = ${introductions.askerId})`
  const solver = sql<string>`(select name from ${users} where ${users.id} = ${introductions.solverId})`
  const rows = await db
    .select({
      id: introductions.id,
      state: introductions.state,
      askerId: introductions.askerId,
      solverId: introductions.solverId,
      askerResponse: introductions.askerResponse,
      solverResponse: introductions.solverResponse,
      askerName: asker,
      solverName: solver,
      problemId: introductions.problemId,
      problemTitle: posts.title,
      productName: products.name,
      createdAt: introductions.createdAt,
      updatedAt: introductions.updatedAt,
      expiresAt: introductions.expiresAt,
      outcome: introductions.outcome,
      cursorAt: exactTime(introductions.updatedAt),
    })
    .from(introductions)
    .innerJoin(posts, eq(posts.id, introductions.problemId))
    .innerJoin(products, eq(products.id, posts.productId))
    .where(and(...conditions, keysetWhere(introductions.updatedAt, introductions.id, cursor)))
    .orderBy(...keysetOrder(introductions.updatedAt, introductions.id, cursor))
    .limit(INTRODUCTIONS_PAGE_SIZE + 1)
  const { items, ...page } = keysetPage(rows, INTRODUCTIONS_PAGE_SIZE, cursor)
  return { ...page, items: items.map((r) => {
    const side = r.askerId === actor.id ? 'asker' : r.solverId === actor.id ? 'solver' : null
    const closed = r.state === 'declined' || r.state === 'expired' || r.state === 'withdrawn'
    return {
      id: r.id,
      side,
      state: !staff && closed ? ('did_not_happen' as const) : r.state,
      // Customers see names only once connected, and only the other side's.
      askerName: staff || (r.state === 'connected' && side === 'solver') || side === 'asker' ? r.askerName : null,
      solverName: staff || (r.state === 'connected' && side === 'asker') || side === 'solver' ? r.solverName : null,
      // The asker's problem is the asker's: the solver learns its title and id only once connected.
      problemId: staff || side === 'asker' || r.state === 'connected' ? r.problemId : null,
      problemTitle: staff || side === 'asker' || r.state === 'connected' ? r.problemTitle : null,
      productName: r.productName,
      // Staff only: a side who has not answered would learn that the other accepted.
      acceptedByOne: staff && r.state === 'proposed' && (r.askerResponse === 'accepted') !== (r.solverResponse === 'accepted'),
      myResponse: side === 'asker' ? r.askerResponse : side === 'solver' ? r.solverResponse : null,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      expiresAt: r.expiresAt,
      outcome: staff || side === 'asker' ? r.outcome : null,
    }
  }) }
}

// -- the person's own settings -----------------------------------------------------------

/** "Support may introduce me" and the contact email to share once connected. */
export async function getIntroductionSettings(actor: Actor) {
  const [row] = await db
    .select({ introductionsEnabled: users.introductionsEnabled, contactEmail: users.contactEmail, email: users.email })
    .from(users)
    .where(eq(users.id, actor.id))
  return row ?? null
}

/**
 * Saves the actor's introduction settings. Turning introductions off blocks
 * new proposals (checked in proposeIntroduction) and withdraws nothing
 * already connected.
 */
export async function updateIntroductionSettings(actor: Actor, input: { introductionsEnabled: boolean; contactEmail?: string }) {
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ introductionsEnabled: input.introductionsEnabled, contactEmail: input.contactEmail ?? null, updatedAt: new Date() })
      .where(eq(users.id, actor.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'user.introduction_settings',
      subjectType: 'user',
      subjectId: actor.id,
      details: { introductionsEnabled: input.introductionsEnabled },
    })
  })
  return ok()
}
