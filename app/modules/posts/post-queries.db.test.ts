/**
 * The post queries against a real database (PGlite, and PostgreSQL when
 * TEST_DATABASE_URL is set): list filters and pages, the order of a
 * problem's workarounds, product, person and migration pages, revisions and
 * the solutions feed.
 *
 * The database is shared by the tests of this file, so each test makes its
 * own product (lists are filtered by it) and its own people. Posts are
 * written with the commands, so the rows are the ones the app writes; a few
 * timestamps are then set by hand where a test is about order.
 */
import { eq, sql } from 'drizzle-orm'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { posts } from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import { formatCount } from '~/utils/bounded-count'
import { cursorFrom } from '~/utils/keyset'
import { actorOf, createProduct, createUser } from '#tests/factories'
import {
  getOwnPostForEdit,
  getPersonPage,
  getPostPage,
  getProductPage,
  getReply,
  listActivity,
  listFeedSolutions,
  listProductsWithVersions,
  listRevisions,
} from './post-queries.server'
import {
  acceptWorkaround,
  addWorkaround,
  editPost,
  editReply,
  logProblem,
  planMigration,
  replyToPost,
  setMigrationStatus,
  setPostHidden,
  setPostVisibility,
  setReplyHidden,
  setWorkaroundVerified,
  toggleMeToo,
  writeStory,
  type LogProblemInput,
  type PlanMigrationInput,
} from './posts.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

beforeEach(() => {
  vi.mocked(kickMailer).mockClear()
})

// -- helpers -------------------------------------------------------------------

let serial = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`

type Product = Awaited<ReturnType<typeof createProduct>>

/** A product of its own, so that lists filtered by it hold only this test's posts. */
async function newProduct(versions = ['1.0', '2.0', '3.0']) {
  const slug = unique('product')
  return createProduct({ name: `Product ${slug}`, slug, versions })
}

const version = (product: Product, name: string) =>
  product.versions.find((v) => v.name === name)!.id

async function customer(values: { organizationId?: string; name?: string } = {}) {
  return actorOf(await createUser({ name: values.name ?? 'Casey Customer', ...values }))
}

async function supportEngineer(name = 'Sam Support') {
  return actorOf(await createUser({ role: 'support', name }))
}

function value<T>(
  result: { ok: true; value: T } | { ok: false; reason: string; message: string },
): T {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.message}`)
  return result.value
}

async function newProblem(actor: Actor, product: Product, values: Partial<LogProblemInput> = {}) {
  return value(
    await logProblem(actor, {
      title: 'Exports time out',
      body: 'Large **exports** stop after 30 s.',
      productId: product.id,
      versionIds: [version(product, '2.0')],
      tags: [],
      ...values,
    }),
  ).id
}

async function newWorkaround(actor: Actor, problemId: string, body = 'Split the export by month.') {
  return value(await addWorkaround(actor, problemId, { body })).id
}

async function newStory(
  actor: Actor,
  product: Product,
  values: { relatedPostId?: string; versionIds?: string[] } = {},
) {
  return value(
    await writeStory(actor, {
      title: 'Exports in a tenth of the time',
      body: 'We moved to streaming exports.',
      productId: product.id,
      versionIds: values.versionIds ?? [],
      tags: [],
      relatedPostId: values.relatedPostId,
    }),
  ).id
}

async function newMigration(
  actor: Actor,
  product: Product,
  values: Partial<PlanMigrationInput> = {},
) {
  return value(
    await planMigration(actor, {
      productId: product.id,
      fromVersionId: version(product, '1.0'),
      toVersionId: version(product, '2.0'),
      windowStart: '2099-01-10',
      status: 'planned',
      body: '',
      ...values,
    }),
  ).id
}

/** The full page of a post (not a redirect); fails the test when there is none. */
async function pageOf(actor: Actor, postId: string) {
  const page = await getPostPage(actor, postId)
  if (!page || page.redirectTo !== null)
    throw new Error(`expected the page of ${postId}, got ${JSON.stringify(page)}`)
  return page
}

