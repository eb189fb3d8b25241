/**
 * Turns posts into search documents. A problem's document carries the text
 * of its visible workarounds and whether one is accepted or verified, so a
 * search for a symptom finds the fix. Workarounds have no document of their
 * own; hidden posts have none at all.
 */
import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { postReaders, postTags, postVersions, posts, productVersions, products, users } from '~/db/schema'
import { plainExcerpt } from '~/modules/posts/post-queries.server'
import { type SearchDocument } from './search-options'

/** Bodies are indexed up to this many characters: enough to match, bounded in memory. */
const BODY_INDEX_CHARS = 8_000

/** A problem's `workarounds` field: the bodies of its visible workarounds, each cut like a body. */
export function workaroundsText(bodies: string[]) {
  return bodies.map((body) => body.slice(0, BODY_INDEX_CHARS)).join('\n\n')
}

/**
 * The documents for `ids` (problems, stories, migrations; workaround ids are
 * resolved to their problem). Returns the documents found and the ids that
 * have no document any more (hidden, or not indexable), to discard.
 */
export async function loadDocuments(ids: string[], executor: Executor = db) {
  if (!ids.length) return { documents: [] as SearchDocument[], gone: [] as string[] }
  // Workarounds stand for their problem.
  const resolved = await executor
    .select({ id: posts.id, problemId: posts.problemId })
    .from(posts)
    .where(inArray(posts.id, ids))
  const wanted = [...new Set([...ids.filter((id) => !resolved.some((r) => r.id === id && r.problemId)), ...resolved.filter((r) => r.problemId).map((r) => r.problemId!)])]
  const documents = await documentsWhere(executor, inArray(posts.id, wanted))
  const found = new Set(documents.map((d) => d.id))
  return { documents, gone: wanted.filter((id) => !found.has(id)) }
}

/** Documents in id order after `afterId`, `limit` at a time (full builds). */
export async function loadDocumentPage(afterId: string | null, limit: number, executor: Executor = db) {
  return documentsWhere(executor, afterId ? gt(posts.id, afterId) : undefined, limit)
}

async function documentsWhere(executor: Executor, where: ReturnType<typeof gt> | undefined, limit?: number) {
  const query = executor
    .select({
      id: posts.id,
      kind: posts.kind,
      title: posts.title,
      body: posts.body,
      state: posts.state,
      visibility: posts.visibility,
      meTooCount: posts.meTooCount,
      migrationStatus: posts.migrationStatus,
      createdAt: posts.createdAt,
      productId: posts.productId,
      productName: products.name,
      productSlug: products.slug,
      authorId: posts.authorId,
      authorName: users.name,
    })
    .from(posts)
    .innerJoin(products, eq(products.id, posts.productId))
    .innerJoin(users, eq(users.id, posts.authorId))
    .where(and(where, isNull(posts.hiddenAt), isNull(posts.problemId)))
    .orderBy(asc(posts.id))
  const rows = limit ? await query.limit(limit) : await query
  if (!rows.length) return []
  const ids = rows.map((r) => r.id)
  const privateIds = rows.filter((r) => r.visibility === 'private').map((r) => r.id)
  const [workarounds, tags, versions, readers] = await Promise.all([
    executor
      .select({ problemId: posts.problemId, body: posts.body, acceptedAt: posts.acceptedAt, verifiedAt: posts.verifiedAt })
      .from(posts)
      .where(and(inArray(posts.problemId, ids), isNull(posts.hiddenAt))),
    executor.select().from(postTags).where(inArray(postTags.postId, ids)),
    executor
      .select({ postId: postVersions.postId, id: productVersions.id, name: productVersions.name })
      .from(postVersions)
      .innerJoin(productVersions, eq(productVersions.id, postVersions.versionId))
      .where(inArray(postVersions.postId, ids)),
    privateIds.length
      ? executor.select({ postId: postReaders.postId, userId: postReaders.userId }).from(postReaders).where(inArray(postReaders.postId, privateIds))
      : Promise.resolve([]),
  ])
  const readersOf = groupBy(readers, (r) => r.postId)
  const workaroundsOf = groupBy(workarounds, (w) => w.problemId!)
  const tagsOf = groupBy(tags, (t) => t.postId)
  const versionsOf = groupBy(versions, (v) => v.postId)
  return rows.map((row): SearchDocument => {
    const own = workaroundsOf.get(row.id) ?? []
    const postVersionRows = versionsOf.get(row.id) ?? []
    return {
      id: row.id,
      kind: row.kind as SearchDocument['kind'],
      title: row.title ?? '',
      body: row.body.slice(0, BODY_INDEX_CHARS),
      workarounds: workaroundsText(own.map((w) => w.body)),
      tags: (tagsOf.get(row.id) ?? []).map((t) => t.tag).join(' '),
      product: row.productName,
      versions: postVersionRows.map((v) => v.name).join(' '),
      state: row.state,
      accepted: own.some((w) => w.acceptedAt),
      verified: own.some((w) => w.verifiedAt),
      meTooCount: row.meTooCount,
      productId: row.productId,
      productName: row.productName,
      productSlug: row.productSlug,
      versionIds: postVersionRows.map((v) => v.id),
      visibility: row.visibility,
      // Who besides support may find a restricted post: its author, and whom a private one is shared with.
      readerIds: row.visibility === 'community' ? [] : [row.authorId, ...(row.visibility === 'private' ? (readersOf.get(row.id) ?? []).map((r) => r.userId) : [])],
      authorName: row.authorName,
      migrationStatus: row.migrationStatus,
      createdAt: row.createdAt.getTime(),
      excerpt: plainExcerpt(row.body, 320),
    }
  })
}

/** Rows by key, each key's rows in their order (a page's workarounds, tags and versions by post). */
function groupBy<T>(rows: T[], key: (row: T) => string) {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const k = key(row)
    const group = groups.get(k)
    if (group) group.push(row)
    else groups.set(k, [row])
  }
  return groups
}
