/**
 * The demo world's introductions: a few in each state, so every page of the
 * feature has something to show on a fresh start.
 *
 * - alice is asked whether she would like to meet someone who solved her
 *   open problem (proposed, nobody answered yet);
 * - bob is asked whether he could help someone (proposed; that person
 *   already said yes — "accepted by one");
 * - carol said yes about one of her problems and waits for the other side;
 * - carol is connected with a solver and they are talking (a private thread);
 * - carol was connected with alice weeks ago, and said it helped (alice's
 *   profile shows "Helped 1 customer through introductions");
 * - bob's request did not happen (the solver declined);
 * - one expired unanswered, one was withdrawn by support.
 *
 * Called from seedDemoIfEmpty (app/db/seed.ts) inside its transaction, after
 * the posts are written. It finds its problems and qualifying workarounds in
 * what was seeded (so it keeps working when the rest of the world changes)
 * and skips any introduction it cannot fill. Direct inserts only: no
 * notifications, no emails, no audit entries, like the rest of the seed.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { defaultAskerNote, defaultSolverNote } from '~/modules/introductions/introductions-view'
import { newId } from '~/utils/result'
import { type Executor } from './client.server'
import { introductionMessages, introductions, posts, users } from './schema'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

type Person = { id: string; email: string; name: string; organizationId: string; role: string; introductionsEnabled: boolean; active: boolean }
type Problem = { id: string; authorId: string; productId: string; title: string; state: string | null; createdAt: Date }
type Workaround = { id: string; authorId: string; problemId: string; productId: string; verified: boolean }

type Spec = {
  /** The asker's email, or null: anyone with a fitting problem. */
  asker: string | null
  /** The solver's email, or null: anyone with a fitting workaround. */
  solver: string | null
  problemStates: string[]
  /** Days before now that support proposed it. */
  proposedDaysAgo: number
  shape:
    | { state: 'proposed'; askerAccepted?: boolean; solverAccepted?: boolean }
    | { state: 'connected'; connectedDaysAgo: number; messages: number; helped?: boolean }
    | { state: 'declined' }
    | { state: 'expired' }
    | { state: 'withdrawn' }
}

const SPECS: Spec[] = [
  { asker: 'alice@customer-a.test', solver: 'sofia.rossi@customer-d.test', problemStates: ['open'], proposedDaysAgo: 0.08, shape: { state: 'proposed' } },
  { asker: null, solver: 'bob@customer-b.test', problemStates: ['open', 'answered'], proposedDaysAgo: 2, shape: { state: 'proposed', askerAccepted: true } },
  { asker: 'carol@customer-c.test', solver: null, problemStates: ['open', 'answered'], proposedDaysAgo: 1.5, shape: { state: 'proposed', askerAccepted: true } },
  { asker: 'carol@customer-c.test', solver: null, problemStates: ['answered', 'open'], proposedDaysAgo: 5, shape: { state: 'connected', connectedDaysAgo: 3, messages: 3 } },
  { asker: 'carol@customer-c.test', solver: 'alice@customer-a.test', problemStates: ['solved'], proposedDaysAgo: 58, shape: { state: 'connected', connectedDaysAgo: 56, messages: 5, helped: true } },
  { asker: 'bob@customer-b.test', solver: null, problemStates: ['answered', 'open'], proposedDaysAgo: 7, shape: { state: 'declined' } },
  { asker: null, solver: null, problemStates: ['open', 'answered'], proposedDaysAgo: 22, shape: { state: 'expired' } },
  { asker: null, solver: null, problemStates: ['answered', 'open'], proposedDaysAgo: 10, shape: { state: 'withdrawn' } },
]

