/**
 * Introductions between two customers planning the same migration (the
 * migration radar's "connect these customers"): the subject is the asker's
 * plan and the qualifying post the other customer's plan for the same move.
 * The candidates, the command's extra rule, what each side reads, the double
 * opt-in, and the proposal page through its real loader and action.
 */
import { eq } from 'drizzle-orm'
import { describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { introductions, notifications } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import * as composeRoute from '~/routes/posts.$id_.introduce'
import { actorOf, createOrganization, createPost, createProduct, createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from '#tests/routes/request'
import { findSameMoveCandidates } from './candidates.server'
import { getIntroduction, INTRO_MESSAGES, proposeIntroduction, respondToIntroduction } from './introductions.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

let serial = 0

/** Support, a product with versions 1.0–3.0, and two customers of two organizations who both plan 1.0/2.0 → 3.0. */
async function world() {
  const n = `${Date.now().toString(36)}x${++serial}`
  const support = await createUser({ role: 'support', name: `Sunniva Support ${n}` })
  const product = await createProduct({ name: `Relay ${n}`, slug: `relay-${n}`, versions: ['1.0', '2.0', '3.0'] })
  const [v1, v2, v3] = product.versions.map((v) => v.id) as [string, string, string]
  const asker = await createUser({ name: `Astrid Quill ${n}`, organizationId: (await createOrganization({ name: `Aldebaran ${n}` })).id })
  const other = await createUser({ name: `Solveig Brandt ${n}`, organizationId: (await createOrganization({ name: `Sirius ${n}` })).id })
  const plan = await createPost({ kind: 'migration', authorId: asker.id, productId: product.id, fromVersionId: v1, toVersionId: v3, windowStart: '2026-03-02' })
  const theirs = await createPost({ kind: 'migration', authorId: other.id, productId: product.id, fromVersionId: v2, toVersionId: v3, windowStart: '2026-03-09' })
  return { n, support, product, v1, v2, v3, asker, other, plan, theirs }
}
type World = Awaited<ReturnType<typeof world>>

const proposal = (w: World, values: { qualifyingPostId?: string; problemId?: string } = {}) => ({
  problemId: w.plan.id,
  solverId: w.other.id,
  qualifyingPostId: w.theirs.id,
  askerNote: `Another customer makes the same move ${w.n}.`,
  solverNote: `Someone plans your move too ${w.n}.`,
  ...values,
})

describe('findSameMoveCandidates', () => {
  it('suggests customers of other organizations with a plan to the same version, their own plan as the reason', async () => {
    const w = await world()
    const person = async (name: string, values: Parameters<typeof createUser>[0] = {}) =>
      createUser({ name: `${name} ${w.n}`, organizationId: (await createOrganization({ name: `${name} org ${w.n}` })).id, ...values })
    const plan = (authorId: string, values: Partial<Parameters<typeof createPost>[0]> = {}) =>
      createPost({ kind: 'migration', authorId, productId: w.product.id, fromVersionId: w.v1, toVersionId: w.v3, ...values })
    // Same version as the asker's: ranked first.
    const sameFrom = await person('Same from')
    const sameFromPlan = await plan(sameFrom.id)
    const done = await person('Done already')
    const donePlan = await plan(done.id, { fromVersionId: w.v2, migrationStatus: 'done' })
    // Never: a colleague, a staff-only or hidden plan, one rolled back, another target, opted out, inactive, staff.
    const colleague = await createUser({ organizationId: w.asker.organizationId })
    await plan(colleague.id)
    await plan((await person('Staff-only plan')).id, { visibility: 'staff' })
    await plan((await person('Hidden plan')).id, { hiddenAt: new Date(), hiddenById: w.support.id, hiddenReason: 'duplicate' })
    await plan((await person('Rolled back')).id, { migrationStatus: 'rolled_back' })
    await plan((await person('Other target')).id, { toVersionId: w.v2 })
    await plan((await person('Opted out', { introductionsEnabled: false })).id)
    await plan((await person('Inactive', { active: false })).id)
    await plan((await createUser({ role: 'support' })).id)

    const candidates = await findSameMoveCandidates(actorOf(w.support), w.plan.id)
    expect(candidates?.map((c) => c.name).sort()).toEqual([sameFrom.name, done.name, w.other.name].sort())
    expect(candidates?.[0]).toMatchObject({ id: sameFrom.id, reasons: [{ kind: 'migration', postId: sameFromPlan.id, completed: false }] })
    const doneCandidate = candidates?.find((c) => c.id === done.id)
    expect(doneCandidate?.reasons).toEqual([
      { kind: 'migration', postId: donePlan.id, path: `/posts/${donePlan.id}`, label: `Completed the same move: ${w.product.name} 2.0 → 3.0`, completed: true },
    ])
  })

  it('answers only support, and only for a migration plan', async () => {
    const w = await world()
    expect(await findSameMoveCandidates(actorOf(w.asker), w.plan.id)).toBeNull()
    const problem = await createPost({ authorId: w.asker.id, productId: w.product.id })
    expect(await findSameMoveCandidates(actorOf(w.support), problem.id)).toBeNull()
  })
})

describe('proposeIntroduction from a migration plan', () => {
  it('asks both sides in the words of a shared move, and connects them when both say yes', async () => {
    const w = await world()
    const result = await proposeIntroduction(actorOf(w.support), proposal(w))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const id = result.value.id
    expect(await db.select({ problemId: introductions.problemId, qualifyingPostId: introductions.qualifyingPostId }).from(introductions).where(eq(introductions.id, id))).toEqual([
      { problemId: w.plan.id, qualifyingPostId: w.theirs.id },
    ])
    const told = await db.select({ userId: notifications.userId, summary: notifications.summary }).from(notifications).where(eq(notifications.path, `/introductions/${id}`))
    expect(told).toEqual(
      expect.arrayContaining([
        { userId: w.asker.id, summary: 'Support found another customer planning the same migration' },
        { userId: w.other.id, summary: 'Support asks whether you would talk with another customer making the same move' },
      ]),
    )
    // The asker reads their own plan and a neutral line about the other plan: not the plan, nor who made it.
    const askerView = await getIntroduction(actorOf(w.asker), id)
    expect(askerView).toMatchObject({ subjectKind: 'migration', side: 'asker', qualifying: null, other: null, otherSummary: { text: expect.stringMatching(/^A customer making the same move with /) } })
    expect(JSON.stringify(askerView)).not.toContain(w.other.name)
    expect(JSON.stringify(askerView)).not.toContain(w.theirs.id)
    expect(await respondToIntroduction(actorOf(w.other), id, 'accepted')).toEqual({ ok: true, value: { state: 'proposed' } })
    expect(await respondToIntroduction(actorOf(w.asker), id, 'accepted')).toEqual({ ok: true, value: { state: 'connected' } })
    expect(await getIntroduction(actorOf(w.asker), id)).toMatchObject({ state: 'connected', other: { id: w.other.id, name: w.other.name }, qualifying: { id: w.theirs.id, kind: 'migration' } })
  })

  it('refuses an introduction about a plan without the other customer’s plan for the same move', async () => {
    const w = await world()
    const refused = { ok: false, reason: 'not_same_move', message: INTRO_MESSAGES.notSameMove, field: 'qualifyingPostId' }
    expect(await proposeIntroduction(actorOf(w.support), proposal(w, { qualifyingPostId: undefined }))).toEqual(refused)
    const toAnotherVersion = await createPost({ kind: 'migration', authorId: w.other.id, productId: w.product.id, fromVersionId: w.v1, toVersionId: w.v2 })
    expect(await proposeIntroduction(actorOf(w.support), proposal(w, { qualifyingPostId: toAnotherVersion.id }))).toEqual(refused)
    const story = await createPost({ kind: 'story', authorId: w.other.id, productId: w.product.id })
    expect(await proposeIntroduction(actorOf(w.support), proposal(w, { qualifyingPostId: story.id }))).toEqual(refused)
    const staffOnly = await createPost({ kind: 'migration', authorId: w.asker.id, productId: w.product.id, fromVersionId: w.v2, toVersionId: w.v3, visibility: 'staff' })
    expect(await proposeIntroduction(actorOf(w.support), proposal(w, { problemId: staffOnly.id }))).toMatchObject({ ok: false, reason: 'staff_only' })
    expect(await db.select().from(introductions).where(eq(introductions.problemId, w.plan.id))).toEqual([])
  })
})

describe('the proposal page for a migration plan', () => {
  it('prefills notes about the shared move, and proposes on confirm', async () => {
    const w = await world()
    const cookie = await signedInCookie(w.support.id)
    const path = `/posts/${w.plan.id}/introduce?solver=${w.other.id}&via=${w.theirs.id}`
    const page = await get(composeRoute.loader, path, { cookie, params: { id: w.plan.id } })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({
      sameMove: true,
      problem: { id: w.plan.id, title: `${w.product.name} 1.0 → 3.0` },
      solver: { id: w.other.id, suggested: true },
      qualifyingPostId: w.theirs.id,
    })
    const defaults = page.data.defaults as { askerNote: string; solverNote: string }
    expect(defaults.askerNote).toContain(`About your migration plan “${w.product.name} 1.0 → 3.0”: another customer is making the same move`)
    expect(defaults.solverNote).toContain('Another customer plans the same move as you')
    // Nobody is named to the other side in the notes.
    expect(defaults.askerNote).not.toContain(w.other.name)
    expect(defaults.solverNote).not.toContain(w.asker.name)

    const sent = await postForm(composeRoute.action, path, { solverId: w.other.id, qualifyingPostId: w.theirs.id, askerNote: defaults.askerNote, solverNote: defaults.solverNote }, { cookie, params: { id: w.plan.id } })
    expect(sent.status).toBe(302)
    const [intro] = await db.select().from(introductions).where(eq(introductions.problemId, w.plan.id))
    expect(sent.headers.get('Location')).toBe(`/introductions/${intro!.id}?notice=introduction-proposed`)
    expect(intro).toMatchObject({ askerId: w.asker.id, solverId: w.other.id, qualifyingPostId: w.theirs.id, state: 'proposed' })
  })
})
