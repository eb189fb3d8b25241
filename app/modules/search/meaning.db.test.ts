import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { postMeanings } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { actorOf, createProduct, createUser } from '#tests/factories'
import { type Actor } from '~/modules/accounts/accounts.server'
import { editPost, logProblem, setPostHidden } from '~/modules/posts/posts.server'
import { catchUpMeanings, MEANING_MODEL, updateMeanings } from './meaning.server'
import { resetEnvCache } from '~/utils/env.server'
import { searchSettled, startSearchIndex, stopSearchIndex } from './search-index.server'
import { similarPosts } from './search.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

// The encoder thread runs at the lowest priority: on a busy machine these tests wait longer than most.
const SLOW = 120_000

let author: Actor
let reader: Actor
let support: Actor
let productId: string

async function problem(title: string, body: string) {
  const result = await logProblem(author, { title, body, productId, versionIds: [], tags: [] })
  if (!result.ok) throw new Error(result.message)
  return result.value.id
}

const meaningOf = async (postId: string) => (await db.select().from(postMeanings).where(eq(postMeanings.postId, postId)))[0]

beforeAll(async () => {
  // The typed text's encoding must not fall back to words on a busy test machine.
  process.env.MEANING_QUERY_TIMEOUT_MS = '20000'
  resetEnvCache()
  author = actorOf(await createUser({ name: 'Ada' }))
  reader = actorOf(await createUser({ name: 'Rui' }))
  support = actorOf(await createUser({ role: 'support', name: 'Sam' }))
  productId = (await createProduct({ name: 'Ledger', slug: `ledger-${Date.now()}`, versions: ['3.1'] })).id
  await startSearchIndex({ snapshotDir: null })
})

afterAll(async () => {
  delete process.env.MEANING_QUERY_TIMEOUT_MS
  resetEnvCache()
  await stopSearchIndex({ save: false })
})

describe('similar problems by meaning', () => {
  it('ranks the problem that means the same above one that only shares more words, once problems are encoded', async () => {
    const sharesWords = await problem('Invoices show the wrong column order', 'The invoice export puts the columns in the wrong order.')
    const meansIt = await problem('Wrong currency sign on invoices', 'Amounts on invoices are shown with a dollar sign instead of euros.')
    await searchSettled()
    const text = 'Invoices show the wrong currency symbol for our customers'
    // Without vectors the words decide.
    expect((await similarPosts(reader, text)).map((r) => r.id)).toEqual([sharesWords, meansIt])
    expect(await catchUpMeanings()).toBeGreaterThanOrEqual(2)
    expect((await similarPosts(reader, text)).map((r) => r.id)).toEqual([meansIt, sharesWords])
    // On a problem's own page, its stored vector stands for its text.
    const page = await similarPosts(support, 'Euro amounts on invoices carry a dollar sign: wrong currency', { excludeId: meansIt })
    expect(page.map((r) => r.id)).toEqual([sharesWords])
  }, SLOW)

  it('encodes visible problems once, again after an edit (told, or caught up), and never hidden ones', async () => {
    const id = await problem('Ledger sync stalls overnight', 'The nightly ledger sync stops halfway and never resumes.')
    const hidden = await problem('Ledger spam post', 'Buy cheap ledgers here.')
    await setPostHidden(support, hidden, { reason: 'Spam.' })
    await searchSettled()
    await catchUpMeanings()
    const first = await meaningOf(id)
    expect(first).toMatchObject({ model: MEANING_MODEL })
    expect(first!.vector.byteLength).toBe(512 * 4)
    expect(await meaningOf(hidden)).toBeUndefined()
    expect(await updateMeanings([id])).toBe(0) // unchanged text: nothing to encode

    const edit = async (body: string) => {
      const edited = await editPost(author, id, { title: 'Ledger sync stalls overnight', body })
      if (!edited.ok) throw new Error(edited.message)
    }
    // An edit this process was not told about (another process's) is found by the catch-up.
    await edit('Since 3.1 the nightly sync stops at the first locked account.')
    expect(await catchUpMeanings()).toBe(1)
    const second = await meaningOf(id)
    expect(second!.textHash).not.toBe(first!.textHash)
    await edit('Since 3.1 the nightly sync stops at the first locked account, every night.')
    expect(await updateMeanings([id])).toBe(1)
    expect((await meaningOf(id))!.textHash).not.toBe(second!.textHash)
    expect(await catchUpMeanings()).toBe(0)
    await searchSettled()
  }, SLOW)
})
