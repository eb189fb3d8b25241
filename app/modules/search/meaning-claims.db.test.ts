/**
 * Meaning vectors shared by processes: two workers catching up at once (on
 * PostgreSQL each on its own pool) encode each problem once between them;
 * a problem another process holds is left to it until its claim runs out.
 * The encoder is replaced by a recorder, so these tests count encodings
 * without running the model (meaning.db.test.ts runs it).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { eq, inArray, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { meaningClaims, postMeanings } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { type Actor } from '~/modules/accounts/accounts.server'
import { editPost, logProblem } from '~/modules/posts/posts.server'
import { actorOf, createProduct, createUser } from '#tests/factories'
import { secondProcessDatabase } from '#tests/second-process'
import { catchUpMeanings, meaningText, updateMeanings } from './meaning.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

let author: Actor
let productId: string
let other: Awaited<ReturnType<typeof secondProcessDatabase>>

beforeAll(async () => {
  author = actorOf(await createUser({ name: 'Ada' }))
  productId = (await createProduct({ name: 'Ledger', slug: `ledger-${Date.now()}`, versions: ['3.1'] })).id
  other = await secondProcessDatabase()
})
afterAll(async () => {
  await other.close()
})

let serial = 0
async function problems(count: number) {
  const made: { id: string; text: string }[] = []
  for (let i = 0; i < count; i++) {
    const title = `Ledger export ${++serial} stops halfway`
    const body = `Export number ${serial} stops at the first locked account.`
    const result = await logProblem(author, { title, body, productId, versionIds: [], tags: [] })
    if (!result.ok) throw new Error(result.message)
    made.push({ id: result.value.id, text: meaningText(title, body) })
  }
  return made
}

/** An encoder that records the texts it was given and answers after a moment, as the encoder thread does. */
function recorder(seen: string[]) {
  return async (texts: string[]) => {
    seen.push(...texts)
    await sleep(5)
    return texts.map(() => Float32Array.from({ length: 512 }, (_, i) => (i === 0 ? 1 : 0)))
  }
}

describe('meaning vectors across processes', () => {
  it('encodes each problem once when two processes catch up at the same time', async () => {
    const made = await problems(14)
    const byA: string[] = []
    const byB: string[] = []
    await Promise.all([
      catchUpMeanings({ holder: 'process-a', encode: recorder(byA) }),
      catchUpMeanings({ holder: 'process-b', encode: recorder(byB), database: other.database }),
    ])
    const encoded = [...byA, ...byB]
    expect(encoded.sort()).toEqual(made.map((p) => p.text).sort())
    const stored = await db.select({ postId: postMeanings.postId }).from(postMeanings).where(inArray(postMeanings.postId, made.map((p) => p.id)))
    expect(stored).toHaveLength(made.length)
    // Nothing left: a third look encodes nothing.
    const again: string[] = []
    expect(await catchUpMeanings({ encode: recorder(again) })).toBe(0)
    expect(again).toEqual([])
  })

  it('encodes a just-changed problem once when both processes are told of the change', async () => {
    const [problem] = await problems(1)
    await catchUpMeanings({ encode: recorder([]) })
    const edited = await editPost(author, problem!.id, { title: 'Ledger export stops at locked accounts', body: 'Since 3.1 the export stops at the first locked account.' })
    if (!edited.ok) throw new Error(edited.message)
    const byA: string[] = []
    const byB: string[] = []
    const [a, b] = await Promise.all([
      updateMeanings([problem!.id], { holder: 'process-a', encode: recorder(byA) }),
      updateMeanings([problem!.id], { holder: 'process-b', encode: recorder(byB), database: other.database }),
    ])
    expect(a + b).toBe(1)
    expect([...byA, ...byB]).toHaveLength(1)
  })

  it('leaves a problem another process holds to it, and takes it over once the claim runs out', async () => {
    const [problem] = await problems(1)
    const version = sql`(select updated_at from posts where id = ${problem!.id})`
    await db.insert(meaningClaims).values({ postId: problem!.id, holder: 'dead-process', postUpdatedAt: version, until: sql`now() + interval '1 minute'` })
    const seen: string[] = []
    await catchUpMeanings({ encode: recorder(seen) })
    expect(seen).not.toContain(problem!.text)
    await db.update(meaningClaims).set({ until: sql`now() - interval '1 second'` }).where(eq(meaningClaims.postId, problem!.id))
    await catchUpMeanings({ holder: 'process-b', encode: recorder(seen) })
    expect(seen).toEqual([problem!.text])
    expect((await db.select().from(meaningClaims).where(eq(meaningClaims.postId, problem!.id)))[0]).toMatchObject({ holder: 'process-b' })
  })
})
