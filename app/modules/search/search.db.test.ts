/**
 * The index kept in step with the database, through the real commands:
 * found right after saving (other word order, a typo, a prefix), edits and
 * hiding applied at once, staff-only posts never returned to customers
 * through any search surface.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as EmailModule from '~/modules/email/email.server'
import { createProduct, createUser, actorOf } from '#tests/factories'
import { type Actor } from '~/modules/accounts/accounts.server'
import { editPost, logProblem, setPostHidden, setPostVisibility, addWorkaround, acceptWorkaround } from '~/modules/posts/posts.server'
import { searchSettled, startSearchIndex, stopSearchIndex } from './search-index.server'
import { searchPosts, similarPosts, suggest } from './search.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

let alice: Actor
let bob: Actor
let support: Actor
let productId: string

async function problem(title: string, body: string, actor = alice) {
  const result = await logProblem(actor, { title, body, productId, versionIds: [], tags: [] })
  if (!result.ok) throw new Error(result.message)
  await searchSettled()
  return result.value.id
}

const ids = (outcome: ReturnType<typeof searchPosts>) => (outcome.status === 'ok' ? outcome.results.map((r) => r.id) : [])

beforeAll(async () => {
  alice = actorOf(await createUser({ name: 'Alice' }))
  bob = actorOf(await createUser({ name: 'Bob' }))
  support = actorOf(await createUser({ role: 'support', name: 'Sam' }))
  productId = (await createProduct({ name: 'Relay Gateway', slug: `gw-${Date.now()}`, versions: ['5.0'] })).id
  await startSearchIndex({ snapshotDir: null })
})

afterAll(async () => {
  await stopSearchIndex({ save: false })
})

describe('search kept in step', () => {
  it('finds a new problem for another user right after saving: other word order, a typo, a prefix', async () => {
    const id = await problem('Gateway drops websocket connections after certificate rotation', 'Since rotating the TLS certificate every websocket client is disconnected.')
    expect(ids(searchPosts(bob, 'certificate rotation websocket'))).toContain(id)
    expect(ids(searchPosts(bob, 'rotation certificate drops'))).toContain(id)
    expect(ids(searchPosts(bob, 'websoket certficate'))).toContain(id) // typos
    expect(ids(searchPosts(bob, 'certif'))).toContain(id) // prefix of the word being typed
  })

  it('finds a problem by the text of its workaround, and marks it solved', async () => {
    const id = await problem('Replication lag grows every night', 'Lag climbs to hours during the batch window.')
    const workaround = await addWorkaround(bob, id, { body: 'Raise wal_sender_timeout and split the nightly vacuum into smaller chunks.' })
    if (!workaround.ok) throw new Error(workaround.message)
    await acceptWorkaround(alice, workaround.value.id)
    await searchSettled()
    const outcome = searchPosts(support, 'wal_sender_timeout vacuum')
    expect(ids(outcome)).toContain(id)
    const card = outcome.status === 'ok' ? outcome.results.find((r) => r.id === id) : undefined
    expect(card).toMatchObject({ accepted: true, state: 'solved' })
  })

  it('an edited post is found by its new words, not its old ones', async () => {
    const id = await problem('Dashboard shows zebra artefacts', 'The heatmap panel renders stripes.')
    expect(ids(searchPosts(bob, 'zebra'))).toContain(id)
    const edited = await editPost(alice, id, { title: 'Dashboard shows flamingo artefacts', body: 'The heatmap panel renders pink stripes.' })
    expect(edited.ok).toBe(true)
    await searchSettled()
    expect(ids(searchPosts(bob, 'flamingo'))).toContain(id)
    expect(ids(searchPosts(bob, 'zebra'))).not.toContain(id)
  })

  it('a hidden post is gone from every surface, for everyone', async () => {
    const id = await problem('Quokka exporter crashes on startup', 'Segfault in the quokka exporter.')
    expect(ids(searchPosts(bob, 'quokka'))).toContain(id)
    await setPostHidden(support, id, { reason: 'Duplicate of another report' })
    await searchSettled()
    expect(ids(searchPosts(bob, 'quokka'))).not.toContain(id)
    expect(ids(searchPosts(support, 'quokka'))).not.toContain(id)
    expect(suggest(bob, 'quokka').matches.map((m) => m.id)).not.toContain(id)
  })

  it('a staff-only post never reaches a customer through results, counts, suggestions or similar posts', async () => {
    const id = await problem('Narwhal licence server leaks handles', 'The narwhal licence daemon leaks file handles under load.', support)
    await setPostVisibility(support, id, 'staff')
    await searchSettled()
    const staffView = searchPosts(support, 'narwhal licence')
    expect(ids(staffView)).toContain(id)
    const customerView = searchPosts(bob, 'narwhal licence')
    expect(ids(customerView)).not.toContain(id)
    expect(customerView.status === 'ok' ? customerView.total : 0).toBe(0)
    expect(suggest(bob, 'narwh').matches.map((m) => m.id)).not.toContain(id)
    expect(suggest(bob, 'narwh').completions).toEqual([])
    expect((await similarPosts(bob, 'narwhal licence server leaks handles')).map((r) => r.id)).not.toContain(id)
    expect((await similarPosts(support, 'narwhal licence server leaks handles')).map((r) => r.id)).toContain(id)
  })

  it('similar posts put solved problems first', async () => {
    const open = await problem('Ocelot importer times out on large CSV files', 'Import of a 2 GB CSV times out.')
    const solved = await problem('Ocelot importer timeout with big CSV uploads', 'CSV uploads over 1 GB time out.', bob)
    const fix = await addWorkaround(alice, solved, { body: 'Use the streaming endpoint.' })
    if (!fix.ok) throw new Error(fix.message)
    await acceptWorkaround(bob, fix.value.id)
    await searchSettled()
    const similar = (await similarPosts(support, 'ocelot importer CSV timeout')).map((r) => r.id)
    expect(similar.slice(0, 2)).toEqual([solved, open])
  })
})

describe('bad queries get an answer, never an error', () => {
  const weird = [
    '',
    'the and of',
    '*** (( [[ ]] ?? ^$ \\ | +',
    '🦄🔥 emoji only 🚀',
    'nul\u0000byte',
    'x'.repeat(10_000),
    'a '.repeat(5_000),
    '"quoted" AND OR NOT -minus',
  ]
  for (const query of weird) {
    it(`answers ${JSON.stringify(query.slice(0, 20))}${query.length > 20 ? '…' : ''}`, async () => {
      const outcome = searchPosts(bob, query)
      expect(['ok', 'empty_query']).toContain(outcome.status)
      expect(() => suggest(bob, query)).not.toThrow()
      await expect(similarPosts(bob, query)).resolves.toBeInstanceOf(Array)
    })
  }

  it('says what to do with an empty query or only stop words', () => {
    expect(searchPosts(bob, '')).toEqual({ status: 'empty_query', message: 'Type a few words: a symptom, an error message, a feature.' })
    expect(searchPosts(bob, 'the and of')).toMatchObject({ status: 'empty_query' })
  })
})
