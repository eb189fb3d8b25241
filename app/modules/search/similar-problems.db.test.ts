/**
 * Stored similar problems (decision 0021), through the real commands and
 * the search index: worked out when first needed and then read, not ranked
 * again on every view; refreshed when the problem or a neighbour changes;
 * and filtered by what the reader may see when read, so a staff-only or
 * hidden neighbour stored earlier never reaches a customer.
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { similarProblems, similarRefresh } from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import type * as EmailModule from '~/modules/email/email.server'
import { editPost, logProblem, setPostHidden, setPostVisibility } from '~/modules/posts/posts.server'
import { actorOf, createProduct, createUser } from '#tests/factories'
import { searchSettled, startSearchIndex, stopSearchIndex } from './search-index.server'
import { getSimilarProblems, similarAfterChange, startSimilarWorker } from './similar-problems.server'

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

const ids = (cards: { id: string }[]) => cards.map((c) => c.id)

async function stored(postId: string) {
  const rows = await db.select({ id: similarProblems.similarId }).from(similarProblems).where(eq(similarProblems.postId, postId))
  return rows.map((r) => r.id)
}

async function bookkeeping(postId: string) {
  const [row] = await db.select().from(similarRefresh).where(eq(similarRefresh.postId, postId))
  return row
}

beforeAll(async () => {
  alice = actorOf(await createUser({ name: 'Alice' }))
  bob = actorOf(await createUser({ name: 'Bob' }))
  support = actorOf(await createUser({ role: 'support', name: 'Sam' }))
  productId = (await createProduct({ name: 'Relay Gateway', slug: `similar-${Date.now()}`, versions: ['5.0'] })).id
  await startSearchIndex({ snapshotDir: null })
})

afterAll(async () => {
  await stopSearchIndex({ save: false })
})

describe('stored similar problems', () => {
  it('are worked out once when first needed, then read from storage, and refreshed when a problem or its neighbour changes', async () => {
    const mine = await problem('Kestrel gateway drops websocket sessions after certificate rotation', 'Every kestrel websocket session drops after we rotate the certificate.')
    const neighbour = await problem('Kestrel websocket sessions dropped when the certificate is rotated', 'After certificate rotation the kestrel gateway drops websocket sessions.')

    expect(ids(await getSimilarProblems(bob, mine))).toEqual([neighbour])
    expect(await stored(mine)).toEqual([neighbour])
    const first = await bookkeeping(mine)
    expect(first).toMatchObject({ generation: 0, computedGeneration: 0 })

    // A second view reads the stored list: nothing is worked out again.
    expect(ids(await getSimilarProblems(bob, mine))).toEqual([neighbour])
    expect((await bookkeeping(mine))!.computedAt).toEqual(first!.computedAt)

    // A new similar problem: after its change is handled, it appears in the lists of its neighbours.
    const newcomer = await problem('Kestrel websocket sessions drop on certificate rotation again', 'Certificate rotation makes the kestrel gateway drop websocket sessions.')
    await similarAfterChange(newcomer)
    expect(await stored(newcomer)).toEqual(expect.arrayContaining([mine, neighbour]))
    expect((await bookkeeping(mine))!.generation).toBeGreaterThan(first!.generation)
    expect(ids(await getSimilarProblems(bob, mine))).toEqual(expect.arrayContaining([neighbour, newcomer]))

    // The neighbour is edited into something else: it leaves the lists that held it.
    const edited = await editPost(alice, neighbour, { title: 'Invoice export misses the VAT column', body: 'The CSV export of invoices has no VAT column.' })
    expect(edited.ok).toBe(true)
    await searchSettled()
    await similarAfterChange(neighbour)
    expect(ids(await getSimilarProblems(bob, mine))).toEqual([newcomer])
    expect(await stored(mine)).toEqual([newcomer])
  })

  it('never lists a neighbour the reader may not see now, even one stored before it was restricted or hidden', async () => {
    const mine = await problem('Quokka scheduler skips jobs at midnight rollover', 'The quokka scheduler skips every job set for the midnight rollover.')
    const restricted = await problem('Quokka scheduler skips midnight jobs after rollover', 'At midnight rollover the quokka scheduler skips jobs.')
    const hidden = await problem('Midnight rollover jobs skipped by the quokka scheduler', 'Quokka scheduler jobs at the midnight rollover are skipped.')
    const open = await problem('Quokka scheduler jobs skipped around midnight rollover', 'Jobs for the midnight rollover are skipped by the quokka scheduler.')

    // Stored while all three were public.
    expect(ids(await getSimilarProblems(bob, mine)).sort()).toEqual([restricted, hidden, open].sort())
    // Restricted and hidden afterwards, with the stored list not refreshed (no worker runs here).
    expect((await setPostVisibility(support, restricted, 'staff')).ok).toBe(true)
    expect((await setPostHidden(support, hidden, { reason: 'Duplicate.' })).ok).toBe(true)
    expect((await stored(mine)).sort()).toEqual([restricted, hidden, open].sort())

    expect(ids(await getSimilarProblems(bob, mine))).toEqual([open])
    // Alice wrote them all: an author keeps reading their own staff-only post, never a hidden one in this panel.
    expect(ids(await getSimilarProblems(alice, mine)).sort()).toEqual([restricted, open].sort())
    // Support sees the staff-only one, and nobody is shown a hidden post in this panel.
    expect(ids(await getSimilarProblems(support, mine)).sort()).toEqual([restricted, open].sort())

    // A staff-only problem stored in a list is never one a customer's list was ranked without: the rest still shows.
    await searchSettled()
    await similarAfterChange(restricted)
    expect(ids(await getSimilarProblems(bob, mine))).toEqual([open])
  })

  it('are refreshed after commit by the worker, off the request path, when a problem is written', async () => {
    const worker = startSimilarWorker()
    try {
      const first = await problem('Wombat importer rejects semicolon separated files', 'The wombat importer rejects every semicolon separated file.')
      const second = await problem('Semicolon separated files rejected by the wombat importer', 'Our semicolon separated files are rejected by the wombat importer.')
      await worker.idle()
      // Both lists were worked out by the worker: a view finds them fresh and only reads.
      expect(await stored(second)).toEqual([first])
      const fresh = (await bookkeeping(second))!
      expect(fresh.computedGeneration).toBe(fresh.generation)
      // The first one's list predates the second: marked stale, worked out again when viewed.
      const stale = (await bookkeeping(first))!
      expect(stale.generation).toBeGreaterThan(stale.computedGeneration)
      expect(ids(await getSimilarProblems(bob, first))).toEqual([second])
    } finally {
      await worker.stop()
    }
  })
})
