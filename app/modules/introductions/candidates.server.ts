/**
 * "People who solved this": for an open problem, the customers support could
 * introduce its author to, ranked, each with the post that qualifies them.
 *
 * - authors of accepted or verified workarounds on similar problems (found
 *   through the search module) or on this very problem;
 * - customers who completed a migration to an affected version;
 * - authors of success stories on the same product (and versions).
 * Never: the asker, people of the asker's organization, deactivated users,
 * staff, and customers who turned introductions off.
 */
import { and, asc, eq, inArray, isNotNull, isNull, ne, or } from 'drizzle-orm'
import { db } from '~/db/client.server'
import { organizations, posts, postVersions, users } from '~/db/schema'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { getSimilarProblems, SIMILAR_STORED } from '~/modules/search/similar-problems.server'
import { countOpenBySolver } from './introductions.server'

export type CandidateReason = {
  kind: 'workaround' | 'migration' | 'story'
  postId: string
  /** The page to link: a workaround's problem, or the post itself. */
  path: string
  label: string
  /** Same-move candidates: their plan is done already. */
  completed?: boolean
}

export type Candidate = {
  id: string
  name: string
  organizationName: string
  openIntroductions: number
  reasons: CandidateReason[]
  score: number
}

/** Ranked candidates for `problemId`; null when the problem is not found. Support only (else null). */
export async function findCandidates(actor: Actor, problemId: string, limit = 10): Promise<Candidate[] | null> {
  if (!isStaff(actor)) return null
  const [problem] = await db.select().from(posts).where(eq(posts.id, problemId))
  if (!problem || problem.kind !== 'problem') return null
  const [asker] = await db.select().from(users).where(eq(users.id, problem.authorId))
  if (!asker) return null
  const affected = (await db.select({ id: postVersions.versionId }).from(postVersions).where(eq(postVersions.postId, problem.id))).map((v) => v.id)

  const scores = new Map<string, { score: number; reasons: CandidateReason[] }>()
  const add = (userId: string, score: number, reason: CandidateReason) => {
    const entry = scores.get(userId) ?? { score: 0, reasons: [] }
    entry.score = Math.max(entry.score, score) + (entry.reasons.length ? 5 : 0)
    if (!entry.reasons.some((r) => r.postId === reason.postId)) entry.reasons.push(reason)
    scores.set(userId, entry)
  }

  // 1. Solutions on this problem and on similar ones (similarity rank lowers the score).
  // The stored list (decision 0021): ranked when the problem or a neighbour changed, not on every view.
  const similar = await getSimilarProblems(actor, problem.id, SIMILAR_STORED)
  const problemRank = new Map<string, number>([[problem.id, 0], ...similar.map((s, i) => [s.id, i + 1] as [string, number])])
  const titles = new Map<string, string>([[problem.id, problem.title ?? 'this problem'], ...similar.map((s) => [s.id, s.title] as [string, string])])
  const solutions = await db
    .select({ id: posts.id, authorId: posts.authorId, problemId: posts.problemId, acceptedAt: posts.acceptedAt, verifiedAt: posts.verifiedAt })
    .from(posts)
    .where(
      and(
        eq(posts.kind, 'workaround'),
        inArray(posts.problemId, [...problemRank.keys()]),
        or(isNotNull(posts.acceptedAt), isNotNull(posts.verifiedAt)),
        eq(posts.visibility, 'community'),
        isNull(posts.hiddenAt),
      ),
    )
  for (const s of solutions) {
    const rank = problemRank.get(s.problemId!) ?? 15
    const marks = [s.acceptedAt ? 'accepted' : null, s.verifiedAt ? 'verified' : null].filter(Boolean).join(' and ')
    add(s.authorId, 100 - rank * 4 + (s.verifiedAt ? 8 : 0), {
      kind: 'workaround',
      postId: s.id,
      path: `/posts/${s.problemId}#workaround-${s.id}`,
      label: `${marks[0]!.toUpperCase()}${marks.slice(1)} workaround on “${titles.get(s.problemId!) ?? 'a similar problem'}”`,
    })
  }

  // 2. Completed migrations to an affected version of the same product.
  if (affected.length) {
    const migrations = await db
      .select({ id: posts.id, authorId: posts.authorId, title: posts.title })
      .from(posts)
      .where(
        and(
          eq(posts.kind, 'migration'),
          eq(posts.productId, problem.productId),
          eq(posts.migrationStatus, 'done'),
          inArray(posts.toVersionId, affected),
          eq(posts.visibility, 'community'),
          isNull(posts.hiddenAt),
        ),
      )
    for (const m of migrations) add(m.authorId, 45, { kind: 'migration', postId: m.id, path: `/posts/${m.id}`, label: `Completed the migration ${m.title}` })
  }

  // 3. Success stories on the same product (more when they share a version).
  const stories = await db
    .select({ id: posts.id, authorId: posts.authorId, title: posts.title })
    .from(posts)
    .where(and(eq(posts.kind, 'story'), eq(posts.productId, problem.productId), eq(posts.visibility, 'community'), isNull(posts.hiddenAt)))
    .limit(200)
  const storyVersions = stories.length
    ? await db.select().from(postVersions).where(inArray(postVersions.postId, stories.map((s) => s.id)))
    : []
  for (const story of stories) {
    const shared = storyVersions.some((v) => v.postId === story.id && affected.includes(v.versionId))
    add(story.authorId, shared ? 35 : 20, { kind: 'story', postId: story.id, path: `/posts/${story.id}`, label: `Success story “${story.title}”` })
  }

  if (!scores.size) return []
  const people = await db
    .select({ id: users.id, name: users.name, organizationName: organizations.name })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(
      and(
        inArray(users.id, [...scores.keys()]),
        ne(users.id, asker.id),
        ne(users.organizationId, asker.organizationId),
        eq(users.active, true),
        eq(users.role, 'customer'),
        eq(users.introductionsEnabled, true),
      ),
    )
  const open = await countOpenBySolver(people.map((p) => p.id))
  return people
    .map((p) => ({
      ...p,
      openIntroductions: open.get(p.id) ?? 0,
      reasons: scores.get(p.id)!.reasons.slice(0, 3),
      score: scores.get(p.id)!.score,
    }))
    // Busy people drop a little, so the same few are not asked every time.
    .sort((a, b) => b.score - b.openIntroductions * 5 - (a.score - a.openIntroductions * 5) || a.name.localeCompare(b.name))
    .slice(0, limit)
}

