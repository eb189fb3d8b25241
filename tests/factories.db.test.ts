/**
 * The post factories keep the counters and states the commands keep, so
 * tests and the demo seed never start from a world the app could not have
 * produced.
 */
import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { follows, posts, revisions } from '~/db/schema'
import { addMeToo, createPost, createProduct, createReply, createUser, PostBatch } from '#tests/factories'

const at = (iso: string) => new Date(iso)

async function stored(id: string) {
  const [row] = await db.select().from(posts).where(eq(posts.id, id))
  return row!
}

async function follows_(postId: string, userId: string) {
  const rows = await db.select().from(follows).where(and(eq(follows.postId, postId), eq(follows.userId, userId)))
  return rows.length === 1
}

describe('createPost', () => {
  it('makes an open problem with its versions, tags and the author following it', async () => {
    const product = await createProduct({ name: 'Factory Gateway', slug: `factory-gw-${Date.now()}`, versions: ['1.0', '2.0'] })
    const problem = await createPost({ productId: product.id, versionIds: [product.versions[1]!.id], tags: ['tls', 'tls'] })
    expect(problem).toMatchObject({ kind: 'problem', state: 'open', meTooCount: 0, replyCount: 0, firstResponseAt: null })
    expect(problem.versionIds).toEqual([product.versions[1]!.id])
    expect(problem.tags).toEqual(['tls'])
    expect(await follows_(problem.id, problem.authorId)).toBe(true)
  })

  it('answers the problem with a workaround by someone else, solves it on acceptance and refuses a second one', async () => {
    const problem = await createPost({ createdAt: at('2025-01-01T10:00:00Z') })
    const workaround = await createPost({
      kind: 'workaround',
      problemId: problem.id,
      createdAt: at('2025-01-01T12:00:00Z'),
      acceptedAt: at('2025-01-02T09:00:00Z'),
    })
    expect(workaround).toMatchObject({ problemId: problem.id, productId: problem.productId, title: null, acceptedById: problem.authorId })
    expect(await stored(problem.id)).toMatchObject({
      state: 'solved',
      firstResponseAt: at('2025-01-01T12:00:00Z'),
      lastActivityAt: at('2025-01-02T09:00:00Z'),
    })
    expect(await follows_(problem.id, workaround.authorId)).toBe(true)
    await expect(createPost({ kind: 'workaround', problemId: problem.id, acceptedAt: at('2025-01-03T09:00:00Z') })).rejects.toThrow(
      /accepted workaround already/,
    )
  })

  it('titles a migration "<Product> <from> → <to>" and keeps an edited post’s earlier version', async () => {
    const product = await createProduct({ name: 'Factory Sync', slug: `factory-sync-${Date.now()}`, versions: ['2.7', '2.8', '3.0'] })
    const plan = await createPost({ kind: 'migration', productId: product.id, windowStart: '2025-06-01' })
    expect(plan).toMatchObject({ title: 'Factory Sync 2.7 → 3.0', migrationStatus: 'planned', windowStart: '2025-06-01' })
    expect(plan.versionIds.sort()).toEqual([product.versions[0]!.id, product.versions[2]!.id].sort())
    const edited = await createPost({ body: 'Now with the log excerpt.', earlierVersion: { body: 'First draft.', replacedAt: new Date() } })
    expect(edited.editedAt).not.toBeNull()
    const kept = await db.select().from(revisions).where(eq(revisions.postId, edited.id))
    expect(kept.map((r) => r.body)).toEqual(['First draft.'])
  })
})

describe('createReply and addMeToo', () => {
  it('counts replies; only someone other than the author answers a problem', async () => {
    const problem = await createPost({ createdAt: at('2025-02-01T08:00:00Z') })
    await createReply({ postId: problem.id, authorId: problem.authorId, createdAt: at('2025-02-01T09:00:00Z') })
    expect(await stored(problem.id)).toMatchObject({ state: 'open', replyCount: 1, firstResponseAt: null })
    const other = await createReply({ postId: problem.id, createdAt: at('2025-02-01T11:00:00Z') })
    expect(await stored(problem.id)).toMatchObject({
      state: 'answered',
      replyCount: 2,
      firstResponseAt: at('2025-02-01T11:00:00Z'),
      lastActivityAt: at('2025-02-01T11:00:00Z'),
    })
    expect(await follows_(problem.id, other.authorId)).toBe(true)
    await expect(createReply({ postId: problem.id, quotedReplyId: 'nope' })).rejects.toThrow(/same post/)
  })

  it('counts "me too"s, follows, and refuses one on one’s own problem', async () => {
    const problem = await createPost()
    const first = await addMeToo({ postId: problem.id })
    const second = await addMeToo({ postId: problem.id })
    expect([first.count, second.count]).toEqual([1, 2])
    expect(await follows_(problem.id, second.userId)).toBe(true)
    const stateBefore = await stored(problem.id)
    expect(stateBefore).toMatchObject({ meTooCount: 2, state: 'open' })
    await expect(addMeToo({ postId: problem.id, userId: problem.authorId })).rejects.toThrow(/own problem/)
  })
})

describe('PostBatch', () => {
  it('writes a whole conversation at once with the same rules', async () => {
    const product = await createProduct({ name: 'Factory Insight', slug: `factory-ins-${Date.now()}`, versions: ['11.0'] })
    const [author, helper, support] = await Promise.all([createUser(), createUser(), createUser({ role: 'support' })])
    const batch = new PostBatch({ now: at('2025-03-10T12:00:00Z') })
    const problem = batch.post({ authorId: author.id, organizationId: author.organizationId, productId: product.id, createdAt: at('2025-03-01T08:00:00Z') })
    batch.meToo({ postId: problem.id, userId: helper.id, createdAt: at('2025-03-01T09:00:00Z') })
    batch.reply({ postId: problem.id, authorId: support.id, createdAt: at('2025-03-01T10:00:00Z') })
    const workaround = batch.post({
      kind: 'workaround',
      problemId: problem.id,
      authorId: helper.id,
      organizationId: helper.organizationId,
      createdAt: at('2025-03-02T08:00:00Z'),
      acceptedAt: at('2025-03-02T10:00:00Z'),
      verifiedById: support.id,
    })
    expect(() => batch.meToo({ postId: problem.id, userId: helper.id })).toThrow(/already/)
    await batch.flush()
    expect(await stored(problem.id)).toMatchObject({
      state: 'solved',
      meTooCount: 1,
      replyCount: 1,
      firstResponseAt: at('2025-03-01T10:00:00Z'),
      lastActivityAt: at('2025-03-03T08:00:00Z'),
    })
    expect(await stored(workaround.id)).toMatchObject({ verifiedById: support.id, verifiedAt: at('2025-03-03T08:00:00Z') })
  })
})
