/**
 * Similar problems, stored (decision 0021). A problem's page used to rank
 * its similar problems on every view (a search plus the meaning blend,
 * about a quarter of the server's CPU at 100,000 posts). Now the list is
 * worked out when the problem or one of its neighbours changes, stored in
 * `similar_problems`, and read by the page with a join.
 *
 * The stored list is ranked as the support team sees the hub (staff-only
 * posts included; hidden ones are not in the search index), with some
 * slack (SIMILAR_STORED), and every read filters it by what the viewer may
 * see *then* with the posts' own visibility rule, so a customer is never
 * shown a staff-only or hidden neighbour, even one that changed after the
 * list was stored.
 *
 * Staleness is a generation counter per problem (`similar_refresh`): a
 * change bumps it; a refresh records the generation it started from, so a
 * change that lands while a refresh runs leaves the list stale. A change
 * to post P makes stale P's problem and every problem listing it; after
 * P's own refresh (queued off the request path), its new neighbours too,
 * since P may now belong in their lists. A stale or missing list is worked
 * out again when first needed — once, not on every view.
 *
 * `refreshSimilar(postId)` is the unit of work, safe to call from a job.
 */
import { and, asc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { db } from '~/db/client.server'
import { posts, products, similarProblems, similarRefresh, users } from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import { onPostChange } from '~/modules/posts/post-events.server'
import { plainExcerpt, visibleTo } from '~/modules/posts/post-queries.server'
import { getSearchIndex, searchSettled } from './search-index.server'
import { similarPosts, type SearchCard } from './search.server'

/** How many neighbours are stored: the page shows 5; the rest is slack for what a reader may not see. */
export const SIMILAR_STORED = 15
/** How many a problem's page shows. */
export const SIMILAR_SHOWN = 5

/** Ranks as support sees the hub: the stored list is filtered per reader when read. */
const RANKER: Actor = { id: 'system:similar-problems', role: 'support', organizationId: '', name: 'Similar problems', email: '' }

export type RefreshOutcome = 'stored' | 'not_problem' | 'index_warming'

/**
 * Works out and stores the similar problems of `postId` (replacing the
 * stored ones). Returns `not_problem` (not a problem, or gone: its rows are
 * removed) or `index_warming` (the search index is not ready: nothing is
 * stored, the list stays stale).
 */
export async function refreshSimilar(postId: string): Promise<RefreshOutcome> {
  const [problem] = await db
    .select({ id: posts.id, kind: posts.kind, title: posts.title, body: posts.body, hiddenAt: posts.hiddenAt, generation: similarRefresh.generation })
    .from(posts)
    .leftJoin(similarRefresh, eq(similarRefresh.postId, posts.id))
    .where(eq(posts.id, postId))
  if (!problem || problem.kind !== 'problem') {
    await db.delete(similarProblems).where(eq(similarProblems.postId, postId))
    return 'not_problem'
  }
  if (!getSearchIndex()) return 'index_warming'
  const generation = problem.generation ?? 0
  // A hidden problem shows no similar panel; keep its list empty until it is shown again.
  const found = problem.hiddenAt
    ? []
    : await similarPosts(RANKER, `${problem.title ?? ''} ${problem.body}`, { excludeId: problem.id, limit: SIMILAR_STORED })
  await db.transaction(async (tx) => {
    // A neighbour deleted since the search: leave it out rather than fail on its foreign key.
    const ids = found.map((card) => card.id)
    const existing = ids.length ? new Set((await tx.select({ id: posts.id }).from(posts).where(inArray(posts.id, ids))).map((r) => r.id)) : new Set()
    await tx.delete(similarProblems).where(eq(similarProblems.postId, problem.id))
    const rows = found.filter((card) => existing.has(card.id)).map((card, rank) => ({ postId: problem.id, similarId: card.id, rank, score: card.score }))
    if (rows.length) await tx.insert(similarProblems).values(rows)
    await tx
      .insert(similarRefresh)
      .values({ postId: problem.id, computedAt: new Date(), generation, computedGeneration: generation })
      .onConflictDoUpdate({ target: similarRefresh.postId, set: { computedAt: new Date(), computedGeneration: generation } })
  })
  return 'stored'
}

/**
 * Marks stale the stored lists of `problemIds` (bumping their generation),
 * creating their bookkeeping rows where missing. Ids that are not posts are
 * ignored.
 */
export async function markSimilarStale(problemIds: string[]) {
  const ids = [...new Set(problemIds)]
  if (!ids.length) return
  await db.execute(sql`
    insert into ${similarRefresh} (post_id, generation)
    select ${posts.id}, 1 from ${posts} where ${inArray(posts.id, ids)} and ${posts.kind} = 'problem'
    on conflict (post_id) do update set generation = ${similarRefresh}.generation + 1`)
}

/** The problems whose stored list a change to `postId` makes stale: its problem and every problem listing that one. */
async function affectedBy(postId: string) {
  const [row] = await db.select({ problemId: sql<string>`coalesce(${posts.problemId}, ${posts.id})` }).from(posts).where(eq(posts.id, postId))
  const problemId = row?.problemId ?? postId
  const listing = await db.select({ id: similarProblems.postId }).from(similarProblems).where(eq(similarProblems.similarId, problemId))
  return { problemId, ids: [problemId, ...listing.map((r) => r.id)] }
}

const refreshing = new Map<string, Promise<RefreshOutcome>>()

/** One refresh of a post at a time in this process: views that find the same stale list wait for the same work. */
function refreshOnce(postId: string) {
  let running = refreshing.get(postId)
  if (!running) {
    running = refreshSimilar(postId).finally(() => refreshing.delete(postId))
    refreshing.set(postId, running)
  }
  return running
}

const accepted = alias(posts, 'accepted_workaround')

/**
 * The similar problems a problem's page shows to `actor`: the stored list,
 * best first, with what the actor may not see left out (staff-only,
 * hidden), at most SIMILAR_SHOWN. A list that is missing or stale is worked
 * out first (once). Empty for a post that is not a problem.
 */
export async function getSimilarProblems(actor: Actor, postId: string, limit = SIMILAR_SHOWN): Promise<SearchCard[]> {
  const [state] = await db
    .select({ generation: similarRefresh.generation, computedGeneration: similarRefresh.computedGeneration })
    .from(similarRefresh)
    .where(eq(similarRefresh.postId, postId))
  if (!state || state.computedGeneration < state.generation) {
    try {
      await refreshOnce(postId)
    } catch (error) {
      // The stored (older) list is still worth showing; the next view tries again.
      console.error('[similar] could not refresh the similar problems of', postId, error)
    }
  }
  // As the search documents mark a problem: one of its shown workarounds is accepted (verified).
  const hasWorkaround = (mark: SQL) =>
    sql<boolean>`exists (select 1 from ${posts} as ${accepted} where ${accepted.problemId} = ${posts.id} and ${accepted.hiddenAt} is null and ${mark} is not null)`
  const rows = await db
    .select({
      id: posts.id,
      kind: posts.kind,
      title: posts.title,
      body: sql<string>`left(${posts.body}, 400)`,
      state: posts.state,
      meTooCount: posts.meTooCount,
      visibility: posts.visibility,
      migrationStatus: posts.migrationStatus,
      createdAt: posts.createdAt,
      productName: products.name,
      productSlug: products.slug,
      authorName: users.name,
      score: similarProblems.score,
      accepted: hasWorkaround(sql`${accepted.acceptedAt}`),
      verified: hasWorkaround(sql`${accepted.verifiedAt}`),
    })
    .from(similarProblems)
    .innerJoin(posts, eq(posts.id, similarProblems.similarId))
    .innerJoin(products, eq(products.id, posts.productId))
    .innerJoin(users, eq(users.id, posts.authorId))
    // What the reader may see now, whatever it was when the list was stored.
    .where(and(eq(similarProblems.postId, postId), visibleTo(actor), isNull(posts.hiddenAt)))
    .orderBy(asc(similarProblems.rank))
    .limit(limit)
  return rows.map((row) => {
    const title = row.title ?? ''
    return {
      id: row.id,
      // Only problems are stored (`similarPosts` looks for problems).
      kind: row.kind as SearchCard['kind'],
      title,
      titleParts: [{ text: title, match: false }],
      snippet: [{ text: plainExcerpt(row.body), match: false }],
      state: row.state,
      accepted: Boolean(row.accepted),
      verified: Boolean(row.verified),
      meTooCount: row.meTooCount,
      productName: row.productName,
      productSlug: row.productSlug,
      visibility: row.visibility,
      authorName: row.authorName,
      migrationStatus: row.migrationStatus,
      createdAt: row.createdAt.getTime(),
      score: row.score,
    } satisfies SearchCard
  })
}

/** The stored lists still stale, oldest first (for a sweep or a job); at most `limit`. */
export async function listStaleSimilar(limit = 50) {
  const rows = await db
    .select({ postId: similarRefresh.postId })
    .from(similarRefresh)
    .where(lt(similarRefresh.computedGeneration, similarRefresh.generation))
    .orderBy(asc(similarRefresh.postId))
    .limit(limit)
  return rows.map((r) => r.postId)
}

/**
 * Handles a committed change to `postId`: marks stale the lists it affects,
 * then refreshes its problem's list and marks stale that list's new
 * neighbours (which are worked out when next viewed). Returns the problem
 * refreshed.
 */
export async function similarAfterChange(postId: string) {
  const { problemId, ids } = await affectedBy(postId)
  await markSimilarStale(ids)
  await searchSettled()
  const outcome = await refreshOnce(problemId)
  if (outcome === 'stored') {
    const neighbours = await db.select({ id: similarProblems.similarId }).from(similarProblems).where(eq(similarProblems.postId, problemId))
    await markSimilarStale(neighbours.map((r) => r.id).filter((id) => id !== problemId))
  }
  return problemId
}

type Worker = { stop: () => Promise<void>; idle: () => Promise<void> }
const holder = globalThis as { __switchboardSimilar?: Worker }

/**
 * Keeps stored similar lists in step with this process's changes, after
 * commit and off the request path, one change at a time. A failure is
 * logged; the list stays stale and is worked out when next viewed.
 */
export function startSimilarWorker(): Worker {
  if (holder.__switchboardSimilar) return holder.__switchboardSimilar
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const queued = new Set<string>()
  const unsubscribe = onPostChange((id) => {
    if (queued.has(id)) return
    queued.add(id)
    running = running.then(async () => {
      queued.delete(id)
      if (stopped) return
      try {
        await similarAfterChange(id)
      } catch (error) {
        console.error('[similar] could not update similar problems after a change to', id, error)
      }
    })
  })
  const worker: Worker = {
    stop: async () => {
      stopped = true
      unsubscribe()
      delete holder.__switchboardSimilar
      await running
    },
    idle: () => running,
  }
  holder.__switchboardSimilar = worker
  return worker
}

/** Stops the worker after the change it is handling. */
export async function stopSimilarWorker() {
  await holder.__switchboardSimilar?.stop()
}
