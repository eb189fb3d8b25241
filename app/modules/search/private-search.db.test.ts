/**
 * Private and staff-only posts in the index: each viewer gets back only the
 * restricted posts they may read — the author, the colleagues a private post
 * is shared with, support — through results, counts, suggestions and
 * similar posts; an unchosen colleague and another organization's customer
 * get nothing, not even a count.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as EmailModule from '~/modules/email/email.server'
import { type Actor } from '~/modules/accounts/accounts.server'
import { logProblem, setPostVisibility } from '~/modules/posts/posts.server'
import { actorOf, createOrganization, createProduct, createUser } from '#tests/factories'
import { searchSettled, startSearchIndex, stopSearchIndex } from './search-index.server'
import { searchPosts, similarPosts, suggest } from './search.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

let author: Actor
let chosen: Actor
let unchosen: Actor
let outsider: Actor
let support: Actor
let productId: string

beforeAll(async () => {
  const org = await createOrganization()
  author = actorOf(await createUser({ name: 'Pia Private', organizationId: org.id }))
  chosen = actorOf(await createUser({ name: 'Chen Chosen', organizationId: org.id }))
  unchosen = actorOf(await createUser({ name: 'Uli Unchosen', organizationId: org.id }))
  outsider = actorOf(await createUser({ name: 'Olaf Outsider' }))
  support = actorOf(await createUser({ role: 'support', name: 'Sam Support' }))
  productId = (await createProduct({ name: 'Relay Gateway', slug: `pv-${Date.now()}`, versions: ['5.0'] })).id
  await startSearchIndex({ snapshotDir: null })
})

afterAll(async () => {
  await stopSearchIndex({ save: false })
})

const ids = (outcome: ReturnType<typeof searchPosts>) => (outcome.status === 'ok' ? outcome.results.map((r) => r.id) : [])
const total = (outcome: ReturnType<typeof searchPosts>) => (outcome.status === 'ok' ? outcome.total : 0)

describe('restricted posts in search', () => {
  it('a private problem is found by its author, the chosen colleague and support only', async () => {
    const result = await logProblem(author, {
      title: 'Okapi archive job dumps the customer ledger',
      body: 'The okapi archive job writes our whole ledger with account numbers to the log.',
      productId,
      versionIds: [],
      tags: [],
      visibility: 'private',
      readerIds: [chosen.id],
    })
    if (!result.ok) throw new Error(result.message)
    await searchSettled()
    const id = result.value.id
    for (const reader of [author, chosen, support]) {
      expect(ids(searchPosts(reader, 'okapi ledger')), reader.name).toContain(id)
      expect(suggest(reader, 'okap').matches.map((m) => m.id), reader.name).toContain(id)
      expect((await similarPosts(reader, 'okapi archive job dumps the ledger')).map((r) => r.id), reader.name).toContain(id)
    }
    expect(searchPosts(author, 'okapi ledger')).toMatchObject({ status: 'ok', results: [expect.objectContaining({ id, visibility: 'private' })] })
    for (const stranger of [unchosen, outsider]) {
      const outcome = searchPosts(stranger, 'okapi ledger')
      expect(ids(outcome), stranger.name).not.toContain(id)
      expect(total(outcome), stranger.name).toBe(0)
      expect(suggest(stranger, 'okap').matches.map((m) => m.id), stranger.name).not.toContain(id)
      expect(suggest(stranger, 'okap').completions, stranger.name).toEqual([])
      expect((await similarPosts(stranger, 'okapi archive job dumps the ledger')).map((r) => r.id), stranger.name).not.toContain(id)
    }

    // Support makes it staff-only: the chosen colleague loses it, the author keeps it.
    await setPostVisibility(support, id, 'staff')
    await searchSettled()
    expect(ids(searchPosts(author, 'okapi ledger'))).toContain(id)
    expect(ids(searchPosts(chosen, 'okapi ledger'))).not.toContain(id)
    expect(ids(searchPosts(support, 'okapi ledger'))).toContain(id)
    // Private again: who was chosen is remembered.
    await setPostVisibility(support, id, 'private')
    await searchSettled()
    expect(ids(searchPosts(chosen, 'okapi ledger'))).toContain(id)
    expect(ids(searchPosts(unchosen, 'okapi ledger'))).not.toContain(id)
  })

  it('a colleague from another organization cannot be chosen: invalid_reader, nothing saved', async () => {
    const result = await logProblem(author, {
      title: 'Tapir sync stalls',
      body: 'The tapir sync stalls.',
      productId,
      versionIds: [],
      tags: [],
      visibility: 'private',
      readerIds: [outsider.id],
    })
    expect(result).toMatchObject({ ok: false, reason: 'invalid_reader', field: 'readerIds' })
    await searchSettled()
    expect(ids(searchPosts(support, 'tapir sync'))).toEqual([])
  })
})