/** Sets timestamps by hand, for tests about order. */
async function setTimes(id: string, times: { createdAt?: Date; lastActivityAt?: Date }) {
  await db.update(posts).set(times).where(eq(posts.id, id))
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000)
const ids = (list: { items: { id: string }[] }) => list.items.map((i) => i.id)
const after = (cursor: string | null) => cursorFrom(new URL(`http://x.test/?after=${cursor}`))
const before = (cursor: string | null) => cursorFrom(new URL(`http://x.test/?before=${cursor}`))
const sorted = (values: string[]) => [...values].sort()

// -- listActivity ----------------------------------------------------------------------

describe('listActivity', () => {
  it('filters by kind and by product', async () => {
    const product = await newProduct()
    const elsewhere = await newProduct()
    const author = await customer()
    const problem = await newProblem(author, product)
    const workaround = await newWorkaround(author, problem)
    const story = await newStory(author, product)
    const migration = await newMigration(author, product)
    await newProblem(author, elsewhere)

    const all = await listActivity(author, { productSlug: product.slug })
    expect(sorted(ids(all))).toEqual(sorted([problem, workaround, story, migration]))
    expect(all.older).toBeNull()
    for (const [kind, id] of [
      ['problem', problem],
      ['workaround', workaround],
      ['story', story],
      ['migration', migration],
    ] as const) {
      const list = await listActivity(author, { productSlug: product.slug, kind })
      expect(ids(list)).toEqual([id])
    }
    expect((await listActivity(author, { productSlug: 'no-such-product' })).items).toEqual([])
  })

  it('filters by version, matching a workaround through its problem', async () => {
    const product = await newProduct()
    const author = await customer()
    const onTwo = await newProblem(author, product, { versionIds: [version(product, '2.0')] })
    const itsWorkaround = await newWorkaround(author, onTwo)
    const onThree = await newProblem(author, product, { versionIds: [version(product, '3.0')] })
    const storyOnTwo = await newStory(author, product, { versionIds: [version(product, '2.0')] })
    const list = await listActivity(author, {
      productSlug: product.slug,
      versionId: version(product, '2.0'),
    })
    expect(sorted(ids(list))).toEqual(sorted([onTwo, itsWorkaround, storyOnTwo]))
    const three = await listActivity(author, { versionId: version(product, '3.0') })
    expect(ids(three)).toEqual([onThree])
  })

  it('filters problems by state, and by author', async () => {
    const product = await newProduct()
    const author = await customer()
    const helper = await customer()
    const open = await newProblem(author, product)
    const answered = await newProblem(author, product)
    await newWorkaround(helper, answered)
    const solved = await newProblem(author, product)
    value(await acceptWorkaround(author, await newWorkaround(helper, solved)))
    const slug = product.slug
    expect(ids(await listActivity(author, { productSlug: slug, state: 'open' }))).toEqual([open])
    expect(ids(await listActivity(author, { productSlug: slug, state: 'answered' }))).toEqual([
      answered,
    ])
    expect(ids(await listActivity(author, { productSlug: slug, state: 'solved' }))).toEqual([
      solved,
    ])
    const byHelper = await listActivity(author, { productSlug: slug, authorId: helper.id })
    expect(byHelper.items).toHaveLength(2)
    expect(byHelper.items.every((i) => i.kind === 'workaround' && i.authorId === helper.id)).toBe(
      true,
    )
  })

  it('pages through the activity by keyset, most recent first, twenty at a time, with no repeat or gap', async () => {
    const product = await newProduct()
    const author = await customer()
    const created: string[] = []
    for (let i = 0; i < 23; i++)
      created.push(await newProblem(author, product, { title: `Problem number ${i}` }))
    // Problem i was last active i minutes ago; two share a time (the id breaks the tie).
    await Promise.all(
      created.map((id, i) => setTimes(id, { lastActivityAt: minutesAgo(i === 5 ? 4 : i) })),
    )
    // Problems 19 and 20 straddle the page boundary one microsecond apart (the
    // same millisecond): a cursor cut to milliseconds would skip or repeat one.
    const at19 = minutesAgo(19)
    await setTimes(created[19]!, { lastActivityAt: at19 })
    await db
      .update(posts)
      .set({ lastActivityAt: sql`${at19.toISOString()}::timestamptz - interval '1 microsecond'` })
      .where(eq(posts.id, created[20]!))
    const first = await listActivity(author, { productSlug: product.slug })
    expect(first).toMatchObject({ pageSize: 20, newer: null })
    expect(first.items).toHaveLength(20)
    expect(first.older).not.toBeNull()
    // A post written meanwhile goes to the top; the next page neither repeats nor skips.
    await newProblem(author, product, { title: 'Written while reading' })
    const second = await listActivity(author, { productSlug: product.slug, cursor: after(first.older) })
    expect(second.items).toHaveLength(3)
    expect(second.older).toBeNull()
    expect(second.newer).not.toBeNull()
    const order = [...ids(first), ...ids(second)]
    const tied = sorted([created[4]!, created[5]!]).reverse()
    expect(order).toEqual([...created.slice(0, 4), ...tied, ...created.slice(6)])
    // Back from the second page: the twenty before it, newest first, and more newer ones (the new post).
    const back = await listActivity(author, { productSlug: product.slug, cursor: before(second.newer) })
    expect(ids(back)).toEqual(ids(first))
    expect(back.newer).not.toBeNull()
    expect(back.older).not.toBeNull()
  })

  it('reads a malformed cursor as the first page', () => {
    expect(cursorFrom(new URL('http://x.test/?after=garbage'))).toBeNull()
    expect(cursorFrom(new URL("http://x.test/?after=2026-01-01T00:00:00Z~a'b"))).toBeNull()
    expect(cursorFrom(new URL('http://x.test/?before=2026-01-01T00:00:00.123456Z~abc'))).toEqual({
      direction: 'before',
      at: '2026-01-01T00:00:00.123456Z',
      id: 'abc',
    })
  })

  it('shows cards with a plain-text excerpt, the problem of a workaround and its marks; hidden posts are left out', async () => {
    const product = await newProduct()
    const author = await customer({ name: 'Alice Author' })
    const support = await supportEngineer()
    const problem = await newProblem(author, product, {
      title: 'Exports time out',
      body: '# Heading\n\nLarge **exports** stop, see [the log](http://example.test/log).\n\n```\nstack trace\n```',
    })
    const workaround = await newWorkaround(support, problem)
    value(await setWorkaroundVerified(support, workaround, true))
    value(await acceptWorkaround(author, workaround))
    const hidden = await newProblem(author, product)
    value(await setPostHidden(support, hidden, { reason: 'Duplicate.' }))

    for (const actor of [author, support]) {
      const list = await listActivity(actor, { productSlug: product.slug })
      expect(sorted(ids(list))).toEqual(sorted([problem, workaround]))
    }
    const list = await listActivity(author, { productSlug: product.slug })
    expect(list.items.find((i) => i.id === problem)).toMatchObject({
      kind: 'problem',
      title: 'Exports time out',
      state: 'solved',
      excerpt: 'Heading Large exports stop, see the log.',
      authorName: 'Alice Author',
      productSlug: product.slug,
      replyCount: 0,
      accepted: false,
    })
    expect(list.items.find((i) => i.id === workaround)).toMatchObject({
      kind: 'workaround',
      problemId: problem,
      problemTitle: 'Exports time out',
      accepted: true,
      verified: true,
    })
  })
})

