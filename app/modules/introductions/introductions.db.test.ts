/**
 * Introductions against a real database, through the real commands: every
 * transition and every refusal (exact message, nothing written), the races
 * that must end in one consistent state, and what each side may see.
 *
 * The database is shared by the tests of this file, so each test makes its
 * own people, organizations and problems (distinctive names, so a leak shows
 * up as a string in the serialized view) and compares row counts before and
 * after. Delivery after commit (`kickMailer`) is a spy: messages stay in the
 * outbox, where the tests read them.
 */
import { and, eq, inArray } from 'drizzle-orm'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, introductionMessages, introductions, notifications, outbox, users } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import { listNotifications } from '~/modules/notifications/notifications.server'
import { actorOf, createOrganization, createPost, createUser } from '#tests/factories'
import { countRows } from '#tests/row-counts'
import {
  askIntroductionOutcomes,
  countHelped,
  expireIntroductions,
  getIntroduction,
  getIntroductionSettings,
  INTRO_MESSAGES,
  listIntroductions,
  postIntroductionMessage,
  proposeIntroduction,
  recordIntroductionOutcome,
  respondToIntroduction,
  updateIntroductionSettings,
  withdrawIntroduction,
  type ProposeInput,
} from './introductions.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

beforeEach(() => {
  vi.mocked(kickMailer).mockClear()
})

const DAY_MS = 24 * 60 * 60 * 1000
const DID_NOT_HAPPEN = 'An introduction support suggested did not happen'
const CONNECTED = 'You are connected: both said yes to an introduction'

// -- helpers -------------------------------------------------------------------

