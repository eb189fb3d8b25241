/**
 * "People who solved this" against a real database with the search index
 * running: who is suggested for a problem, why (the qualifying post), in
 * which order, and who never is.
 *
 * The whole world is written before the index starts, so the index is
 * built from it; the tests only read (and restore what they change).
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { introductions, users, type IntroductionState } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { startSearchIndex, stopSearchIndex } from '~/modules/search/search-index.server'
import { newId } from '~/utils/result'
import { actorOf, createOrganization, createPost, createProduct, createUser } from '#tests/factories'
import { findCandidates } from './candidates.server'
import { updateIntroductionSettings } from './introductions.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

type Person = Awaited<ReturnType<typeof createUser>>
type Post = Awaited<ReturnType<typeof createPost>>

let support: ReturnType<typeof actorOf>
let asker: Person
let problem: Post
let similar: Post
/** Suggested: their posts qualify them. */
let good: Record<'verified' | 'acceptedSimilar' | 'acceptedHere' | 'migrated' | 'storyteller', { person: Person; org: string; post: Post }>
/** Never suggested, each with a post that would otherwise qualify them. */
let never: Record<string, Person>

/** A customer at an organization of their own, named after their role in the test. */
async function customer(name: string, values: Parameters<typeof createUser>[0] = {}) {
  const org = await createOrganization({ name: `${name} Org` })
  const person = await createUser({ name, organizationId: org.id, ...values })
  return { person, org: org.name }
}

async function insertIntroduction(values: { id?: string; problemId: string; askerId: string; solverId: string; state: IntroductionState }) {
  await db.insert(introductions).values({
    proposedById: support.id,
    askerNote: 'note',
    solverNote: 'note',
    expiresAt: new Date(Date.now() + 14 * 24 * 60 * 60 * 1000),
    ...values,
    id: values.id ?? newId(),
  })
}