// -- getPostPage --------------------------------------------------------------------------

describe('getPostPage', () => {
  it('orders workarounds accepted first, then verified, then newest', async () => {
    const product = await newProduct()
    const author = await customer()
    const support = await supportEngineer()
    const problem = await newProblem(author, product)
    const oldest = await newWorkaround(await customer(), problem, 'Oldest.')
    const verified = await newWorkaround(await customer(), problem, 'Verified.')
    const accepted = await newWorkaround(await customer(), problem, 'Accepted.')
    const newest = await newWorkaround(await customer(), problem, 'Newest.')
    const middle = await newWorkaround(await customer(), problem, 'Middle.')
    await setTimes(oldest, { createdAt: minutesAgo(50) })
    await setTimes(verified, { createdAt: minutesAgo(40) })
    await setTimes(accepted, { createdAt: minutesAgo(60) })
    await setTimes(newest, { createdAt: minutesAgo(1) })
    await setTimes(middle, { createdAt: minutesAgo(20) })
    value(await setWorkaroundVerified(support, verified, true))
    value(await acceptWorkaround(author, accepted))

    const page = await pageOf(author, problem)
    expect(page?.workarounds.map((w) => w.id)).toEqual([accepted, verified, newest, middle, oldest])
    // Accepted and verified together still come first.
    value(await setWorkaroundVerified(support, accepted, true))
    value(await setWorkaroundVerified(support, newest, true))
    const again = await pageOf(author, problem)
    expect(again?.workarounds.map((w) => w.id)).toEqual([
      accepted,
      newest,
      verified,
      middle,
      oldest,
    ])
  })

  it('shows the post with its versions, tags, replies in order, and what the viewer may do', async () => {
    const product = await newProduct()
    const author = await customer({ name: 'Alice Author' })
    const problem = await newProblem(author, product, {
      versionIds: [version(product, '3.0'), version(product, '1.0')],
      tags: ['export', 'timeout'],
    })
    const reader = await customer()
    const first = value(await replyToPost(reader, problem, { body: 'First.' })).id
    const second = value(
      await replyToPost(author, problem, { body: 'Second.', quotedReplyId: first }),
    ).id
    value(await toggleMeToo(reader, problem))

    const own = await pageOf(author, problem)
    expect(own?.redirectTo).toBeNull()
    expect(own?.post).toMatchObject({
      id: problem,
      kind: 'problem',
      state: 'answered',
      authorName: 'Alice Author',
      productSlug: product.slug,
      replyCount: 2,
      meTooCount: 1,
      tags: ['export', 'timeout'],
      versions: [
        { id: version(product, '1.0'), name: '1.0' },
        { id: version(product, '3.0'), name: '3.0' },
      ],
    })
    expect(own?.replies.map((r) => [r.id, r.quotedReplyId])).toEqual([
      [first, null],
      [second, first],
    ])
    expect(own?.viewer).toEqual({
      id: author.id,
      staff: false,
      isAuthor: true,
      following: true,
      meToo: false,
      canAccept: true,
      canMeToo: false,
    })
    expect((await pageOf(reader, problem)).viewer).toMatchObject({
      isAuthor: false,
      following: true,
      meToo: true,
      canAccept: false,
      canMeToo: true,
    })
    expect(await getPostPage(author, 'no-such-post')).toBeNull()
    expect(await getPostPage(author, 'x'.repeat(65))).toBeNull()
  })

  it('sends a workaround to its problem’s page', async () => {
    const product = await newProduct()
    const author = await customer()
    const problem = await newProblem(author, product)
    const workaround = await newWorkaround(author, problem)
    expect(await getPostPage(author, workaround)).toEqual({
      redirectTo: `/posts/${problem}#workaround-${workaround}`,
    })
  })

  it('shows hidden replies and workarounds, with the reason, to their author and to support only', async () => {
    const product = await newProduct()
    const author = await customer()
    const support = await supportEngineer()
    const problem = await newProblem(author, product)
    const replier = await customer()
    const reply = value(await replyToPost(replier, problem, { body: 'Spam.' })).id
    const workaround = await newWorkaround(replier, problem)
    value(await setReplyHidden(support, reply, { reason: 'Advertising.' }))
    value(await setPostHidden(support, workaround, { reason: 'Unsafe.' }))

    const forAuthor = await pageOf(author, problem)
    expect(forAuthor?.replies).toEqual([])
    expect(forAuthor?.hiddenReplyCount).toBe(1)
    expect(forAuthor?.workarounds).toEqual([])
    for (const actor of [replier, support]) {
      const page = await pageOf(actor, problem)
      expect(page?.replies).toMatchObject([{ id: reply, hiddenReason: 'Advertising.' }])
      expect(page?.hiddenReplyCount).toBe(0)
      expect(page?.workarounds).toMatchObject([{ id: workaround, hiddenReason: 'Unsafe.' }])
    }
  })

  it('shows a workaround support made staff-only to staff only, even on a community problem', async () => {
    const product = await newProduct()
    const author = await customer()
    const support = await supportEngineer()
    const problem = await newProblem(author, product)
    const internal = await newWorkaround(support, problem, 'Internal: patch 2.0.3 fixes it.')
    value(await setPostVisibility(support, internal, 'staff'))
    expect((await pageOf(author, problem)).workarounds).toEqual([])
    expect(JSON.stringify(await pageOf(author, problem))).not.toContain('patch 2.0.3')
    expect((await pageOf(support, problem)).workarounds.map((w) => w.id)).toEqual([internal])
  })

  it('gives support the names behind “me too” and the number of earlier versions', async () => {
    const product = await newProduct()
    const author = await customer()
    const problem = await newProblem(author, product)
    const first = await customer({ name: 'Mia MeToo' })
    const second = await customer({ name: 'Max MeToo' })
    value(await toggleMeToo(first, problem))
    value(await toggleMeToo(second, problem))
    value(await editPost(author, problem, { body: 'Clearer text.' }))
    const page = await pageOf(await supportEngineer(), problem)
    expect(page?.staffOnly?.meTooPeople.map((p) => p.name)).toEqual(['Mia MeToo', 'Max MeToo'])
    expect(page?.staffOnly?.revisionCount).toBe(1)
    expect(page?.viewer).toMatchObject({ staff: true, canAccept: true, canMeToo: false })
    expect((await pageOf(author, problem)).staffOnly).toBeNull()
  })

  it('links a story to its problem while the reader may see that problem', async () => {
    const product = await newProduct()
    const author = await customer()
    const problem = await newProblem(await customer(), product)
    const story = await newStory(author, product, { relatedPostId: problem })
    expect((await pageOf(author, story)).related).toEqual({
      id: problem,
      title: 'Exports time out',
      kind: 'problem',
    })
    value(await setPostVisibility(await supportEngineer(), problem, 'staff'))
    expect((await pageOf(author, story)).related).toBeNull()
  })
})