let serial = 0
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}x${++serial}`

/** One product and one similar problem, where every solver's qualifying workaround goes (fewer rows, faster tests). */
let shared: Promise<{ productId: string; similarId: string }> | undefined
async function sharedPosts() {
  const similar = await createPost({ title: 'Gateway drops sessions after certificate rotation' })
  return { productId: similar.productId, similarId: similar.id }
}

/**
 * A support user, an asker with a community problem, and a solver at another
 * organization with a workaround of their own that qualifies them. Names,
 * emails and organizations are distinctive, so a leak is a findable string.
 */
async function world(options: { askerContactEmail?: string; solverContactEmail?: string } = {}) {
  const n = unique('')
  const support = await createUser({ role: 'support', name: `Sunniva Support ${n}` })
  const askerOrg = await createOrganization({ name: `Aldebaran Analytics ${n}` })
  const solverOrg = await createOrganization({ name: `Sirius Systems ${n}` })
  const asker = await createUser({ name: `Astrid Quill ${n}`, email: `astrid-${n}@aldebaran.test`, organizationId: askerOrg.id })
  const solver = await createUser({ name: `Solveig Brandt ${n}`, email: `solveig-${n}@sirius.test`, organizationId: solverOrg.id })
  if (options.askerContactEmail) await db.update(users).set({ contactEmail: options.askerContactEmail }).where(eq(users.id, asker.id))
  if (options.solverContactEmail) await db.update(users).set({ contactEmail: options.solverContactEmail }).where(eq(users.id, solver.id))
  const { productId, similarId } = await (shared ??= sharedPosts())
  const problem = await createPost({ authorId: asker.id, productId, title: `Gateway drops sessions after rotation ${n}` })
  const qualifying = await createPost({ kind: 'workaround', problemId: similarId, authorId: solver.id, body: `Restart the relay workers in order ${n}.` })
  return {
    n,
    support: actorOf(support),
    asker: actorOf(asker),
    solver: actorOf(solver),
    askerOrg,
    solverOrg,
    problem,
    qualifying,
  }
}
type World = Awaited<ReturnType<typeof world>>

function proposal(w: World, values: Partial<ProposeInput> = {}): ProposeInput {
  return {
    problemId: w.problem.id,
    solverId: w.solver.id,
    qualifyingPostId: w.qualifying.id,
    askerNote: `Note for the asker ${w.n}: she fixed this last spring.`,
    solverNote: `Note for the solver ${w.n}: a customer is stuck on this.`,
    ...values,
  }
}

async function propose(w: World, values: Partial<ProposeInput> = {}) {
  const result = await proposeIntroduction(w.support, proposal(w, values))
  if (!result.ok) throw new Error(`propose failed: ${result.message}`)
  return result.value.id
}

async function respond(actor: World['asker'], id: string, answer: 'accepted' | 'declined') {
  const result = await respondToIntroduction(actor, id, answer)
  if (!result.ok) throw new Error(`respond failed: ${result.message}`)
  return result.value.state
}

/** A world whose introduction both sides accepted. */
async function connectedWorld(options: Parameters<typeof world>[0] = {}) {
  const w = await world(options)
  const id = await propose(w)
  await respond(w.solver, id, 'accepted')
  await respond(w.asker, id, 'accepted')
  return { ...w, id }
}

async function stored(id: string) {
  const [row] = await db.select().from(introductions).where(eq(introductions.id, id))
  return row!
}

const TABLES = { introductions, introductionMessages, notifications, outbox, auditLog, users }

/** Row counts of every table an introduction writes to, in one query. */
const rowCounts = () => countRows(TABLES)

/** Runs `action` and checks that it left every table as it was (and asked for no delivery). */
async function expectNothingWritten<T>(action: () => Promise<T>): Promise<T> {
  vi.mocked(kickMailer).mockClear()
  const before = await rowCounts()
  const result = await action()
  expect(await rowCounts()).toEqual(before)
  expect(kickMailer).not.toHaveBeenCalled()
  return result
}

/** A refusal that left everything as it was, including the introduction row itself. */
async function expectRefused<T>(action: () => Promise<T>, introductionId?: string): Promise<T> {
  const rowBefore = introductionId ? await stored(introductionId) : null
  const result = await expectNothingWritten(action)
  if (introductionId) expect(await stored(introductionId)).toEqual(rowBefore)
  return result
}

async function notificationsOf(userId: string) {
  return db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(notifications.createdAt)
}

async function emailsTo(address: string) {
  return db.select().from(outbox).where(eq(outbox.toAddress, address)).orderBy(outbox.createdAt)
}

async function auditOf(subjectId: string) {
  return db
    .select({ actorId: auditLog.actorId, action: auditLog.action, details: auditLog.details })
    .from(auditLog)
    .where(eq(auditLog.subjectId, subjectId))
    .orderBy(auditLog.id)
}

/** Everything that identifies a person, as strings to look for in a serialized view. */
function identityOf(person: { id: string; name: string; email: string }, organizationName: string, contactEmail?: string) {
  return [person.id, person.name, person.email, organizationName, ...(contactEmail ? [contactEmail] : [])]
}

function expectNoneOf(haystack: unknown, needles: string[]) {
  const text = JSON.stringify(haystack)
  for (const needle of needles) expect(text, `leaked “${needle}”`).not.toContain(needle)
}

// -- proposing -------------------------------------------------------------------

describe('proposeIntroduction', () => {
  it('creates a proposed introduction, asks each side privately, and records it', async () => {
    const w = await world()
    const before = Date.now()
    const id = await propose(w)
    const row = await stored(id)
    expect(row).toMatchObject({
      state: 'proposed',
      problemId: w.problem.id,
      askerId: w.asker.id,
      solverId: w.solver.id,
      qualifyingPostId: w.qualifying.id,
      proposedById: w.support.id,
      askerResponse: null,
      solverResponse: null,
      connectedAt: null,
      closedAt: null,
    })
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(14 * DAY_MS)
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000)

    const [toAsker] = await notificationsOf(w.asker.id)
    const [toSolver] = await notificationsOf(w.solver.id)
    expect(toAsker).toMatchObject({ event: 'introduction_request', summary: 'Support found someone who may have solved your problem', path: `/introductions/${id}` })
    expect(toSolver).toMatchObject({ event: 'introduction_request', summary: 'Support asks whether you could help another customer', path: `/introductions/${id}` })
    // Neither request names the other side, in the app or by email.
    const [askerMail] = await emailsTo(w.asker.email)
    const [solverMail] = await emailsTo(w.solver.email)
    expect(askerMail!.text).toContain(w.problem.title!)
    expectNoneOf([toAsker, askerMail], identityOf(w.solver, w.solverOrg.name))
    expectNoneOf([toSolver, solverMail], identityOf(w.asker, w.askerOrg.name))
    expect(await auditOf(id)).toEqual([
      { actorId: w.support.id, action: 'introduction.propose', details: { problemId: w.problem.id, askerId: w.asker.id, solverId: w.solver.id } },
    ])
    expect(kickMailer).toHaveBeenCalled()
  })

  it('an admin may propose too, and a qualifying post is optional', async () => {
    const w = await world()
    const admin = actorOf(await createUser({ role: 'admin' }))
    const result = await proposeIntroduction(admin, proposal(w, { qualifyingPostId: undefined }))
    expect(result.ok).toBe(true)
    if (result.ok) expect(await stored(result.value.id)).toMatchObject({ proposedById: admin.id, qualifyingPostId: null })
  })

  describe('refusals (nothing written)', () => {
    it('a customer cannot propose: forbidden', async () => {
      const w = await world()
      for (const actor of [w.asker, w.solver, actorOf(await createUser())]) {
        expect(await expectRefused(() => proposeIntroduction(actor, proposal(w)))).toEqual({
          ok: false,
          reason: 'forbidden',
          message: INTRO_MESSAGES.supportOnly,
        })
      }
    })

    it('a problem that does not exist, or is hidden: problem_not_found', async () => {
      const w = await world()
      const hidden = await createPost({ authorId: w.asker.id, hiddenById: w.support.id, hiddenReason: 'Duplicate' })
      for (const problemId of ['no-such-problem', hidden.id, 'x'.repeat(200)]) {
        expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { problemId })))).toEqual({
          ok: false,
          reason: 'problem_not_found',
          message: INTRO_MESSAGES.problemNotFound,
        })
      }
    })

    it('a post that is not a problem: not_problem', async () => {
      const w = await world()
      const story = await createPost({ kind: 'story', authorId: w.asker.id })
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { problemId: story.id })))).toEqual({
        ok: false,
        reason: 'not_problem',
        message: INTRO_MESSAGES.notProblem,
      })
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { problemId: w.qualifying.id })))).toEqual({
        ok: false,
        reason: 'not_problem',
        message: INTRO_MESSAGES.notProblem,
      })
    })

    it('a staff-only problem: staff_only', async () => {
      const w = await world()
      const staffOnly = await createPost({ authorId: w.asker.id, visibility: 'staff' })
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { problemId: staffOnly.id })))).toEqual({
        ok: false,
        reason: 'staff_only',
        message: INTRO_MESSAGES.staffOnlyProblem,
      })
    })

    it('a private problem, or a private post as the qualifying one: refused, nothing of it reaches the other side', async () => {
      const w = await world()
      const privateProblem = await createPost({ authorId: w.asker.id, visibility: 'private' })
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { problemId: privateProblem.id })))).toEqual({
        ok: false,
        reason: 'staff_only',
        message: INTRO_MESSAGES.staffOnlyProblem,
      })
      const privateOfSolver = await createPost({ authorId: w.solver.id, visibility: 'private' })
      const privateWorkaround = await createPost({ kind: 'workaround', problemId: privateOfSolver.id, authorId: w.solver.id })
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { qualifyingPostId: privateWorkaround.id })))).toMatchObject({
        ok: false,
        reason: 'qualifying_not_found',
      })
    })

    it('a solver who is deactivated or does not exist: solver_not_found', async () => {
      const w = await world()
      const inactive = await createUser({ active: false })
      for (const solverId of [inactive.id, 'no-such-person']) {
        expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { solverId, qualifyingPostId: undefined })))).toEqual({
          ok: false,
          reason: 'solver_not_found',
          message: INTRO_MESSAGES.solverNotFound,
          field: 'solverId',
        })
      }
    })

    it('the asker as their own solver: solver_is_asker', async () => {
      const w = await world()
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { solverId: w.asker.id, qualifyingPostId: undefined })))).toEqual({
        ok: false,
        reason: 'solver_is_asker',
        message: INTRO_MESSAGES.solverIsAsker,
        field: 'solverId',
      })
    })

    it('a solver at the asker’s organization: same_organization', async () => {
      const w = await world()
      const colleague = await createUser({ organizationId: w.askerOrg.id })
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { solverId: colleague.id, qualifyingPostId: undefined })))).toEqual({
        ok: false,
        reason: 'same_organization',
        message: INTRO_MESSAGES.sameOrganization,
        field: 'solverId',
      })
    })

    it('a solver who turned introductions off: solver_opted_out', async () => {
      const w = await world()
      const optedOut = await createUser({ introductionsEnabled: false })
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { solverId: optedOut.id, qualifyingPostId: undefined })))).toEqual({
        ok: false,
        reason: 'solver_opted_out',
        message: INTRO_MESSAGES.solverOptedOut,
        field: 'solverId',
      })
    })

    it('an asker who turned introductions off: asker_opted_out', async () => {
      const w = await world()
      await db.update(users).set({ introductionsEnabled: false }).where(eq(users.id, w.asker.id))
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w)))).toEqual({
        ok: false,
        reason: 'asker_opted_out',
        message: INTRO_MESSAGES.askerOptedOut,
      })
    })

    it('a support user or an admin as the solver: solver_not_customer', async () => {
      const w = await world()
      const admin = await createUser({ role: 'admin' })
      for (const solverId of [w.support.id, admin.id]) {
        expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { solverId, qualifyingPostId: undefined })))).toEqual({
          ok: false,
          reason: 'solver_not_customer',
          message: INTRO_MESSAGES.solverNotCustomer,
          field: 'solverId',
        })
      }
    })

    it('a qualifying post that is not the solver’s, hidden, staff-only or missing: qualifying_not_found', async () => {
      const w = await world()
      const someoneElses = await createPost({ kind: 'workaround' })
      const hidden = await createPost({ kind: 'workaround', authorId: w.solver.id, hiddenById: w.support.id, hiddenReason: 'Spam' })
      const staffOnly = await createPost({ kind: 'story', authorId: w.solver.id, visibility: 'staff' })
      for (const qualifyingPostId of [someoneElses.id, hidden.id, staffOnly.id, 'no-such-post']) {
        expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { qualifyingPostId })))).toEqual({
          ok: false,
          reason: 'qualifying_not_found',
          message: INTRO_MESSAGES.qualifyingNotFound,
        })
      }
    })

    it('twice for the same pair and problem while one is open (proposed or connected): already_open', async () => {
      const w = await world()
      const id = await propose(w)
      const refusal = { ok: false, reason: 'already_open', message: INTRO_MESSAGES.alreadyOpen }
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w)))).toEqual(refusal)
      await respond(w.asker, id, 'accepted')
      await respond(w.solver, id, 'accepted')
      expect(await expectRefused(() => proposeIntroduction(w.support, proposal(w, { qualifyingPostId: undefined })))).toEqual(refusal)
    })

    it('once the earlier one is closed, the same pair may be proposed again', async () => {
      const w = await world()
      const first = await propose(w)
      await respond(w.solver, first, 'declined')
      const second = await propose(w)
      expect(second).not.toBe(first)
      expect((await stored(second)).state).toBe('proposed')
    })

    it('two proposals racing for the same pair and problem: exactly one is made', async () => {
      const w = await world()
      const before = await rowCounts()
      const results = await Promise.all([proposeIntroduction(w.support, proposal(w)), proposeIntroduction(w.support, proposal(w))])
      expect(results.filter((r) => r.ok)).toHaveLength(1)
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'already_open', message: INTRO_MESSAGES.alreadyOpen }])
      const rows = await db.select().from(introductions).where(eq(introductions.problemId, w.problem.id))
      expect(rows).toHaveLength(1)
      const after = await rowCounts()
      expect(after.introductions - before.introductions).toBe(1)
      expect(after.auditLog - before.auditLog).toBe(1)
      expect(after.notifications - before.notifications).toBe(2)
    })
  })
})

// -- answering -------------------------------------------------------------------

describe('respondToIntroduction', () => {
  it('an acceptance by one side leaves it proposed ("accepted by one"), and tells nobody', async () => {
    const w = await world()
    const id = await propose(w)
    const before = await rowCounts()
    expect(await respondToIntroduction(w.solver, id, 'accepted')).toEqual({ ok: true, value: { state: 'proposed' } })
    const row = await stored(id)
    expect(row).toMatchObject({ state: 'proposed', solverResponse: 'accepted', askerResponse: null, connectedAt: null, closedAt: null })
    expect(row.solverRespondedAt).toBeInstanceOf(Date)
    const after = await rowCounts()
    expect({ notifications: after.notifications - before.notifications, audit: after.auditLog - before.auditLog }).toEqual({ notifications: 0, audit: 1 })
    const staffRow = (await listIntroductions(w.support, { problemId: w.problem.id }))[0]!
    expect(staffRow).toMatchObject({ state: 'proposed', acceptedByOne: true })
    expect((await getIntroduction(w.support, id))!.staffView).toMatchObject({ solverResponse: 'accepted', askerResponse: null })
  })

  it('the second acceptance connects it, with connectedAt, and tells both sides and the proposer', async () => {
    const w = await world()
    const id = await propose(w)
    await respond(w.asker, id, 'accepted')
    expect(await respondToIntroduction(w.solver, id, 'accepted')).toEqual({ ok: true, value: { state: 'connected' } })
    const row = await stored(id)
    expect(row).toMatchObject({ state: 'connected', askerResponse: 'accepted', solverResponse: 'accepted', closedAt: null })
    expect(row.connectedAt).toBeInstanceOf(Date)
    expect(row.connectedAt!.getTime()).toBe(row.solverRespondedAt!.getTime())
    for (const person of [w.asker, w.solver, w.support]) {
      expect((await notificationsOf(person.id)).map((n) => n.summary)).toContain(CONNECTED)
    }
    expect((await auditOf(id)).map((a) => [a.actorId, a.action, a.details])).toEqual([
      [w.support.id, 'introduction.propose', expect.anything()],
      [w.asker.id, 'introduction.accept', { side: 'asker', state: 'proposed' }],
      [w.solver.id, 'introduction.accept', { side: 'solver', state: 'connected' }],
    ])
    expect(kickMailer).toHaveBeenCalled()
  })

  it('a decline closes it; the other side hears only that it did not happen — never who', async () => {
    const w = await world()
    const id = await propose(w)
    await respond(w.asker, id, 'accepted')
    const askerBefore = (await notificationsOf(w.asker.id)).length
    const askerMailBefore = (await emailsTo(w.asker.email)).length
    expect(await respondToIntroduction(w.solver, id, 'declined')).toEqual({ ok: true, value: { state: 'declined' } })
    const row = await stored(id)
    expect(row).toMatchObject({ state: 'declined', solverResponse: 'declined', askerResponse: 'accepted', connectedAt: null })
    expect(row.closedAt).toBeInstanceOf(Date)

    const toAsker = (await notificationsOf(w.asker.id)).slice(askerBefore).map((n) => ({ event: n.event, summary: n.summary, path: n.path }))
    expect(toAsker).toEqual([{ event: 'introduction_result', summary: DID_NOT_HAPPEN, path: `/introductions/${id}` }])
    // What the notifications page shows them holds nothing of the decliner either.
    const page = await listNotifications(w.asker.id)
    const mail = (await emailsTo(w.asker.email)).slice(askerMailBefore)
    expect(mail).toHaveLength(1)
    expect(mail[0]!.subject).toBe(DID_NOT_HAPPEN)
    expect(mail[0]!.text).toContain('no details were shared')
    expectNoneOf([toAsker, page.rows, mail], [...identityOf(w.solver, w.solverOrg.name), 'declin'])
    // The decliner is not told about their own decline; the proposer learns it was declined.
    expect((await notificationsOf(w.solver.id)).map((n) => n.summary)).not.toContain(DID_NOT_HAPPEN)
    expect((await notificationsOf(w.support.id)).map((n) => n.summary)).toEqual(['An introduction you proposed was declined'])
    expect((await auditOf(id)).at(-1)).toEqual({ actorId: w.solver.id, action: 'introduction.decline', details: { side: 'solver', state: 'declined' } })
  })

  it('an asker’s decline is just as private', async () => {
    const w = await world()
    const id = await propose(w)
    await respond(w.solver, id, 'accepted')
    await respond(w.asker, id, 'declined')
    const toSolver = (await notificationsOf(w.solver.id)).map((n) => ({ summary: n.summary, path: n.path }))
    expect(toSolver.map((n) => n.summary)).toEqual(['Support asks whether you could help another customer', DID_NOT_HAPPEN])
    const mail = (await emailsTo(w.solver.email)).map((m) => ({ subject: m.subject, text: m.text, html: m.html }))
    expect(mail).toHaveLength(2)
    expectNoneOf([toSolver, mail, (await listNotifications(w.solver.id)).rows], [...identityOf(w.asker, w.askerOrg.name), 'declin'])
  })

  it('answering twice: already_answered, nothing changed', async () => {
    const w = await world()
    const id = await propose(w)
    await respond(w.asker, id, 'accepted')
    for (const answer of ['accepted', 'declined'] as const) {
      expect(await expectRefused(() => respondToIntroduction(w.asker, id, answer), id)).toEqual({
        ok: false,
        reason: 'already_answered',
        message: INTRO_MESSAGES.alreadyAnswered,
      })
    }
  })

  it('after it is closed (declined, withdrawn, connected): not_open, nothing changed', async () => {
    const w = await world()
    const declined = await propose(w)
    await respond(w.asker, declined, 'declined')
    const withdrawn = await propose(w)
    await withdrawIntroduction(w.support, withdrawn)
    const connected = await propose(w)
    await respond(w.asker, connected, 'accepted')
    await respond(w.solver, connected, 'accepted')
    const refusal = { ok: false, reason: 'not_open', message: INTRO_MESSAGES.notOpen }
    expect(await expectRefused(() => respondToIntroduction(w.solver, declined, 'accepted'), declined)).toEqual(refusal)
    expect(await expectRefused(() => respondToIntroduction(w.solver, withdrawn, 'declined'), withdrawn)).toEqual(refusal)
    expect(await expectRefused(() => respondToIntroduction(w.asker, withdrawn, 'accepted'), withdrawn)).toEqual(refusal)
    // Once connected, the only way out would be a decline: refused too.
    expect(await expectRefused(() => respondToIntroduction(w.solver, connected, 'declined'), connected)).toEqual(refusal)
  })

  it('answering one past its expiry: not_open, and it becomes expired (both told it did not happen)', async () => {
    const w = await world()
    const id = await propose(w)
    await db.update(introductions).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(introductions.id, id))
    expect(await respondToIntroduction(w.solver, id, 'accepted')).toEqual({ ok: false, reason: 'not_open', message: INTRO_MESSAGES.notOpen })
    const row = await stored(id)
    expect(row).toMatchObject({ state: 'expired', solverResponse: null, askerResponse: null })
    expect(row.closedAt).toBeInstanceOf(Date)
    expect((await auditOf(id)).at(-1)).toEqual({ actorId: null, action: 'introduction.expire', details: {} })
    for (const side of [w.asker, w.solver]) expect((await notificationsOf(side.id)).at(-1)!.summary).toBe(DID_NOT_HAPPEN)
    expect((await notificationsOf(w.support.id)).map((n) => n.summary)).toEqual(['An introduction you proposed expired without both answers'])
  })

  it('someone who takes no part, staff included, or an unknown id: not_found', async () => {
    const w = await world()
    const id = await propose(w)
    const refusal = { ok: false, reason: 'not_found', message: INTRO_MESSAGES.notFound }
    const stranger = actorOf(await createUser())
    for (const actor of [stranger, w.support]) {
      expect(await expectRefused(() => respondToIntroduction(actor, id, 'accepted'), id)).toEqual(refusal)
    }
    expect(await expectRefused(() => respondToIntroduction(w.asker, 'no-such-introduction', 'accepted'))).toEqual(refusal)
    expect(await expectRefused(() => respondToIntroduction(w.asker, 'x'.repeat(100), 'accepted'))).toEqual(refusal)
  })

  it('an accept racing a decline always ends declined, with one closing audit entry (10 runs)', async () => {
    const w = await world()
    for (let run = 0; run < 10; run++) {
      const id = await propose(w)
      const [accept, decline] = await Promise.all([
        respondToIntroduction(w.asker, id, 'accepted'),
        respondToIntroduction(w.solver, id, 'declined'),
      ])
      expect(decline).toEqual({ ok: true, value: { state: 'declined' } })
      // The accept either came first (still waiting for the solver) or found it closed.
      expect([{ ok: true, value: { state: 'proposed' } }, { ok: false, reason: 'not_open', message: INTRO_MESSAGES.notOpen }]).toContainEqual(accept)
      const row = await stored(id)
      expect(row).toMatchObject({ state: 'declined', solverResponse: 'declined', connectedAt: null })
      expect(row.askerResponse).toBe(accept.ok ? 'accepted' : null)
      const actions = (await auditOf(id)).map((a) => a.action)
      expect(actions.filter((a) => a === 'introduction.decline')).toHaveLength(1)
      expect(actions).toEqual(accept.ok ? ['introduction.propose', 'introduction.accept', 'introduction.decline'] : ['introduction.propose', 'introduction.decline'])
      const closing = await db
        .select()
        .from(notifications)
        .where(and(inArray(notifications.userId, [w.asker.id, w.solver.id]), eq(notifications.path, `/introductions/${id}`), eq(notifications.summary, CONNECTED)))
      expect(closing).toEqual([])
    }
  })

  it('two acceptances racing connect it exactly once (5 runs)', async () => {
    const w = await world()
    for (let run = 0; run < 5; run++) {
      const id = await propose(w)
      const results = await Promise.all([respondToIntroduction(w.asker, id, 'accepted'), respondToIntroduction(w.solver, id, 'accepted')])
      expect(results.map((r) => (r.ok ? r.value.state : r.reason)).sort()).toEqual(['connected', 'proposed'])
      expect(await stored(id)).toMatchObject({ state: 'connected', askerResponse: 'accepted', solverResponse: 'accepted' })
      const connectedNotes = await db.select().from(notifications).where(and(eq(notifications.path, `/introductions/${id}`), eq(notifications.summary, CONNECTED)))
      expect(connectedNotes).toHaveLength(3)
      // A connected pair counts as open, so the next run proposes on a fresh problem.
      w.problem = await createPost({ authorId: w.asker.id, productId: w.problem.productId })
    }
  })
})

// -- withdrawing and expiring --------------------------------------------------------

describe('withdrawIntroduction', () => {
  it('support withdraws a proposed one; both sides hear only that it did not happen', async () => {
    const w = await world()
    const id = await propose(w)
    const colleague = actorOf(await createUser({ role: 'support' }))
    expect(await withdrawIntroduction(colleague, id)).toEqual({ ok: true, value: { state: 'withdrawn' } })
    const row = await stored(id)
    expect(row.state).toBe('withdrawn')
    expect(row.closedAt).toBeInstanceOf(Date)
    for (const side of [w.asker, w.solver]) expect((await notificationsOf(side.id)).at(-1)!.summary).toBe(DID_NOT_HAPPEN)
    expect((await notificationsOf(w.support.id)).map((n) => n.summary)).toEqual(['An introduction you proposed was withdrawn'])
    expect((await auditOf(id)).at(-1)).toEqual({ actorId: colleague.id, action: 'introduction.withdraw', details: {} })
    expect(kickMailer).toHaveBeenCalled()
  })

  it('customers cannot withdraw, not even a side: forbidden', async () => {
    const w = await world()
    const id = await propose(w)
    for (const actor of [w.asker, w.solver]) {
      expect(await expectRefused(() => withdrawIntroduction(actor, id), id)).toEqual({ ok: false, reason: 'forbidden', message: INTRO_MESSAGES.supportOnly })
    }
  })

  it('only while proposed: not_open once accepted by both or declined; unknown: not_found', async () => {
    const w = await connectedWorld()
    expect(await expectRefused(() => withdrawIntroduction(w.support, w.id), w.id)).toEqual({ ok: false, reason: 'not_open', message: INTRO_MESSAGES.notOpen })
    const other = await world()
    const declined = await propose(other)
    await respond(other.solver, declined, 'declined')
    expect(await expectRefused(() => withdrawIntroduction(other.support, declined), declined)).toEqual({ ok: false, reason: 'not_open', message: INTRO_MESSAGES.notOpen })
    expect(await expectRefused(() => withdrawIntroduction(w.support, 'no-such-introduction'))).toEqual({ ok: false, reason: 'not_found', message: INTRO_MESSAGES.notFound })
  })

  it('accepted by one can still be withdrawn', async () => {
    const w = await world()
    const id = await propose(w)
    await respond(w.asker, id, 'accepted')
    expect(await withdrawIntroduction(w.support, id)).toEqual({ ok: true, value: { state: 'withdrawn' } })
  })
})

describe('expireIntroductions', () => {
  it('expires only proposed ones past their date (at a fixed now), once, and tells both sides it did not happen', async () => {
    // Dates far in the past, so other tests' introductions are never due at this `now`.
    const now = new Date('2001-03-10T12:00:00Z')
    const due = await world()
    const dueId = await propose(due)
    await respond(due.asker, dueId, 'accepted')
    await db.update(introductions).set({ expiresAt: new Date('2001-03-10T11:59:59Z') }).where(eq(introductions.id, dueId))
    const notYet = await world()
    const notYetId = await propose(notYet)
    await db.update(introductions).set({ expiresAt: new Date('2001-03-10T12:00:01Z') }).where(eq(introductions.id, notYetId))
    const connected = await connectedWorld()
    await db.update(introductions).set({ expiresAt: new Date('2001-03-01T00:00:00Z') }).where(eq(introductions.id, connected.id))
    const declined = await world()
    const declinedId = await propose(declined)
    await respond(declined.solver, declinedId, 'declined')
    await db.update(introductions).set({ expiresAt: new Date('2001-03-01T00:00:00Z') }).where(eq(introductions.id, declinedId))
    const rowsBefore = await Promise.all([notYetId, connected.id, declinedId].map(stored))

    expect(await expireIntroductions(now)).toBe(1)
    expect(await stored(dueId)).toMatchObject({ state: 'expired', closedAt: now, updatedAt: now, askerResponse: 'accepted' })
    expect(await Promise.all([notYetId, connected.id, declinedId].map(stored))).toEqual(rowsBefore)
    for (const side of [due.asker, due.solver]) {
      const last = (await notificationsOf(side.id)).at(-1)!
      expect(last).toMatchObject({ event: 'introduction_result', summary: DID_NOT_HAPPEN, actorId: null })
    }
    expect((await notificationsOf(due.support.id)).map((n) => n.summary)).toEqual(['An introduction you proposed expired without both answers'])
    expect((await auditOf(dueId)).at(-1)).toEqual({ actorId: null, action: 'introduction.expire', details: {} })
    expect(kickMailer).toHaveBeenCalled()

    vi.mocked(kickMailer).mockClear()
    expect(await expectNothingWritten(() => expireIntroductions(now))).toBe(0)
  })
})

// -- the thread ------------------------------------------------------------------

describe('postIntroductionMessage', () => {
  it('either side and support write; the others are told, the writer is not', async () => {
    const w = await connectedWorld()
    const before = await rowCounts()
    const fromAsker = await postIntroductionMessage(w.asker, w.id, { body: 'Hello! How did you fix it?' })
    expect(fromAsker.ok).toBe(true)
    const after = await rowCounts()
    expect(after.introductionMessages - before.introductionMessages).toBe(1)
    expect(after.notifications - before.notifications).toBe(2)
    const summary = `${w.asker.name} wrote in your introduction`
    expect((await notificationsOf(w.solver.id)).at(-1)).toMatchObject({ event: 'introduction_message', summary, path: `/introductions/${w.id}#message-${fromAsker.ok && fromAsker.value.id}` })
    expect((await notificationsOf(w.support.id)).at(-1)!.summary).toBe(summary)
    expect((await notificationsOf(w.asker.id)).map((n) => n.summary)).not.toContain(summary)
    expect(kickMailer).toHaveBeenCalled()

    expect((await postIntroductionMessage(w.solver, w.id, { body: 'We restarted the workers in order.' })).ok).toBe(true)
    const otherSupport = actorOf(await createUser({ role: 'support' }))
    expect((await postIntroductionMessage(otherSupport, w.id, { body: 'Glad this worked out.' })).ok).toBe(true)
    expect((await notificationsOf(w.support.id)).at(-1)!.summary).toBe(`${otherSupport.name} wrote in your introduction`)
    const view = await getIntroduction(w.solver, w.id)
    expect(view!.messages.map((m) => [m.authorId, m.body])).toEqual([
      [w.asker.id, 'Hello! How did you fix it?'],
      [w.solver.id, 'We restarted the workers in order.'],
      [otherSupport.id, 'Glad this worked out.'],
    ])
  })

  it('before it is connected, or after it closed: not_connected', async () => {
    const w = await world()
    const id = await propose(w)
    const refusal = { ok: false, reason: 'not_connected', message: INTRO_MESSAGES.notConnected }
    expect(await expectRefused(() => postIntroductionMessage(w.asker, id, { body: 'Hi?' }), id)).toEqual(refusal)
    await respond(w.solver, id, 'accepted')
    expect(await expectRefused(() => postIntroductionMessage(w.solver, id, { body: 'Hi?' }), id)).toEqual(refusal)
    expect(await expectRefused(() => postIntroductionMessage(w.support, id, { body: 'Hi?' }), id)).toEqual(refusal)
    await respond(w.asker, id, 'declined')
    expect(await expectRefused(() => postIntroductionMessage(w.solver, id, { body: 'Hi?' }), id)).toEqual(refusal)
  })

  it('someone who takes no part: not_found', async () => {
    const w = await connectedWorld()
    const stranger = actorOf(await createUser())
    const colleague = actorOf(await createUser({ organizationId: w.askerOrg.id }))
    for (const actor of [stranger, colleague]) {
      expect(await expectRefused(() => postIntroductionMessage(actor, w.id, { body: 'Let me in' }), w.id)).toEqual({
        ok: false,
        reason: 'not_found',
        message: INTRO_MESSAGES.notFound,
      })
    }
  })

  it('a double submit with the same submissionKey makes one message, one set of notifications', async () => {
    const w = await connectedWorld()
    const key = unique('key-')
    const before = await rowCounts()
    const first = await postIntroductionMessage(w.asker, w.id, { body: 'Once', submissionKey: key })
    const again = await postIntroductionMessage(w.asker, w.id, { body: 'Once', submissionKey: key })
    expect(again).toEqual(first)
    const racing = await Promise.all([
      postIntroductionMessage(w.solver, w.id, { body: 'Twice', submissionKey: key }),
      postIntroductionMessage(w.solver, w.id, { body: 'Twice', submissionKey: key }),
    ])
    expect(racing[0]).toEqual(racing[1])
    expect(racing[0]!.ok).toBe(true)
    const after = await rowCounts()
    expect(after.introductionMessages - before.introductionMessages).toBe(2)
    expect(after.notifications - before.notifications).toBe(4)
  })
})