/** The thread of a connected introduction, written by solver (s) and asker (a). */
function threadMessages(problemTitle: string, workaroundPath: string, asker: Person, solver: Person) {
  const a = asker.name.split(' ')[0]
  const s = solver.name.split(' ')[0]
  return [
    {
      by: 'solver' as const,
      body: `Hi ${a}, happy to help! We ran into “${problemTitle}” ourselves. What fixed it for us is in [my workaround](${workaroundPath}).\n\nThe part that is easy to miss: roll it out on **one node first** and watch the logs for a day before doing the rest. Which version are you on exactly?`,
    },
    {
      by: 'asker' as const,
      body: `Thanks a lot, ${s}! We are on the version in my report, three nodes behind a load balancer. I will try your steps on our test cluster tomorrow morning and report back here.`,
    },
    {
      by: 'asker' as const,
      body: 'It worked on the test cluster 🎉 We roll it out to production on Thursday.\n\nDid you have to change anything in your monitoring afterwards?',
    },
    {
      by: 'solver' as const,
      body: 'Great news! Only one thing: we kept an extra alert on the error rate for a week, just in case. It never fired. Good luck on Thursday!',
    },
    {
      by: 'asker' as const,
      body: 'Done in production, and quiet ever since. Thank you — you saved us days. I will add what we changed to my problem so the next person finds it.',
    },
  ]
}