// -- migration pages ------------------------------------------------------------------------

describe('the page of a migration plan', () => {
  it('lists the open problems known for the target version, most “me too” first', async () => {
    const product = await newProduct()
    const mover = await customer()
    const support = await supportEngineer()
    const migration = await newMigration(mover, product, {
      fromVersionId: version(product, '1.0'),
      toVersionId: version(product, '2.0'),
    })
    const quiet = await newProblem(await customer(), product, { title: 'Quiet one' })
    const popular = await newProblem(await customer(), product, { title: 'Popular one' })
    value(await toggleMeToo(await customer(), popular))
    const answered = await newProblem(await customer(), product, { title: 'Answered one' })
    await newWorkaround(await customer(), answered)
    const solved = await newProblem(await customer(), product)
    const fix = await newWorkaround(await customer(), solved)
    value(await acceptWorkaround(support, fix))
    await newProblem(await customer(), product, { versionIds: [version(product, '3.0')] })
    const hidden = await newProblem(await customer(), product)
    value(await setPostHidden(support, hidden, { reason: 'Spam.' }))
    const staffOnly = await newProblem(await customer(), product, { title: 'Staff one' })
    value(await setPostVisibility(support, staffOnly, 'staff'))
    await setTimes(quiet, { lastActivityAt: minutesAgo(30) })

    const page = await pageOf(mover, migration)
    expect(page?.migration?.openProblems.map((p) => p.id)).toEqual([popular, answered, quiet])
    expect(page?.migration).toMatchObject({ fromVersion: '1.0', toVersion: '2.0' })
    const forSupport = await pageOf(support, migration)
    expect(sorted(forSupport!.migration!.openProblems.map((p) => p.id))).toEqual(
      sorted([popular, answered, quiet, staffOnly]),
    )
  })

  it('counts the other organizations planning the same move', async () => {
    const product = await newProduct()
    const support = await supportEngineer()
    const mover = await customer()
    const colleague = await customer({ organizationId: mover.organizationId })
    const migration = await newMigration(mover, product)
    // Same organization: not "others".
    await newMigration(colleague, product)
    // Two plans of one other organization count once.
    const other = await customer()
    await newMigration(other, product)
    await newMigration(await customer({ organizationId: other.organizationId }), product, {
      status: 'in_progress',
    })
    // A third organization, postponed: still planning.
    await newMigration(await customer(), product, { status: 'postponed' })
    // Not counted: finished or rolled back, another move, hidden, staff-only.
    const done = await newMigration(await customer(), product)
    value(await setMigrationStatus(support, done, 'done'))
    await newMigration(await customer(), product, { status: 'rolled_back' })
    await newMigration(await customer(), product, { fromVersionId: version(product, '3.0') })
    await newMigration(await customer(), product, { toVersionId: version(product, '3.0') })
    const hidden = await newMigration(await customer(), product)
    value(await setPostHidden(support, hidden, { reason: 'Test post.' }))
    const staffOnly = await newMigration(await customer(), product)
    value(await setPostVisibility(support, staffOnly, 'staff'))

    expect((await pageOf(mover, migration)).migration?.otherOrganizations).toBe(2)
    // Staff also count the staff-only plan.
    expect((await pageOf(support, migration)).migration?.otherOrganizations).toBe(3)
  })
})