/**
 * For a migration plan (the radar's "connect these customers"): customers of
 * other organizations with a plan for the same move — same product, same
 * target version — still ahead, under way, postponed or done, each with that
 * plan as the qualifying post. Plans from the same version rank first, then
 * the nearest windows. The same people are left out as in `findCandidates`.
 * Null when the post is not a migration plan, or the actor is not support.
 */
export async function findSameMoveCandidates(actor: Actor, migrationId: string, limit = 50): Promise<Candidate[] | null> {
  if (!isStaff(actor)) return null
  const [plan] = await db.select().from(posts).where(eq(posts.id, migrationId))
  if (!plan || plan.kind !== 'migration' || !plan.toVersionId) return null
  const [asker] = await db.select().from(users).where(eq(users.id, plan.authorId))
  if (!asker) return null
  const plans = await db
    .select({ id: posts.id, authorId: posts.authorId, title: posts.title, fromVersionId: posts.fromVersionId, status: posts.migrationStatus, windowStart: posts.windowStart })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .where(
      and(
        eq(posts.kind, 'migration'),
        eq(posts.productId, plan.productId),
        eq(posts.toVersionId, plan.toVersionId),
        inArray(posts.migrationStatus, ['planned', 'in_progress', 'postponed', 'done']),
        eq(posts.visibility, 'community'),
        isNull(posts.hiddenAt),
        ne(users.id, asker.id),
        ne(users.organizationId, asker.organizationId),
        eq(users.active, true),
        eq(users.role, 'customer'),
        eq(users.introductionsEnabled, true),
      ),
    )
    .orderBy(asc(posts.windowStart), asc(posts.id))
  if (!plans.length) return []
  const people = await db
    .select({ id: users.id, name: users.name, organizationName: organizations.name })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(inArray(users.id, [...new Set(plans.map((p) => p.authorId))]))
  const open = await countOpenBySolver(people.map((p) => p.id))
  const candidates = people.map((person) => {
    const theirs = plans.filter((p) => p.authorId === person.id)
    const sameFrom = theirs.some((p) => p.fromVersionId === plan.fromVersionId)
    return {
      ...person,
      openIntroductions: open.get(person.id) ?? 0,
      // Their plan from the same version first: the closest match is the one the asker sees.
      reasons: [...theirs]
        .sort((a, b) => Number(b.fromVersionId === plan.fromVersionId) - Number(a.fromVersionId === plan.fromVersionId))
        .slice(0, 3)
        .map((p) => ({
          kind: 'migration' as const,
          postId: p.id,
          path: `/posts/${p.id}`,
          label: `${p.status === 'done' ? 'Completed' : 'Plans'} the same move: ${p.title}${p.status === 'done' ? '' : ` (window from ${p.windowStart})`}`,
          completed: p.status === 'done',
        })),
      score: (sameFrom ? 60 : 50) + (theirs.some((p) => p.status === 'done') ? 5 : 0),
    }
  })
  return candidates
    .sort((a, b) => b.score - b.openIntroductions * 5 - (a.score - a.openIntroductions * 5) || a.name.localeCompare(b.name))
    .slice(0, limit)
}