/** Seeds the demo introductions (see the header). Returns how many were written. */
export async function seedIntroductions(tx: Executor, { now }: { now: Date }) {
  const people: Person[] = await tx
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      organizationId: users.organizationId,
      role: users.role,
      introductionsEnabled: users.introductionsEnabled,
      active: users.active,
    })
    .from(users)
  const byEmail = (email: string | null) => (email ? people.find((p) => p.email === email) : undefined)
  const byId = new Map(people.map((p) => [p.id, p]))
  const staff = byEmail('support@vendor.test') ?? people.find((p) => p.role === 'support')
  if (!staff) return 0
  const mayBeIntroduced = (p: Person | undefined): p is Person => Boolean(p && p.role === 'customer' && p.active && p.introductionsEnabled)

  const community = and(eq(posts.visibility, 'community'), isNull(posts.hiddenAt))
  const problems: Problem[] = (
    await tx
      .select({ id: posts.id, authorId: posts.authorId, productId: posts.productId, title: posts.title, state: posts.state, createdAt: posts.createdAt })
      .from(posts)
      .where(and(eq(posts.kind, 'problem'), community))
  ).map((p) => ({ ...p, title: p.title ?? 'a problem' }))
  const workarounds: Workaround[] = (
    await tx
      .select({ id: posts.id, authorId: posts.authorId, problemId: posts.problemId, productId: posts.productId, acceptedAt: posts.acceptedAt, verifiedAt: posts.verifiedAt })
      .from(posts)
      .where(and(eq(posts.kind, 'workaround'), community))
  )
    .filter((w) => w.problemId && (w.acceptedAt || w.verifiedAt))
    .map((w) => ({ id: w.id, authorId: w.authorId, problemId: w.problemId!, productId: w.productId, verified: Boolean(w.verifiedAt) }))

  const usedProblems = new Set<string>()
  const usedPairs = new Set<string>()
  let written = 0

  for (const spec of SPECS) {
    const wantedAsker = byEmail(spec.asker)
    const wantedSolver = byEmail(spec.solver)
    if ((spec.asker && !mayBeIntroduced(wantedAsker)) || (spec.solver && !mayBeIntroduced(wantedSolver))) continue

    // A problem with a qualifying workaround on it, else the newest fitting problem with one on a similar problem.
    const fitting = problems
      .filter((p) => !usedProblems.has(p.id) && spec.problemStates.includes(p.state ?? '') && (!wantedAsker || p.authorId === wantedAsker.id))
      .filter((p) => mayBeIntroduced(byId.get(p.authorId)))
      .sort((x, y) => spec.problemStates.indexOf(x.state ?? '') - spec.problemStates.indexOf(y.state ?? '') || y.createdAt.getTime() - x.createdAt.getTime())
    let match: { problem: Problem; asker: Person; solver: Person; workaround: Workaround } | null = null
    for (const problem of fitting) {
      const asker = byId.get(problem.authorId)!
      const options = workarounds
        .filter((w) => w.productId === problem.productId && (!wantedSolver || w.authorId === wantedSolver.id))
        .map((w) => ({ w, solver: byId.get(w.authorId) }))
        .filter((o): o is { w: Workaround; solver: Person } =>
          mayBeIntroduced(o.solver) && o.solver.organizationId !== asker.organizationId && !usedPairs.has(`${asker.id}:${o.solver.id}`),
        )
        // The same problem first, then verified ones.
        .sort((x, y) => Number(y.w.problemId === problem.id) - Number(x.w.problemId === problem.id) || Number(y.w.verified) - Number(x.w.verified))
      const best = options[0]
      if (best && !match) match = { problem, asker, solver: best.solver, workaround: best.w }
      // A workaround on this very problem is the best story; otherwise the newest problem wins.
      if (best && best.w.problemId === problem.id) {
        match = { problem, asker, solver: best.solver, workaround: best.w }
        break
      }
    }
    if (!match) continue
    const { problem, asker, solver, workaround } = match
    usedProblems.add(problem.id)
    usedPairs.add(`${asker.id}:${solver.id}`)

    const proposedAt = new Date(now.getTime() - spec.proposedDaysAgo * DAY)
    const later = (hours: number) => new Date(Math.min(proposedAt.getTime() + hours * HOUR, now.getTime() - 60_000))
    const expiresAt = new Date(proposedAt.getTime() + 14 * DAY)
    const id = newId()
    const shape = spec.shape
    const row: typeof introductions.$inferInsert = {
      id,
      problemId: problem.id,
      askerId: asker.id,
      solverId: solver.id,
      qualifyingPostId: workaround.id,
      proposedById: staff.id,
      askerNote: defaultAskerNote({ askerName: asker.name, problemTitle: problem.title, staffName: staff.name }),
      solverNote: defaultSolverNote({ solverName: solver.name, reasonKind: 'workaround', staffName: staff.name }),
      state: shape.state,
      expiresAt,
      createdAt: proposedAt,
      updatedAt: proposedAt,
    }
    const messages: (typeof introductionMessages.$inferInsert)[] = []
    if (shape.state === 'proposed') {
      if (shape.askerAccepted) Object.assign(row, { askerResponse: 'accepted', askerRespondedAt: later(5), updatedAt: later(5) })
      if (shape.solverAccepted) Object.assign(row, { solverResponse: 'accepted', solverRespondedAt: later(7), updatedAt: later(7) })
    } else if (shape.state === 'connected') {
      const connectedAt = new Date(now.getTime() - shape.connectedDaysAgo * DAY)
      Object.assign(row, {
        askerResponse: 'accepted',
        askerRespondedAt: later(3),
        solverResponse: 'accepted',
        solverRespondedAt: connectedAt,
        connectedAt,
        updatedAt: connectedAt,
      })
      const thread = threadMessages(problem.title, `/posts/${workaround.problemId}#workaround-${workaround.id}`, asker, solver).slice(0, shape.messages)
      thread.forEach((m, i) => {
        const at = new Date(Math.min(connectedAt.getTime() + (2 + i * 20) * HOUR, now.getTime() - (thread.length - i) * HOUR))
        messages.push({ id: newId(), introductionId: id, authorId: m.by === 'asker' ? asker.id : solver.id, body: m.body, createdAt: at })
        row.updatedAt = at
      })
      if (shape.helped) {
        const askedAt = new Date(connectedAt.getTime() + 7 * DAY)
        Object.assign(row, { outcomeAskedAt: askedAt, outcome: 'helped', outcomeAt: new Date(askedAt.getTime() + 5 * HOUR) })
      }
    } else if (shape.state === 'declined') {
      Object.assign(row, { askerResponse: 'accepted', askerRespondedAt: later(2), solverResponse: 'declined', solverRespondedAt: later(26), closedAt: later(26), updatedAt: later(26) })
    } else if (shape.state === 'expired') {
      Object.assign(row, { solverResponse: 'accepted', solverRespondedAt: later(30), closedAt: expiresAt, updatedAt: expiresAt })
    } else {
      Object.assign(row, { closedAt: later(20), updatedAt: later(20) })
    }
    await tx.insert(introductions).values(row)
    if (messages.length) await tx.insert(introductionMessages).values(messages)
    written++
  }
  return written
}