// -- product and person pages -----------------------------------------------------------------

describe('getProductPage', () => {
  it('shows open problems, accepted or verified solutions, stories and upcoming migrations', async () => {
    const product = await newProduct(['3.0', '1.0', '2.0'])
    const author = await customer()
    const support = await supportEngineer()
    const open = await newProblem(author, product)
    const solved = await newProblem(author, product)
    const accepted = await newWorkaround(await customer(), solved)
    value(await acceptWorkaround(author, accepted))
    const answered = await newProblem(author, product)
    const verified = await newWorkaround(await customer(), answered)
    value(await setWorkaroundVerified(support, verified, true))
    await newWorkaround(await customer(), answered, 'Plain, not a solution yet.')
    const story = await newStory(author, product)
    const today = new Date().toISOString().slice(0, 10)
    const later = await newMigration(author, product, { windowStart: '2099-02-01' })
    const sooner = await newMigration(author, product, { windowStart: '2099-01-01' })
    const endsToday = await newMigration(author, product, {
      windowStart: '2000-01-01',
      windowEnd: today,
    })
    await newMigration(author, product, { windowStart: '2000-01-01', windowEnd: '2000-01-31' })
    await newMigration(author, product, { windowStart: '2000-01-01' })

    const page = await getProductPage(author, product.slug)
    expect(page?.product).toMatchObject({ id: product.id, slug: product.slug })
    expect(page?.versions.map((v) => v.name)).toEqual(['3.0', '1.0', '2.0'])
    expect(sorted(ids(page!.openProblems))).toEqual(sorted([open, answered]))
    expect(sorted(ids(page!.solutions))).toEqual(sorted([accepted, verified]))
    expect(ids(page!.stories)).toEqual([story])
    expect(ids(page!.migrations)).toEqual([endsToday, sooner, later])
    expect(await getProductPage(author, 'no-such-product')).toBeNull()
  })
})