// -- the outcome -------------------------------------------------------------------

describe('askIntroductionOutcomes', () => {
  it('asks the asker once, only for introductions connected at least 7 days ago', async () => {
    const now = new Date()
    const due = await connectedWorld()
    await db.update(introductions).set({ connectedAt: new Date(now.getTime() - 7 * DAY_MS) }).where(eq(introductions.id, due.id))
    const tooRecent = await connectedWorld()
    await db.update(introductions).set({ connectedAt: new Date(now.getTime() - 7 * DAY_MS + 60_000) }).where(eq(introductions.id, tooRecent.id))
    const proposed = await world()
    const proposedId = await propose(proposed)

    expect(await askIntroductionOutcomes(now)).toBe(1)
    expect(await stored(due.id)).toMatchObject({ outcomeAskedAt: now })
    expect((await stored(tooRecent.id)).outcomeAskedAt).toBeNull()
    expect((await stored(proposedId)).outcomeAskedAt).toBeNull()
    expect((await notificationsOf(due.asker.id)).at(-1)).toMatchObject({
      event: 'introduction_outcome',
      summary: 'Did the introduction help?',
      path: `/introductions/${due.id}#outcome`,
    })
    expect((await notificationsOf(due.solver.id)).map((n) => n.event)).not.toContain('introduction_outcome')
    expect(kickMailer).toHaveBeenCalled()

    vi.mocked(kickMailer).mockClear()
    expect(await expectNothingWritten(() => askIntroductionOutcomes(now))).toBe(0)
  })
})