beforeAll(async () => {
  support = actorOf(await createUser({ role: 'support', name: 'Sunniva Support' }))
  const product = await createProduct({ name: 'Kestrel Gateway', slug: 'kestrel-gateway', versions: ['1.0', '2.0', '3.0'] })
  const [v1, v2, v3] = product.versions.map((v) => v.id) as [string, string, string]
  const other = await createProduct({ name: 'Ledger Billing', slug: 'ledger-billing', versions: ['7.0'] })

  const askerOrg = await createOrganization({ name: 'Asker Org' })
  asker = await createUser({ name: 'Astrid Asker', organizationId: askerOrg.id })
  const colleague = await createUser({ name: 'Colin Colleague', organizationId: askerOrg.id })
  problem = await createPost({
    authorId: asker.id,
    productId: product.id,
    versionIds: [v2],
    title: 'Kestrel gateway drops websocket sessions after certificate rotation',
    body: 'Every websocket client disconnects when the kestrel gateway rotates its TLS certificate.',
  })
  const someone = await customer('Sigrid Similar')
  similar = await createPost({
    authorId: someone.person.id,
    productId: product.id,
    title: 'Kestrel gateway websocket sessions dropped on certificate rotation',
    body: 'After the TLS certificate rotation all websocket sessions of the kestrel gateway are dropped.',
  })
  const unrelatedProblem = await createPost({
    productId: other.id,
    title: 'Ledger invoices show the wrong currency symbol',
    body: 'Invoices exported as PDF use dollar signs for euro amounts.',
  })

  const workaround = async (name: string, problemId: string, values: Parameters<typeof createPost>[0] = {}, person?: Person) => {
    const author = person ?? (await customer(name)).person
    return { person: author, post: await createPost({ kind: 'workaround', problemId, authorId: author.id, ...values }) }
  }
  const verified = { verifiedById: support.id }

  const w = {
    verified: await customer('Vera Verified'),
    acceptedSimilar: await customer('Anton Accepted'),
    acceptedHere: await customer('Hanna Here'),
    migrated: await customer('Mika Migrated'),
    storyteller: await customer('Stina Story'),
  }
  good = {
    verified: { ...w.verified, post: (await workaround('', similar.id, verified, w.verified.person)).post },
    acceptedSimilar: { ...w.acceptedSimilar, post: (await workaround('', similar.id, { acceptedAt: new Date() }, w.acceptedSimilar.person)).post },
    acceptedHere: { ...w.acceptedHere, post: (await workaround('', problem.id, { acceptedAt: new Date() }, w.acceptedHere.person)).post },
    migrated: {
      ...w.migrated,
      post: await createPost({ kind: 'migration', authorId: w.migrated.person.id, productId: product.id, fromVersionId: v1, toVersionId: v2, migrationStatus: 'done' }),
    },
    storyteller: {
      ...w.storyteller,
      post: await createPost({ kind: 'story', authorId: w.storyteller.person.id, productId: product.id, versionIds: [v2], title: 'Certificate rotation without dropped sessions' }),
    },
  }

  const inactive = (await customer('Ingo Inactive', { active: false })).person
  const optedOut = (await customer('Otto Optedout', { introductionsEnabled: false })).person
  const staff = await createUser({ role: 'support', name: 'Stella Staff' })
  never = {
    asker,
    colleague,
    inactive,
    optedOut,
    staff,
    unaccepted: (await workaround('Una Unaccepted', similar.id)).person,
    hidden: (await workaround('Hilde Hidden', similar.id, { ...verified, hiddenById: support.id, hiddenReason: 'Spam' })).person,
    unrelated: (await workaround('Ulf Unrelated', unrelatedProblem.id, { acceptedAt: new Date() })).person,
    plannedMigration: (await customer('Pia Planned')).person,
    otherVersionMigration: (await customer('Otto Upgraded')).person,
    otherProductStory: (await customer('Olga Otherproduct')).person,
    staffOnlyStory: (await customer('Sven Staffonly')).person,
  }
  for (const person of [asker, colleague, inactive, optedOut, staff]) {
    await createPost({ kind: 'workaround', problemId: similar.id, authorId: person.id, ...verified })
  }
  await createPost({ kind: 'migration', authorId: never.plannedMigration!.id, productId: product.id, fromVersionId: v1, toVersionId: v2, migrationStatus: 'planned' })
  await createPost({ kind: 'migration', authorId: never.otherVersionMigration!.id, productId: product.id, fromVersionId: v2, toVersionId: v3, migrationStatus: 'done' })
  await createPost({ kind: 'story', authorId: never.otherProductStory!.id, productId: other.id })
  await createPost({ kind: 'story', authorId: never.staffOnlyStory!.id, productId: product.id, versionIds: [v2], visibility: 'staff' })
  // Asker and colleague also wrote stories on the product: still never suggested.
  await createPost({ kind: 'story', authorId: colleague.id, productId: product.id, versionIds: [v2] })

  // Open introductions of one candidate (as the solver): proposed and connected count, closed ones do not.
  const otherAsker = (await customer('Olaf Otherasker')).person
  const solverId = good.acceptedSimilar.person.id
  await insertIntroduction({ problemId: similar.id, askerId: someone.person.id, solverId, state: 'proposed' })
  await insertIntroduction({ problemId: unrelatedProblem.id, askerId: otherAsker.id, solverId, state: 'connected' })
  await insertIntroduction({ problemId: problem.id, askerId: asker.id, solverId, state: 'declined' })
  await insertIntroduction({ problemId: problem.id, askerId: otherAsker.id, solverId, state: 'expired' })
  await insertIntroduction({ problemId: similar.id, askerId: solverId, solverId: good.verified.person.id, state: 'declined' })

  await startSearchIndex({ snapshotDir: null })
})

afterAll(async () => {
  await stopSearchIndex({ save: false })
})

const candidatesFor = async (problemId = problem.id) => (await findCandidates(support, problemId))!