describe('getPersonPage', () => {
  it('counts the person’s accepted workarounds the viewer may see, and lists their posts', async () => {
    const product = await newProduct()
    const helper = await customer({ name: 'Hank Helper' })
    const support = await supportEngineer()
    const accept = async (problemAuthor: Actor) => {
      const problem = await newProblem(problemAuthor, product)
      const workaround = await newWorkaround(helper, problem)
      value(await acceptWorkaround(problemAuthor, workaround))
      return { problem, workaround }
    }
    const one = await accept(await customer())
    await accept(await customer())
    // Verified but not accepted: not counted.
    const verifiedOnly = await newWorkaround(helper, await newProblem(await customer(), product))
    value(await setWorkaroundVerified(support, verifiedOnly, true))
    // Accepted, then hidden: not counted.
    const hidden = await accept(await customer())
    value(await setPostHidden(support, hidden.workaround, { reason: 'Unsafe.' }))
    // Accepted on a problem that became staff-only: counted for staff only.
    const staffOnly = await accept(await customer())
    value(await setPostVisibility(support, staffOnly.problem, 'staff'))

    const viewer = await customer()
    const page = await getPersonPage(viewer, helper.id)
    expect(page?.person).toMatchObject({
      id: helper.id,
      name: 'Hank Helper',
      role: 'customer',
      active: true,
    })
    expect(page?.acceptedWorkarounds).toEqual({ value: 2, atLeast: false })
    expect(page?.postCount).toEqual({ value: 3, atLeast: false })
    expect(page?.posts.items.every((i) => i.authorId === helper.id)).toBe(true)
    expect(ids(page!.posts)).toContain(one.workaround)
    const forSupport = await getPersonPage(support, helper.id)
    expect(forSupport?.acceptedWorkarounds).toEqual({ value: 3, atLeast: false })
    expect(forSupport?.postCount).toEqual({ value: 4, atLeast: false })
    expect(await getPersonPage(viewer, 'no-such-person')).toBeNull()
  })

  it('counts up to its bound and says "more" past it, while the list pages on', async () => {
    const product = await newProduct()
    const author = await customer()
    for (let i = 0; i < 4; i++) await newProblem(author, product)
    const viewer = await customer()
    const atBound = await getPersonPage(viewer, author.id, null, 4)
    expect(atBound?.postCount).toEqual({ value: 4, atLeast: false })
    const past = await getPersonPage(viewer, author.id, null, 3)
    expect(past?.postCount).toEqual({ value: 3, atLeast: true })
    expect(formatCount(past!.postCount)).toBe('3+')
    expect(formatCount({ value: 1000, atLeast: true })).toBe('1,000+')
    expect(past?.posts.items).toHaveLength(4)
  })
})