describe('recordIntroductionOutcome and countHelped', () => {
  it('the asker says it helped; the solver’s count of helped customers grows', async () => {
    const w = await connectedWorld()
    expect(await countHelped(w.solver.id)).toBe(0)
    expect(await recordIntroductionOutcome(w.asker, w.id, true)).toEqual({ ok: true, value: { problemId: w.problem.id } })
    expect(await stored(w.id)).toMatchObject({ outcome: 'helped' })
    expect((await stored(w.id)).outcomeAt).toBeInstanceOf(Date)
    expect((await auditOf(w.id)).at(-1)).toEqual({ actorId: w.asker.id, action: 'introduction.outcome', details: { helped: true } })
    expect(await countHelped(w.solver.id)).toBe(1)
    expect(await countHelped(w.asker.id)).toBe(0)

    // A second asker helped by the same solver counts; one it did not help does not.
    const second = await world()
    second.solver = w.solver
    second.qualifying = w.qualifying
    const helped = await propose(second)
    await respond(second.asker, helped, 'accepted')
    await respond(w.solver, helped, 'accepted')
    await recordIntroductionOutcome(second.asker, helped, true)
    const third = await world()
    third.solver = w.solver
    third.qualifying = w.qualifying
    const notHelped = await propose(third)
    await respond(third.asker, notHelped, 'accepted')
    await respond(w.solver, notHelped, 'accepted')
    expect(await recordIntroductionOutcome(third.asker, notHelped, false)).toEqual({ ok: true, value: { problemId: third.problem.id } })
    expect(await stored(notHelped)).toMatchObject({ outcome: 'not_helped' })
    expect(await countHelped(w.solver.id)).toBe(2)
  })

  it('the solver or support cannot answer for the asker: forbidden', async () => {
    const w = await connectedWorld()
    for (const actor of [w.solver, w.support]) {
      expect(await expectRefused(() => recordIntroductionOutcome(actor, w.id, true), w.id)).toEqual({ ok: false, reason: 'forbidden', message: INTRO_MESSAGES.notAsker })
    }
  })

  it('someone who takes no part: not_found; not connected yet: not_connected', async () => {
    const w = await connectedWorld()
    const stranger = actorOf(await createUser())
    expect(await expectRefused(() => recordIntroductionOutcome(stranger, w.id, true), w.id)).toEqual({ ok: false, reason: 'not_found', message: INTRO_MESSAGES.notFound })
    const p = await world()
    const id = await propose(p)
    expect(await expectRefused(() => recordIntroductionOutcome(p.asker, id, true), id)).toEqual({ ok: false, reason: 'not_connected', message: INTRO_MESSAGES.notConnected })
  })
})