describe('findCandidates', () => {
  it('suggests workaround authors on this and similar problems, completed migrations and stories, each with the qualifying post', async () => {
    const found = await candidatesFor()
    const byId = new Map(found.map((c) => [c.id, c]))
    expect(found.map((c) => c.name).sort()).toEqual(Object.values(good).map((g) => g.person.name).sort())
    for (const g of Object.values(good)) expect(byId.get(g.person.id)!.organizationName).toBe(g.org)

    expect(byId.get(good.verified.person.id)!.reasons).toEqual([
      { kind: 'workaround', postId: good.verified.post.id, path: `/posts/${similar.id}#workaround-${good.verified.post.id}`, label: `Verified workaround on “${similar.title}”` },
    ])
    expect(byId.get(good.acceptedSimilar.person.id)!.reasons).toEqual([
      { kind: 'workaround', postId: good.acceptedSimilar.post.id, path: `/posts/${similar.id}#workaround-${good.acceptedSimilar.post.id}`, label: `Accepted workaround on “${similar.title}”` },
    ])
    expect(byId.get(good.acceptedHere.person.id)!.reasons).toEqual([
      { kind: 'workaround', postId: good.acceptedHere.post.id, path: `/posts/${problem.id}#workaround-${good.acceptedHere.post.id}`, label: `Accepted workaround on “${problem.title}”` },
    ])
    expect(byId.get(good.migrated.person.id)!.reasons).toEqual([
      { kind: 'migration', postId: good.migrated.post.id, path: `/posts/${good.migrated.post.id}`, label: 'Completed the migration Kestrel Gateway 1.0 → 2.0' },
    ])
    expect(byId.get(good.storyteller.person.id)!.reasons).toEqual([
      { kind: 'story', postId: good.storyteller.post.id, path: `/posts/${good.storyteller.post.id}`, label: 'Success story “Certificate rotation without dropped sessions”' },
    ])
  })

  it('never suggests the asker, their organization, deactivated users, staff, opted-out customers, or posts that do not qualify', async () => {
    const ids = (await candidatesFor()).map((c) => c.id)
    for (const [why, person] of Object.entries(never)) expect(ids, why).not.toContain(person.id)
  })

  it('ranks solutions on this and similar problems first, and counts each candidate’s open introductions (as solver)', async () => {
    const found = await candidatesFor()
    expect(Object.fromEntries(found.map((c) => [c.name, c.openIntroductions]))).toEqual({
      'Vera Verified': 0,
      'Anton Accepted': 2,
      'Hanna Here': 0,
      'Mika Migrated': 0,
      'Stina Story': 0,
    })
    // Verified on a similar problem, accepted here, accepted on a similar one (and busy); then migrations, then stories.
    expect(found.map((c) => c.name)).toEqual(['Vera Verified', 'Hanna Here', 'Anton Accepted', 'Mika Migrated', 'Stina Story'])
    expect((await findCandidates(support, problem.id, 2))!.map((c) => c.name)).toEqual(['Vera Verified', 'Hanna Here'])

    // One more open introduction moves a candidate down, so the same few are not asked every time.
    const id = newId()
    await insertIntroduction({ id, problemId: problem.id, askerId: asker.id, solverId: good.verified.person.id, state: 'proposed' })
    try {
      const busier = await candidatesFor()
      expect(busier.map((c) => [c.name, c.openIntroductions]).slice(0, 2)).toEqual([['Hanna Here', 0], ['Vera Verified', 1]])
    } finally {
      await db.delete(introductions).where(eq(introductions.id, id))
    }
  })

  it('follows the profile setting: a customer who turns introductions off disappears, and comes back', async () => {
    const vera = actorOf(good.verified.person)
    await updateIntroductionSettings(vera, { introductionsEnabled: false })
    try {
      expect((await candidatesFor()).map((c) => c.id)).not.toContain(vera.id)
    } finally {
      await updateIntroductionSettings(vera, { introductionsEnabled: true })
    }
    expect((await candidatesFor()).map((c) => c.id)).toContain(vera.id)
    await db.update(users).set({ active: false }).where(eq(users.id, vera.id))
    try {
      expect((await candidatesFor()).map((c) => c.id)).not.toContain(vera.id)
    } finally {
      await db.update(users).set({ active: true }).where(eq(users.id, vera.id))
    }
  })

  it('customers get null, whoever they are; an unknown id or a post that is not a problem gets null', async () => {
    expect(await findCandidates(actorOf(asker), problem.id)).toBeNull()
    expect(await findCandidates(actorOf(good.verified.person), problem.id)).toBeNull()
    expect(await findCandidates(support, 'no-such-problem')).toBeNull()
    expect(await findCandidates(support, good.storyteller.post.id)).toBeNull()
  })

  it('a problem nothing resembles gets an empty list', async () => {
    const lonely = await createPost({ title: 'Zyzzyva quagga xylophone', body: 'Quux frobnicator wibble.' })
    expect(await findCandidates(support, lonely.id)).toEqual([])
  })
})