// -- revisions, replies, edit forms ------------------------------------------------------------

describe('listRevisions', () => {
  it('gives support every earlier version of a post and its replies, newest first; customers nothing', async () => {
    const product = await newProduct()
    const author = await customer({ name: 'Alice Author' })
    const problem = await newProblem(author, product, { title: 'First title', body: 'First body.' })
    value(await editPost(author, problem, { title: 'Second title', body: 'Second body.' }))
    const reply = value(await replyToPost(author, problem, { body: 'First reply.' })).id
    value(await editReply(author, reply, 'Second reply.'))
    const elsewhere = await newProblem(author, product, { body: 'Unrelated.' })
    value(await editPost(author, elsewhere, { body: 'Unrelated, edited.' }))

    const history = await listRevisions(await supportEngineer(), problem)
    expect(history?.post).toEqual({ id: problem, title: 'Second title', kind: 'problem' })
    expect(history?.revisions).toMatchObject([
      { replyId: reply, title: null, body: 'First reply.', authorName: 'Alice Author' },
      { replyId: null, title: 'First title', body: 'First body.', authorName: 'Alice Author' },
    ])
    expect(await listRevisions(author, problem)).toBeNull()
    expect(await listRevisions(await supportEngineer(), 'no-such-post')).toBeNull()
  })
})