// -- settings ----------------------------------------------------------------------

describe('updateIntroductionSettings', () => {
  it('on by default, with the account email to share', async () => {
    const person = actorOf(await createUser())
    expect(await getIntroductionSettings(person)).toEqual({ introductionsEnabled: true, contactEmail: null, email: person.email })
  })

  it('turning it off blocks new proposals and leaves a connected introduction as it is', async () => {
    const w = await connectedWorld()
    const connectedRow = await stored(w.id)
    expect(await updateIntroductionSettings(w.solver, { introductionsEnabled: false })).toEqual({ ok: true, value: undefined })
    expect(await getIntroductionSettings(w.solver)).toMatchObject({ introductionsEnabled: false })
    expect((await auditOf(w.solver.id)).at(-1)).toEqual({ actorId: w.solver.id, action: 'user.introduction_settings', details: { introductionsEnabled: false } })

    const problem = await createPost({ authorId: w.asker.id })
    expect(await expectNothingWritten(() => proposeIntroduction(w.support, proposal(w, { problemId: problem.id })))).toEqual({
      ok: false,
      reason: 'solver_opted_out',
      message: INTRO_MESSAGES.solverOptedOut,
      field: 'solverId',
    })
    expect(await stored(w.id)).toEqual(connectedRow)
    expect((await getIntroduction(w.asker, w.id))!.other).toMatchObject({ id: w.solver.id })
    expect((await postIntroductionMessage(w.asker, w.id, { body: 'Still here?' })).ok).toBe(true)

    // The asker turning it off blocks proposals on their problems too; turning it on again allows them.
    await updateIntroductionSettings(w.asker, { introductionsEnabled: false })
    await updateIntroductionSettings(w.solver, { introductionsEnabled: true })
    expect(await proposeIntroduction(w.support, proposal(w, { problemId: problem.id }))).toMatchObject({ ok: false, reason: 'asker_opted_out' })
    await updateIntroductionSettings(w.asker, { introductionsEnabled: true })
    expect(await proposeIntroduction(w.support, proposal(w, { problemId: problem.id }))).toMatchObject({ ok: true })
  })
})

