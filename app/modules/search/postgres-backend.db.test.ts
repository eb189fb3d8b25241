/**
 * The PostgreSQL search prototype (postgres-backend.server.ts) ranks and
 * filters as the seam promises: words with the last one a prefix, typos,
 * the search page's filters, solved posts first when relevance ties, and
 * staff-only posts never returned to customers by search or similar posts.
 * PostgreSQL only: PGlite here has neither pg_trgm nor fuzzystrmatch.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type * as EmailModule from '~/modules/email/email.server'
import { actorOf, createProduct, createUser } from '#tests/factories'
import { type Actor } from '~/modules/accounts/accounts.server'
import { acceptWorkaround, addWorkaround, logProblem, setPostVisibility } from '~/modules/posts/posts.server'
import { loadDocuments } from './documents.server'
import { indexPostgresDocuments, installPostgresSearch, refreshPostgresTerms, searchPostsPostgres, similarPostsPostgres, tsvectorLiteral } from './postgres-backend.server'
import { type SearchOutcome } from './search.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'

let alice: Actor
let bob: Actor
let support: Actor
let productSlug: string
const posts: Record<'open' | 'solved' | 'staff' | 'other', string> = { open: '', solved: '', staff: '', other: '' }

const ids = (outcome: SearchOutcome) => (outcome.status === 'ok' ? outcome.results.map((r) => r.id) : [])

async function problem(title: string, body: string, productId: string) {
  const result = await logProblem(alice, { title, body, productId, versionIds: [], tags: [] })
  if (!result.ok) throw new Error(result.message)
  return result.value.id
}

describe.skipIf(!onPostgres)('search on PostgreSQL (prototype backend)', () => {
  beforeAll(async () => {
    alice = actorOf(await createUser({ name: 'Alice' }))
    bob = actorOf(await createUser({ name: 'Bob' }))
    support = actorOf(await createUser({ role: 'support', name: 'Sam' }))
    const product = await createProduct({ name: 'Relay Gateway', slug: `gw-${Date.now()}`, versions: ['5.0'] })
    const other = await createProduct({ name: 'Ledger Vault', slug: `lv-${Date.now()}`, versions: ['1.0'] })
    productSlug = product.slug
    // Two problems with the same words: one gets an accepted workaround (about something else).
    posts.open = await problem('Gateway drops websocket connections after certificate rotation', 'Every websocket client is disconnected.', product.id)
    posts.solved = await problem('Gateway drops websocket connections after certificate rotation', 'Every websocket client is disconnected.', product.id)
    const workaround = await addWorkaround(bob, posts.solved, { body: 'Restart the listener pods one at a time.' })
    if (!workaround.ok) throw new Error(workaround.message)
    await acceptWorkaround(alice, workaround.value.id)
    posts.staff = await problem('Websocket certificate rotation leaks the signing key', 'Internal: the key shows up in the rotation log.', product.id)
    const hidden = await setPostVisibility(support, posts.staff, 'staff')
    if (!hidden.ok) throw new Error(hidden.message)
    posts.other = await problem('Vault websocket export stalls on rotation', 'The nightly export stalls when certificates rotate.', other.id)

    await installPostgresSearch()
    const { documents } = await loadDocuments(Object.values(posts))
    await indexPostgresDocuments(documents)
    await refreshPostgresTerms()
  })

  it('finds posts by words in any order, by a typed prefix and despite a typo', async () => {
    expect(ids(await searchPostsPostgres(bob, 'certificate rotation gateway'))).toEqual(expect.arrayContaining([posts.open, posts.solved]))
    expect(ids(await searchPostsPostgres(bob, 'gateway certif'))).toEqual(expect.arrayContaining([posts.open, posts.solved]))
    expect(ids(await searchPostsPostgres(bob, 'gateway websoket'))).toEqual(expect.arrayContaining([posts.open, posts.solved]))
    expect(ids(await searchPostsPostgres(bob, 'gateway ledgerless'))).toEqual([])
  })

  it('ranks the solved problem above the same words unsolved', async () => {
    const found = ids(await searchPostsPostgres(bob, 'websocket connections rotation'))
    expect(found.indexOf(posts.solved)).toBeGreaterThanOrEqual(0)
    expect(found.indexOf(posts.solved)).toBeLessThan(found.indexOf(posts.open))
  })

  it('applies the search page filters', async () => {
    const byProduct = ids(await searchPostsPostgres(bob, 'websocket rotation', { productSlug }))
    expect(byProduct).toEqual(expect.arrayContaining([posts.open, posts.solved]))
    expect(byProduct).not.toContain(posts.other)
    expect(ids(await searchPostsPostgres(bob, 'websocket rotation', { state: 'solved' }))).toEqual([posts.solved])
    expect(ids(await searchPostsPostgres(bob, 'websocket rotation', { kind: 'story' }))).toEqual([])
  })

  it('never returns a staff-only post to a customer, in search, totals or similar posts; support sees it', async () => {
    const customer = await searchPostsPostgres(bob, 'websocket rotation')
    expect(ids(customer)).not.toContain(posts.staff)
    expect(customer.status === 'ok' && customer.total).toBe(3)
    expect(ids(await searchPostsPostgres(bob, 'signing key leaks'))).toEqual([])
    const similar = await similarPostsPostgres(bob, 'Websocket certificate rotation leaks the signing key', { meaning: false, limit: 10 })
    expect(similar.map((c) => c.id)).not.toContain(posts.staff)
    expect(similar.length).toBeGreaterThan(0)
    expect(ids(await searchPostsPostgres(support, 'signing key leaks'))).toEqual([posts.staff])
    const forSupport = await similarPostsPostgres(support, 'Websocket certificate rotation leaks the signing key', { meaning: false, limit: 10 })
    expect(forSupport.map((c) => c.id)).toContain(posts.staff)
  })

  it('keeps the app\'s terms whole in the document and weighs the title highest', () => {
    const literal = tsvectorLiteral({ title: 'Raise max_connections', body: 'on 5.0.1', workarounds: '', tags: '', product: '', versions: '' })
    expect(literal).toContain("'max_connections':2A")
    expect(literal).toContain("'5.0.1':4C")
    expect(literal).not.toContain("'on'")
  })
})