describe('getReply and getOwnPostForEdit', () => {
  it('give a reply to those who may see it, and a post to its author for editing', async () => {
    const product = await newProduct()
    const author = await customer({ name: 'Alice Author' })
    const problem = await newProblem(author, product, { tags: ['export'] })
    const reply = value(await replyToPost(author, problem, { body: 'Details.' })).id
    expect(await getReply(await customer(), reply)).toMatchObject({
      id: reply,
      body: 'Details.',
      authorName: 'Alice Author',
      pagePostId: problem,
    })
    expect(await getOwnPostForEdit(author, problem)).toMatchObject({
      id: problem,
      tags: ['export'],
    })
    expect(await getOwnPostForEdit(await customer(), problem)).toBeNull()
    expect(await getOwnPostForEdit(await supportEngineer(), problem)).toBeNull()
  })

  it('do not give a reply of a hidden conversation to other customers', async () => {
    const product = await newProduct()
    const author = await customer()
    const support = await supportEngineer()
    const problem = await newProblem(author, product)
    const helper = await customer()
    const workaround = await newWorkaround(helper, problem)
    const onWorkaround = value(
      await replyToPost(helper, workaround, { body: 'Step two matters.' }),
    ).id
    const hiddenReply = value(await replyToPost(helper, problem, { body: 'Rude.' })).id
    value(await setReplyHidden(support, hiddenReply, { reason: 'Be kind.' }))
    expect(await getReply(author, hiddenReply)).toBeNull()
    expect(await getReply(helper, hiddenReply)).not.toBeNull()
    expect(await getReply(author, onWorkaround)).toMatchObject({ pagePostId: problem })

    value(await setPostHidden(support, problem, { reason: 'Contains credentials.' }))
    // The workaround itself is not hidden, but its conversation is.
    expect(await getReply(await customer(), onWorkaround)).toBeNull()
    expect(await getReply(helper, onWorkaround)).toBeNull()
    expect(await getReply(author, onWorkaround)).not.toBeNull()
    expect(await getReply(support, onWorkaround)).not.toBeNull()
  })
})

// -- feeds and catalog ------------------------------------------------------------------------

describe('listFeedSolutions', () => {
  it('includes accepted and verified community workarounds only, newest solution first', async () => {
    const product = await newProduct()
    const author = await customer()
    const support = await supportEngineer()
    const solve = async (how: 'accept' | 'verify') => {
      const problem = await newProblem(author, product)
      const workaround = await newWorkaround(await customer({ name: 'Hank Helper' }), problem)
      value(
        how === 'accept'
          ? await acceptWorkaround(author, workaround)
          : await setWorkaroundVerified(support, workaround, true),
      )
      return { problem, workaround }
    }
    const accepted = await solve('accept')
    const verified = await solve('verify')
    await newWorkaround(await customer(), await newProblem(author, product), 'Not a solution yet.')
    const hiddenWorkaround = await solve('accept')
    value(await setPostHidden(support, hiddenWorkaround.workaround, { reason: 'Unsafe.' }))
    const hiddenProblem = await solve('verify')
    value(await setPostHidden(support, hiddenProblem.problem, { reason: 'Credentials.' }))
    const staffOnly = await solve('accept')
    value(await setPostVisibility(support, staffOnly.problem, 'staff'))
    // Support's own workaround, staff-only on a community problem.
    const internal = await solve('verify')
    value(await setPostVisibility(support, internal.workaround, 'staff'))
    const elsewhere = await newProduct()
    const otherProblem = await newProblem(author, elsewhere)
    value(await acceptWorkaround(author, await newWorkaround(await customer(), otherProblem)))

    // `solvedAt` has millisecond precision: make the order unambiguous.
    await db
      .update(posts)
      .set({ acceptedAt: minutesAgo(10) })
      .where(eq(posts.id, accepted.workaround))
    const feed = await listFeedSolutions({ productSlug: product.slug })
    expect(feed.map((f) => f.id)).toEqual([verified.workaround, accepted.workaround])
    expect(feed[1]).toMatchObject({
      problemId: accepted.problem,
      problemTitle: 'Exports time out',
      authorName: 'Hank Helper',
      productSlug: product.slug,
    })
    expect((await listFeedSolutions()).map((f) => f.id)).toContain(
      (await db.select({ id: posts.id }).from(posts).where(eq(posts.problemId, otherProblem)))[0]!
        .id,
    )
    expect(await listFeedSolutions({ productSlug: product.slug, limit: 1 })).toHaveLength(1)
  })
})

describe('listProductsWithVersions', () => {
  it('lists products with their versions in order, flagging retired ones', async () => {
    const product = await newProduct(['2.0', '1.0'])
    const list = await listProductsWithVersions()
    expect(list.find((p) => p.id === product.id)?.versions).toEqual([
      { id: version(product, '2.0'), name: '2.0', retired: false },
      { id: version(product, '1.0'), name: '1.0', retired: false },
    ])
  })
})