// -- what each side sees -----------------------------------------------------------

describe('privacy of getIntroduction and listIntroductions', () => {
  it('before both accept, neither side’s view holds anything of the other (nor their note)', async () => {
    const askerContactEmail = `${unique('astrid-private-')}@contact.test`
    const solverContactEmail = `${unique('solveig-private-')}@contact.test`
    const w = await world({ askerContactEmail, solverContactEmail })
    const id = await propose(w)
    const askerIdentity = identityOf(w.asker, w.askerOrg.name, askerContactEmail)
    const solverIdentity = identityOf(w.solver, w.solverOrg.name, solverContactEmail)
    const { askerNote, solverNote } = proposal(w)

    const check = async () => {
      const askerView = await getIntroduction(w.asker, id)
      const solverView = await getIntroduction(w.solver, id)
      expect(askerView).toMatchObject({ side: 'asker', staff: false, state: 'proposed', note: askerNote, other: null, staffView: null, messages: [] })
      expect(solverView).toMatchObject({ side: 'solver', staff: false, state: 'proposed', note: solverNote, other: null, staffView: null, messages: [] })
      // Each side sees a neutral summary of the other side's post, never the post (nor its id).
      expect(askerView!.qualifying).toBeNull()
      expect(askerView!.otherSummary).toMatchObject({ text: expect.stringMatching(/^A customer who solved a similar problem with /) })
      expect(solverView!.problem).toBeNull()
      expect(solverView!.otherSummary).toMatchObject({ text: expect.stringMatching(/^A customer stuck on a problem with /) })
      expect(solverView!.qualifying).toBeNull()
      expectNoneOf(askerView, [w.qualifying.id, w.qualifying.body])
      expectNoneOf(solverView, [w.problem.id, w.problem.title!])
      expectNoneOf(askerView, [...solverIdentity, solverNote])
      expectNoneOf(solverView, [...askerIdentity, askerNote])
      expectNoneOf(await listIntroductions(w.asker), [...solverIdentity, solverNote])
      expectNoneOf(await listIntroductions(w.solver), [...askerIdentity, askerNote])
      return { askerView, solverView }
    }
    const fresh = await check()
    // One side accepting changes nothing the other side can see.
    await respond(w.solver, id, 'accepted')
    const afterSolver = await check()
    expect(afterSolver.askerView).toEqual(fresh.askerView)
    const askerRows = await listIntroductions(w.asker)
    expect(askerRows).toHaveLength(1)
    expect(askerRows[0]).toMatchObject({ side: 'asker', state: 'proposed', myResponse: null, acceptedByOne: false, solverName: null, askerName: w.asker.name })
    expect(JSON.stringify(askerRows)).not.toContain('"accepted"')
    const solverRows = await listIntroductions(w.solver)
    expect(solverRows[0]).toMatchObject({ side: 'solver', myResponse: 'accepted', askerName: null, problemTitle: null, problemId: null })
  })

  it('once connected, each sees the other’s name, organization and contact email (the account email by default), never the other’s note', async () => {
    const contact = `astrid-shared-${unique('')}@contact.test`
    const w = await connectedWorld({ askerContactEmail: contact })
    const askerView = await getIntroduction(w.asker, w.id)
    const solverView = await getIntroduction(w.solver, w.id)
    expect(askerView!.state).toBe('connected')
    expect(askerView!.other).toEqual({ id: w.solver.id, name: w.solver.name, organizationName: w.solverOrg.name, contactEmail: w.solver.email })
    expect(solverView!.other).toEqual({ id: w.asker.id, name: w.asker.name, organizationName: w.askerOrg.name, contactEmail: contact })
    // The account email stays private when a contact email is set.
    expectNoneOf(solverView, [w.asker.email])
    const { askerNote, solverNote } = proposal(w)
    expectNoneOf(askerView, [solverNote])
    expectNoneOf(solverView, [askerNote])
    expect((await listIntroductions(w.asker))[0]).toMatchObject({ state: 'connected', solverName: w.solver.name })
    expect((await listIntroductions(w.solver))[0]).toMatchObject({ state: 'connected', askerName: w.asker.name })

    // A contact email changed later is what the other side sees.
    await updateIntroductionSettings(w.solver, { introductionsEnabled: true, contactEmail: `solveig-new-${w.n}@contact.test` })
    expect((await getIntroduction(w.asker, w.id))!.other!.contactEmail).toBe(`solveig-new-${w.n}@contact.test`)
  })

  it('a third customer gets null and an empty list; staff see everything', async () => {
    const w = await connectedWorld()
    const stranger = actorOf(await createUser())
    const colleague = actorOf(await createUser({ organizationId: w.askerOrg.id }))
    for (const actor of [stranger, colleague]) {
      expect(await getIntroduction(actor, w.id)).toBeNull()
      expect(await listIntroductions(actor)).toEqual([])
      expect(await listIntroductions(actor, { problemId: w.problem.id })).toEqual([])
    }
    expect(await getIntroduction(w.asker, 'no-such-introduction')).toBeNull()
    const staffView = await getIntroduction(w.support, w.id)
    expect(staffView).toMatchObject({ staff: true, side: null, state: 'connected' })
    expect(staffView!.staffView).toMatchObject({
      asker: { id: w.asker.id, name: w.asker.name },
      solver: { id: w.solver.id, name: w.solver.name },
      proposedBy: w.support.name,
      askerNote: proposal(w).askerNote,
      solverNote: proposal(w).solverNote,
    })
    const staffRows = await listIntroductions(w.support, { problemId: w.problem.id })
    expect(staffRows).toEqual([expect.objectContaining({ id: w.id, askerName: w.asker.name, solverName: w.solver.name, state: 'connected' })])
  })

  it('closed states show did_not_happen to the sides (never who declined) and the real state to staff', async () => {
    const w = await world()
    const declined = await propose(w)
    await respond(w.asker, declined, 'accepted')
    await respond(w.solver, declined, 'declined')
    const otherProblem = await createPost({ authorId: w.asker.id })
    const withdrawn = await propose(w, { problemId: otherProblem.id })
    await withdrawIntroduction(w.support, withdrawn)
    const thirdProblem = await createPost({ authorId: w.asker.id })
    const expired = await propose(w, { problemId: thirdProblem.id })
    await db.update(introductions).set({ expiresAt: new Date('2001-05-01T00:00:00Z') }).where(eq(introductions.id, expired))
    await expireIntroductions(new Date('2001-05-01T00:00:00Z'))

    const real = { [declined]: 'declined', [withdrawn]: 'withdrawn', [expired]: 'expired' }
    for (const id of [declined, withdrawn, expired]) {
      const askerView = await getIntroduction(w.asker, id)
      const solverView = await getIntroduction(w.solver, id)
      expect(askerView!.state).toBe('did_not_happen')
      expect(solverView!.state).toBe('did_not_happen')
      expect(askerView!.other).toBeNull()
      expect(solverView!.other).toBeNull()
      // The asker accepted the declined one: nothing in their view says the solver declined.
      expectNoneOf(askerView, ['declined', 'withdrawn', 'expired', ...identityOf(w.solver, w.solverOrg.name)])
      expectNoneOf(solverView, identityOf(w.asker, w.askerOrg.name))
      expect((await getIntroduction(w.support, id))!.state).toBe(real[id])
    }
    expect((await getIntroduction(w.support, declined))!.staffView).toMatchObject({ askerResponse: 'accepted', solverResponse: 'declined' })

    const askerRows = await listIntroductions(w.asker)
    expect(askerRows.map((r) => r.state)).toEqual(['did_not_happen', 'did_not_happen', 'did_not_happen'])
    expectNoneOf(askerRows, ['declined', 'withdrawn', 'expired', ...identityOf(w.solver, w.solverOrg.name)])
    // Filtering by a closed state cannot tell a side which one it was.
    for (const state of ['declined', 'withdrawn', 'expired'] as const) {
      expect((await listIntroductions(w.asker, { state })).map((r) => r.id).sort()).toEqual([declined, withdrawn, expired].sort())
    }
    expect(await listIntroductions(w.asker, { state: 'connected' })).toEqual([])
    // Staff see and filter by the real state.
    for (const [id, problemId] of [[declined, w.problem.id], [withdrawn, otherProblem.id], [expired, thirdProblem.id]] as const) {
      expect((await listIntroductions(w.support, { problemId })).map((r) => [r.id, r.state])).toEqual([[id, real[id]]])
      expect(await listIntroductions(w.support, { problemId, state: real[id] as 'declined' })).toHaveLength(1)
      expect(await listIntroductions(w.support, { problemId, state: 'proposed' })).toEqual([])
    }
  })
})
