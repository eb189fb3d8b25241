/**
 * Every post command against a real database (PGlite, and PostgreSQL when
 * TEST_DATABASE_URL is set). Each failure branch checks the exact outcome
 * and that nothing was written, mailed or announced; each happy path checks
 * the rows, the notifications and the emails it leaves.
 *
 * The database is shared by the tests of this file, so each test makes its
 * own people and posts and compares row counts before and after.
 *
 * Delivery after commit (`kickMailer`) is replaced by a spy: messages stay
 * in the outbox, where the tests read them.
 */
import { and, eq, sql } from 'drizzle-orm'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import {
  auditLog,
  follows,
  meToos,
  notifications,
  outbox,
  posts,
  postTags,
  postVersions,
  productVersions,
  replies,
  revisions,
  type MigrationStatus,
} from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import { actorOf, createProduct, createUser } from '#tests/factories'
import { countRows } from '#tests/row-counts'
import { onPostChange } from './post-events.server'
import {
  acceptWorkaround,
  addWorkaround,
  editPost,
  editReply,
  logProblem,
  planMigration,
  POST_MESSAGES,
  replyToPost,
  setMigrationStatus,
  setPostHidden,
  setPostVisibility,
  setReplyHidden,
  setWorkaroundVerified,
  toggleFollow,
  toggleMeToo,
  withdrawAcceptance,
  writeStory,
  type LogProblemInput,
  type PlanMigrationInput,
  type WriteStoryInput,
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
let gateway: Product
let ledger: Product

beforeAll(async () => {
  gateway = await createProduct({
    name: 'Gateway',
    slug: 'gateway',
    versions: ['4.1', '4.2', '5.0'],
  })
  ledger = await createProduct({ name: 'Ledger', slug: 'ledger', versions: ['1.0', '2.0'] })
})

const version = (product: Product, name: string) =>
  product.versions.find((v) => v.name === name)!.id

async function customer(values: { organizationId?: string; name?: string } = {}) {
  return actorOf(await createUser({ name: values.name ?? 'Casey Customer', ...values }))
}

async function supportEngineer(values: { name?: string; role?: 'support' | 'admin' } = {}) {
  return actorOf(
    await createUser({ role: values.role ?? 'support', name: values.name ?? 'Sam Support' }),
  )
}

/** A customer of the same organization as `actor`. */
async function colleagueOf(actor: Actor, name = 'Colin Colleague') {
  return customer({ organizationId: actor.organizationId, name })
}

/** Unwraps a result that must have succeeded. */
function value<T>(
  result: { ok: true; value: T } | { ok: false; reason: string; message: string },
): T {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.message}`)
  return result.value
}

function problemInput(values: Partial<LogProblemInput> = {}): LogProblemInput {
  return {
    title: 'Gateway drops TLS sessions after upgrade',
    body: 'Since 4.2 the gateway closes **TLS sessions** after about a minute.',
    productId: gateway.id,
    versionIds: [version(gateway, '4.2')],
    tags: ['tls', 'upgrade'],
    ...values,
  }
}

async function newProblem(actor: Actor, values: Partial<LogProblemInput> = {}) {
  return value(await logProblem(actor, problemInput(values))).id
}

async function newWorkaround(
  actor: Actor,
  problemId: string,
  body = 'Raise the session timeout to 300 s.',
) {
  return value(await addWorkaround(actor, problemId, { body })).id
}

function storyInput(values: Partial<WriteStoryInput> = {}): WriteStoryInput {
  return {
    title: 'We cut our TLS errors to zero',
    body: 'After the upgrade we tuned the session cache.',
    productId: gateway.id,
    versionIds: [version(gateway, '5.0')],
    tags: ['tls'],
    ...values,
  }
}

function migrationInput(values: Partial<PlanMigrationInput> = {}): PlanMigrationInput {
  return {
    productId: gateway.id,
    fromVersionId: version(gateway, '4.2'),
    toVersionId: version(gateway, '5.0'),
    windowStart: '2031-03-01',
    windowEnd: '2031-03-15',
    status: 'planned',
    body: 'Weekend cut-over.',
    ...values,
  }
}

async function newMigration(actor: Actor, values: Partial<PlanMigrationInput> = {}) {
  return value(await planMigration(actor, migrationInput(values))).id
}

async function getPost(id: string) {
  const [row] = await db.select().from(posts).where(eq(posts.id, id))
  return row!
}

async function getReplyRow(id: string) {
  const [row] = await db.select().from(replies).where(eq(replies.id, id))
  return row!
}

async function followers(postId: string) {
  const rows = await db
    .select({ userId: follows.userId })
    .from(follows)
    .where(eq(follows.postId, postId))
  return rows.map((r) => r.userId).sort()
}

async function notificationsOf(userId: string, event?: string) {
  return db
    .select()
    .from(notifications)
    .where(
      and(eq(notifications.userId, userId), event ? eq(notifications.event, event) : undefined),
    )
    .orderBy(notifications.createdAt)
}

async function emailsTo(address: string) {
  return db.select().from(outbox).where(eq(outbox.toAddress, address)).orderBy(outbox.createdAt)
}

async function auditOf(subjectId: string) {
  return db
    .select({ action: auditLog.action, actorId: auditLog.actorId, details: auditLog.details })
    .from(auditLog)
    .where(eq(auditLog.subjectId, subjectId))
    .orderBy(auditLog.id)
}

const TABLES = {
  posts,
  postVersions,
  postTags,
  replies,
  revisions,
  meToos,
  follows,
  notifications,
  outbox,
  auditLog,
}

/** Row counts of every table a post command writes to, in one query. */
const rowCounts = () => countRows(TABLES)

/** Collects the post ids announced after commit while `action` runs. */
async function announcedBy<T>(
  action: () => Promise<T>,
): Promise<{ result: T; announced: string[] }> {
  const announced: string[] = []
  const off = onPostChange((id) => announced.push(id))
  try {
    return { result: await action(), announced }
  } finally {
    off()
  }
}

type Expected = { reason: string; message: string; field?: string }

/**
 * Runs a command that must fail with exactly `expected`, and checks that it
 * wrote nothing, asked for no delivery and announced no change.
 */
async function expectFailure(action: () => Promise<unknown>, expected: Expected) {
  const before = await rowCounts()
  vi.mocked(kickMailer).mockClear()
  const { result, announced } = await announcedBy(action)
  expect(result).toEqual({ ok: false, ...expected })
  expect(await rowCounts()).toEqual(before)
  expect(kickMailer).not.toHaveBeenCalled()
  expect(announced).toEqual([])
}

/** Runs a command that must succeed without writing anything (an idempotent repeat). */
async function expectNoChange<T>(action: () => Promise<T>) {
  const before = await rowCounts()
  const result = await action()
  expect(result).toMatchObject({ ok: true })
  expect(await rowCounts()).toEqual(before)
  return result
}

const NOT_FOUND = { reason: 'not_found', message: POST_MESSAGES.notFound }
const HIDDEN = { reason: 'hidden', message: POST_MESSAGES.hidden }
const SUPPORT_ONLY = { reason: 'forbidden', message: POST_MESSAGES.supportOnly }
const NOT_AUTHOR = { reason: 'forbidden', message: POST_MESSAGES.notAuthor }

/** The absolute tracking link of a post in an email's text. */
const trackingLink = (postId: string, anchor = '') =>
  new RegExp(`http://switchboard\\.test/posts/${postId}${anchor.replace('#', '\\#')}(?![\\w-])`)

// -- logProblem ----------------------------------------------------------------------

describe('logProblem', () => {
  it('stores the problem with its versions and tags, makes the author follow it, and acknowledges it with a tracking link', async () => {
    const author = await customer({ name: 'Alice Author' })
    const before = await rowCounts()
    const { result, announced } = await announcedBy(() =>
      logProblem(
        author,
        problemInput({ versionIds: [version(gateway, '4.1'), version(gateway, '4.2')] }),
      ),
    )
    const { id } = value(result)

    expect(await getPost(id)).toMatchObject({
      kind: 'problem',
      authorId: author.id,
      organizationId: author.organizationId,
      productId: gateway.id,
      problemId: null,
      title: 'Gateway drops TLS sessions after upgrade',
      body: 'Since 4.2 the gateway closes **TLS sessions** after about a minute.',
      state: 'open',
      visibility: 'community',
      meTooCount: 0,
      replyCount: 0,
      firstResponseAt: null,
      hiddenAt: null,
      editedAt: null,
    })
    const versionRows = await db.select().from(postVersions).where(eq(postVersions.postId, id))
    expect(versionRows.map((v) => v.versionId).sort()).toEqual(
      [version(gateway, '4.1'), version(gateway, '4.2')].sort(),
    )
    const tagRows = await db.select().from(postTags).where(eq(postTags.postId, id))
    expect(tagRows.map((t) => t.tag).sort()).toEqual(['tls', 'upgrade'])
    expect(await followers(id)).toEqual([author.id])

    const [ack, ...more] = await notificationsOf(author.id)
    expect(more).toEqual([])
    expect(ack).toMatchObject({
      event: 'problem_acknowledged',
      postId: id,
      actorId: author.id,
      summary: 'We received your problem “Gateway drops TLS sessions after upgrade”',
      path: `/posts/${id}`,
      delivery: 'immediately',
      readAt: null,
    })
    const [email, ...otherEmails] = await emailsTo(author.email)
    expect(otherEmails).toEqual([])
    expect(email!.subject).toBe(
      'We received your problem “Gateway drops TLS sessions after upgrade”',
    )
    expect(email!.status).toBe('pending')
    expect(email!.text).toMatch(trackingLink(id))
    expect(email!.text).toContain('Hello Alice Author,')
    expect(email!.html).toContain(`href="http://switchboard.test/posts/${id}"`)
    expect(kickMailer).toHaveBeenCalledTimes(1)
    expect(announced).toEqual([id])

    expect(await rowCounts()).toEqual({
      ...before,
      posts: before.posts + 1,
      postVersions: before.postVersions + 2,
      postTags: before.postTags + 2,
      follows: before.follows + 1,
      notifications: before.notifications + 1,
      outbox: before.outbox + 1,
    })
  })

  it('stores the author’s own workaround in the same transaction, without counting it as a response', async () => {
    const author = await customer()
    const { id } = value(
      await logProblem(
        author,
        problemInput({ workaround: 'Pin the cipher suite to **AES-GCM**.' }),
      ),
    )
    const children = await db.select().from(posts).where(eq(posts.problemId, id))
    expect(children).toHaveLength(1)
    expect(children[0]).toMatchObject({
      kind: 'workaround',
      authorId: author.id,
      organizationId: author.organizationId,
      productId: gateway.id,
      title: null,
      body: 'Pin the cipher suite to **AES-GCM**.',
      visibility: 'community',
      acceptedAt: null,
    })
    // Solving it alone is not somebody answering: it stays open for the queue.
    expect(await getPost(id)).toMatchObject({ state: 'open', firstResponseAt: null })
    expect(await notificationsOf(author.id)).toHaveLength(1)
  })

  it('writes nothing at all when the workaround cannot be stored (one transaction)', async () => {
    const author = await customer()
    const before = await rowCounts()
    // PostgreSQL refuses NUL in text (the form schema refuses it first): the
    // insert of the workaround fails after the problem's rows were written.
    await expect(
      logProblem(author, problemInput({ workaround: 'bad \u0000 byte' })),
    ).rejects.toThrow()
    expect(await rowCounts()).toEqual(before)
    expect(kickMailer).not.toHaveBeenCalled()
  })

  it('refuses an unknown product', async () => {
    const author = await customer()
    await expectFailure(
      () => logProblem(author, problemInput({ productId: 'no-such-product', versionIds: [] })),
      {
        reason: 'invalid_product',
        message: POST_MESSAGES.productNotFound,
        field: 'productId',
      },
    )
  })

  it('refuses a version of another product', async () => {
    const author = await customer()
    await expectFailure(
      () =>
        logProblem(
          author,
          problemInput({ versionIds: [version(gateway, '4.2'), version(ledger, '2.0')] }),
        ),
      { reason: 'invalid_version', message: POST_MESSAGES.versionNotFound, field: 'versionIds' },
    )
    await expectFailure(
      () => logProblem(author, problemInput({ versionIds: ['no-such-version'] })),
      {
        reason: 'invalid_version',
        message: POST_MESSAGES.versionNotFound,
        field: 'versionIds',
      },
    )
  })

  it('refuses a retired version', async () => {
    const legacy = await createProduct({
      name: 'Legacy',
      slug: unique('legacy'),
      versions: ['1.0', '2.0'],
    })
    await db
      .update(productVersions)
      .set({ retiredAt: new Date() })
      .where(eq(productVersions.id, version(legacy, '1.0')))
    const author = await customer()
    await expectFailure(
      () =>
        logProblem(
          author,
          problemInput({
            productId: legacy.id,
            versionIds: [version(legacy, '2.0'), version(legacy, '1.0')],
          }),
        ),
      {
        reason: 'retired_version',
        message: 'Version 1.0 is retired; choose a current version.',
        field: 'versionIds',
      },
    )
    expect(POST_MESSAGES.retiredVersion('1.0')).toBe(
      'Version 1.0 is retired; choose a current version.',
    )
    // Moving away from a retired version is what migrations are for; moving to one is refused.
    const away = await planMigration(
      author,
      migrationInput({
        productId: legacy.id,
        fromVersionId: version(legacy, '1.0'),
        toVersionId: version(legacy, '2.0'),
      }),
    )
    expect(away.ok).toBe(true)
    await expectFailure(
      () =>
        planMigration(
          author,
          migrationInput({
            productId: legacy.id,
            fromVersionId: version(legacy, '2.0'),
            toVersionId: version(legacy, '1.0'),
          }),
        ),
      { reason: 'invalid_version', message: POST_MESSAGES.versionNotFound, field: 'toVersionId' },
    )
  })

  it('returns the first post for a repeated submission key, and writes nothing more', async () => {
    const author = await customer()
    const submissionKey = unique('form')
    const first = value(await logProblem(author, problemInput({ submissionKey })))
    const again = await expectNoChange(() =>
      logProblem(author, problemInput({ submissionKey, title: 'Typed again' })),
    )
    expect(again).toEqual({ ok: true, value: { id: first.id } })
    // The key is per author: someone else's form with the same key is a new post.
    const other = await customer()
    const theirs = value(await logProblem(other, problemInput({ submissionKey })))
    expect(theirs.id).not.toBe(first.id)
  })

  it('creates one post when the same form is submitted twice at once', async () => {
    const author = await customer()
    const submissionKey = unique('form')
    const results = await Promise.all([
      logProblem(author, problemInput({ submissionKey })),
      logProblem(author, problemInput({ submissionKey })),
      logProblem(author, problemInput({ submissionKey })),
    ])
    const ids = results.map((r) => value(r).id)
    expect(new Set(ids).size).toBe(1)
    const rows = await db.select().from(posts).where(eq(posts.authorId, author.id))
    expect(rows.map((r) => r.id)).toEqual([ids[0]])
    expect(await notificationsOf(author.id)).toHaveLength(1)
    expect(await emailsTo(author.email)).toHaveLength(1)
  })
})

// -- workarounds ----------------------------------------------------------------------

describe('addWorkaround', () => {
  it('moves an open problem to answered when someone else posts one, and tells the followers', async () => {
    const author = await customer({ name: 'Alice Author' })
    const problemId = await newProblem(author)
    const helper = await customer({ name: 'Hank Helper' })
    const before = await getPost(problemId)
    const { result, announced } = await announcedBy(() =>
      addWorkaround(helper, problemId, { body: 'Raise the session timeout.' }),
    )
    const { id, problemId: returnedProblem } = value(result)
    expect(returnedProblem).toBe(problemId)

    expect(await getPost(id)).toMatchObject({
      kind: 'workaround',
      problemId,
      authorId: helper.id,
      organizationId: helper.organizationId,
      productId: gateway.id,
      title: null,
      body: 'Raise the session timeout.',
      visibility: 'community',
    })
    const after = await getPost(problemId)
    expect(after.state).toBe('answered')
    expect(after.firstResponseAt).toBeInstanceOf(Date)
    expect(after.lastActivityAt.getTime()).toBeGreaterThanOrEqual(before.lastActivityAt.getTime())
    expect(await followers(problemId)).toEqual([author.id, helper.id].sort())
    expect(announced.sort()).toEqual([id, problemId].sort())

    const [note] = await notificationsOf(author.id, 'workaround')
    expect(note).toMatchObject({
      actorId: helper.id,
      postId: problemId,
      summary: 'Hank Helper posted a workaround for “Gateway drops TLS sessions after upgrade”',
      path: `/posts/${problemId}#workaround-${id}`,
    })
    const email = (await emailsTo(author.email)).find((e) => e.subject.startsWith('Hank Helper'))
    expect(email?.text).toMatch(trackingLink(problemId, `#workaround-${id}`))
    // The actor is not told about their own workaround.
    expect(await notificationsOf(helper.id)).toEqual([])
  })

  it('keeps the problem open, and the first response unset, when the author adds one', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    await newWorkaround(author, problemId)
    expect(await getPost(problemId)).toMatchObject({ state: 'open', firstResponseAt: null })
    expect(await notificationsOf(author.id, 'workaround')).toEqual([])
  })

  it('keeps the first response time, and a solved state, when more workarounds come', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const first = await newWorkaround(await customer(), problemId)
    const respondedAt = (await getPost(problemId)).firstResponseAt
    value(await acceptWorkaround(author, first))
    await newWorkaround(await customer(), problemId)
    expect(await getPost(problemId)).toMatchObject({
      state: 'solved',
      firstResponseAt: respondedAt,
    })
  })

  it('gives a workaround on a staff-only problem the problem’s visibility', async () => {
    const author = await customer()
    const support = await supportEngineer()
    const problemId = await newProblem(author)
    value(await setPostVisibility(support, problemId, 'staff'))
    const { id } = value(
      await addWorkaround(support, problemId, { body: 'Internal: hotfix 4.2.1 fixes it.' }),
    )
    expect((await getPost(id)).visibility).toBe('staff')
  })

  it('refuses a hidden problem, to its author and to support; others cannot find it', async () => {
    const author = await customer()
    const support = await supportEngineer()
    const problemId = await newProblem(author)
    value(await setPostHidden(support, problemId, { reason: 'Contains a customer password.' }))
    await expectFailure(() => addWorkaround(author, problemId, { body: 'Mine.' }), HIDDEN)
    await expectFailure(() => addWorkaround(support, problemId, { body: 'Ours.' }), HIDDEN)
    await expectFailure(
      async () => addWorkaround(await customer(), problemId, { body: 'Theirs.' }),
      NOT_FOUND,
    )
  })

  it('refuses what is not a problem, and a post that does not exist', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(author, problemId)
    const storyId = value(await writeStory(author, storyInput())).id
    const expected = { reason: 'not_problem', message: POST_MESSAGES.notProblem }
    await expectFailure(
      () => addWorkaround(author, workaroundId, { body: 'On a workaround.' }),
      expected,
    )
    await expectFailure(() => addWorkaround(author, storyId, { body: 'On a story.' }), expected)
    await expectFailure(
      () => addWorkaround(author, 'no-such-post', { body: 'Nowhere.' }),
      NOT_FOUND,
    )
    await expectFailure(
      () => addWorkaround(author, 'x'.repeat(65), { body: 'Too long an id.' }),
      NOT_FOUND,
    )
  })

  it('creates one workaround for a double-submitted form', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const helper = await customer()
    const submissionKey = unique('form')
    const results = await Promise.all([
      addWorkaround(helper, problemId, { body: 'Once.', submissionKey }),
      addWorkaround(helper, problemId, { body: 'Once.', submissionKey }),
    ])
    expect(value(results[0]!)).toEqual(value(results[1]!))
    expect(await db.select().from(posts).where(eq(posts.problemId, problemId))).toHaveLength(1)
    expect(await notificationsOf(author.id, 'workaround')).toHaveLength(1)
  })
})

describe('acceptWorkaround', () => {
  it('lets the problem’s author accept one: the problem is solved, the helper and the followers are told', async () => {
    const author = await customer({ name: 'Alice Author' })
    const problemId = await newProblem(author)
    const helper = await customer({ name: 'Hank Helper' })
    const follower = await customer({ name: 'Fay Follower' })
    value(await toggleFollow(follower, problemId))
    const workaroundId = await newWorkaround(helper, problemId)

    const { result, announced } = await announcedBy(() => acceptWorkaround(author, workaroundId))
    expect(result).toEqual({ ok: true, value: { problemId } })
    expect(await getPost(workaroundId)).toMatchObject({ acceptedById: author.id })
    expect((await getPost(workaroundId)).acceptedAt).toBeInstanceOf(Date)
    expect((await getPost(problemId)).state).toBe('solved')
    expect(announced.sort()).toEqual([problemId, workaroundId].sort())
    expect(await auditOf(workaroundId)).toEqual([
      { action: 'workaround.accept', actorId: author.id, details: { problemId, replaced: [] } },
    ])
    for (const person of [helper, follower]) {
      const [note] = await notificationsOf(person.id, 'workaround_accepted')
      expect(note).toMatchObject({
        summary: 'A workaround was accepted for “Gateway drops TLS sessions after upgrade”',
        path: `/posts/${problemId}#workaround-${workaroundId}`,
      })
    }
    expect(await notificationsOf(author.id, 'workaround_accepted')).toEqual([])
  })

  it('lets support accept one', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(await customer(), problemId)
    const support = await supportEngineer()
    value(await acceptWorkaround(support, workaroundId))
    expect(await getPost(workaroundId)).toMatchObject({ acceptedById: support.id })
    expect((await getPost(problemId)).state).toBe('solved')
  })

  it('refuses a third customer, even one who may see the problem', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(await customer(), problemId)
    const expected = { reason: 'forbidden', message: POST_MESSAGES.acceptNotAllowed }
    await expectFailure(async () => acceptWorkaround(await customer(), workaroundId), expected)
    await expectFailure(
      async () => acceptWorkaround(await colleagueOf(author), workaroundId),
      expected,
    )
    expect((await getPost(problemId)).state).toBe('answered')
  })

  it('replaces an earlier acceptance, and does nothing when accepted again', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const first = await newWorkaround(await customer(), problemId, 'First idea.')
    const second = await newWorkaround(await customer(), problemId, 'Better idea.')
    value(await acceptWorkaround(author, first))
    value(await acceptWorkaround(author, second))
    expect((await getPost(first)).acceptedAt).toBeNull()
    expect((await getPost(first)).acceptedById).toBeNull()
    expect((await getPost(second)).acceptedAt).toBeInstanceOf(Date)
    expect((await auditOf(second))[0]?.details).toEqual({ problemId, replaced: [first] })
    await expectNoChange(() => acceptWorkaround(author, second))
  })

  it('leaves exactly one accepted workaround when two are accepted at the same moment', async () => {
    const author = await customer()
    const support = await supportEngineer()
    // Several problems at once, so the races really overlap on PostgreSQL.
    const cases = await Promise.all(
      [1, 2, 3].map(async () => {
        const problemId = await newProblem(author)
        const a = await newWorkaround(await customer(), problemId, 'A.')
        const b = await newWorkaround(await customer(), problemId, 'B.')
        return { problemId, a, b }
      }),
    )
    const results = await Promise.all(
      cases.flatMap(({ a, b }) => [acceptWorkaround(author, a), acceptWorkaround(support, b)]),
    )
    expect(results.every((r) => r.ok)).toBe(true)
    for (const { problemId, a, b } of cases) {
      const rows = await db.select().from(posts).where(eq(posts.problemId, problemId))
      const accepted = rows.filter((r) => r.acceptedAt)
      expect(accepted).toHaveLength(1)
      expect([a, b]).toContain(accepted[0]!.id)
      expect((await getPost(problemId)).state).toBe('solved')
    }
  })

  it('refuses a hidden workaround, and what is not a workaround', async () => {
    const author = await customer()
    const support = await supportEngineer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(await customer(), problemId)
    value(await setPostHidden(support, workaroundId, { reason: 'Dangerous advice.' }))
    await expectFailure(() => acceptWorkaround(support, workaroundId), HIDDEN)
    // The problem's author may not see someone else's hidden workaround.
    await expectFailure(() => acceptWorkaround(author, workaroundId), NOT_FOUND)
    const notWorkaround = { reason: 'not_workaround', message: POST_MESSAGES.notWorkaround }
    await expectFailure(() => acceptWorkaround(author, problemId), notWorkaround)
    await expectFailure(() => acceptWorkaround(author, 'no-such-post'), NOT_FOUND)
  })

  it('refuses on a hidden problem', async () => {
    const author = await customer()
    const support = await supportEngineer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(await customer(), problemId)
    value(await setPostHidden(support, problemId, { reason: 'Off topic.' }))
    await expectFailure(() => acceptWorkaround(author, workaroundId), HIDDEN)
    await expectFailure(() => acceptWorkaround(support, workaroundId), HIDDEN)
  })
})

describe('withdrawAcceptance', () => {
  it('puts the problem back to answered when someone else had responded', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(await customer(), problemId)
    value(await acceptWorkaround(author, workaroundId))
    const { result, announced } = await announcedBy(() => withdrawAcceptance(author, workaroundId))
    expect(result).toEqual({ ok: true, value: { problemId } })
    expect(await getPost(workaroundId)).toMatchObject({ acceptedAt: null, acceptedById: null })
    expect((await getPost(problemId)).state).toBe('answered')
    expect(announced.sort()).toEqual([problemId, workaroundId].sort())
    expect((await auditOf(workaroundId)).map((a) => a.action)).toEqual([
      'workaround.accept',
      'workaround.unaccept',
    ])
  })

  it('puts the problem back to open when only its author had answered it; support may withdraw too', async () => {
    const author = await customer()
    const problemId = await newProblem(author, { workaround: 'Restart nightly.' })
    const [own] = await db.select().from(posts).where(eq(posts.problemId, problemId))
    value(await acceptWorkaround(author, own!.id))
    expect((await getPost(problemId)).state).toBe('solved')
    value(await withdrawAcceptance(await supportEngineer(), own!.id))
    expect((await getPost(problemId)).state).toBe('open')
  })

  it('refuses a third customer, and does nothing for a workaround that is not accepted', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(await customer(), problemId)
    await expectNoChange(() => withdrawAcceptance(author, workaroundId))
    value(await acceptWorkaround(author, workaroundId))
    await expectFailure(async () => withdrawAcceptance(await customer(), workaroundId), {
      reason: 'forbidden',
      message: POST_MESSAGES.acceptNotAllowed,
    })
    await expectFailure(() => withdrawAcceptance(author, problemId), {
      reason: 'not_workaround',
      message: POST_MESSAGES.notWorkaround,
    })
    expect((await getPost(problemId)).state).toBe('solved')
  })
})

describe('setWorkaroundVerified', () => {
  it('lets support verify a workaround (the helper and followers are told) and take the mark back', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const helper = await customer()
    const workaroundId = await newWorkaround(helper, problemId)
    const support = await supportEngineer({ role: 'admin' })

    value(await setWorkaroundVerified(support, workaroundId, true))
    expect(await getPost(workaroundId)).toMatchObject({ verifiedById: support.id })
    expect((await getPost(workaroundId)).verifiedAt).toBeInstanceOf(Date)
    for (const person of [author, helper]) {
      expect(await notificationsOf(person.id, 'workaround_verified')).toMatchObject([
        {
          summary: 'Support verified a workaround for “Gateway drops TLS sessions after upgrade”',
          path: `/posts/${problemId}#workaround-${workaroundId}`,
        },
      ])
    }
    // Verifying is not accepting.
    expect((await getPost(problemId)).state).toBe('answered')
    await expectNoChange(() => setWorkaroundVerified(support, workaroundId, true))

    value(await setWorkaroundVerified(support, workaroundId, false))
    expect(await getPost(workaroundId)).toMatchObject({ verifiedAt: null, verifiedById: null })
    expect((await auditOf(workaroundId)).map((a) => a.action)).toEqual([
      'workaround.verify',
      'workaround.unverify',
    ])
    expect(await notificationsOf(author.id, 'workaround_verified')).toHaveLength(1)
  })

  it('refuses customers, even the problem’s author', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(await customer(), problemId)
    await expectFailure(() => setWorkaroundVerified(author, workaroundId, true), SUPPORT_ONLY)
  })

  it('refuses what is not a workaround', async () => {
    const problemId = await newProblem(await customer())
    await expectFailure(
      async () => setWorkaroundVerified(await supportEngineer(), problemId, true),
      {
        reason: 'not_workaround',
        message: POST_MESSAGES.notWorkaround,
      },
    )
  })
})

// -- stories and migrations ---------------------------------------------------------------

describe('writeStory', () => {
  it('stores a story linked to the problem it overcame, and the author follows it', async () => {
    const author = await customer()
    const problemId = await newProblem(await customer())
    const { result, announced } = await announcedBy(() =>
      writeStory(author, storyInput({ relatedPostId: problemId, tags: ['tls', 'win'] })),
    )
    const { id } = value(result)
    expect(await getPost(id)).toMatchObject({
      kind: 'story',
      authorId: author.id,
      organizationId: author.organizationId,
      title: 'We cut our TLS errors to zero',
      relatedPostId: problemId,
      state: null,
      visibility: 'community',
    })
    const tags = await db.select().from(postTags).where(eq(postTags.postId, id))
    expect(tags.map((t) => t.tag).sort()).toEqual(['tls', 'win'])
    const versions = await db.select().from(postVersions).where(eq(postVersions.postId, id))
    expect(versions.map((v) => v.versionId)).toEqual([version(gateway, '5.0')])
    expect(await followers(id)).toEqual([author.id])
    expect(announced).toEqual([id])
  })

  it('links a story to a migration', async () => {
    const author = await customer()
    const migrationId = await newMigration(author)
    const { id } = value(await writeStory(author, storyInput({ relatedPostId: migrationId })))
    expect((await getPost(id)).relatedPostId).toBe(migrationId)
  })

  it('refuses a link to anything but a problem or migration the author may see', async () => {
    const author = await customer()
    const support = await supportEngineer()
    const problemId = await newProblem(await customer())
    const workaroundId = await newWorkaround(await customer(), problemId)
    const otherStory = value(await writeStory(await customer(), storyInput())).id
    const staffOnly = await newProblem(await customer())
    value(await setPostVisibility(support, staffOnly, 'staff'))
    const hidden = await newProblem(await customer())
    value(await setPostHidden(support, hidden, { reason: 'Spam.' }))
    const expected = {
      reason: 'related_not_found',
      message: POST_MESSAGES.relatedNotFound,
      field: 'relatedPostId',
    }
    for (const relatedPostId of [workaroundId, otherStory, staffOnly, hidden, 'no-such-post']) {
      await expectFailure(() => writeStory(author, storyInput({ relatedPostId })), expected)
    }
    // Support sees the staff-only problem and may link to it.
    value(await writeStory(support, storyInput({ relatedPostId: staffOnly })))
  })

  it('refuses an unknown product or a version of another product', async () => {
    const author = await customer()
    await expectFailure(
      () => writeStory(author, storyInput({ productId: 'nope', versionIds: [] })),
      {
        reason: 'invalid_product',
        message: POST_MESSAGES.productNotFound,
        field: 'productId',
      },
    )
    await expectFailure(
      () => writeStory(author, storyInput({ versionIds: [version(ledger, '1.0')] })),
      {
        reason: 'invalid_version',
        message: POST_MESSAGES.versionNotFound,
        field: 'versionIds',
      },
    )
  })

  it('creates one story for a double-submitted form', async () => {
    const author = await customer()
    const submissionKey = unique('form')
    const [a, b] = await Promise.all([
      writeStory(author, storyInput({ submissionKey })),
      writeStory(author, storyInput({ submissionKey })),
    ])
    expect(value(a!)).toEqual(value(b!))
    expect(await db.select().from(posts).where(eq(posts.authorId, author.id))).toHaveLength(1)
  })
})

describe('planMigration', () => {
  it('titles the plan “<Product> <from> → <to>” and stores its window, status and versions', async () => {
    const author = await customer()
    const { result, announced } = await announcedBy(() => planMigration(author, migrationInput()))
    const { id } = value(result)
    expect(await getPost(id)).toMatchObject({
      kind: 'migration',
      title: 'Gateway 4.2 → 5.0',
      body: 'Weekend cut-over.',
      fromVersionId: version(gateway, '4.2'),
      toVersionId: version(gateway, '5.0'),
      windowStart: '2031-03-01',
      windowEnd: '2031-03-15',
      migrationStatus: 'planned',
      state: null,
    })
    const versions = await db.select().from(postVersions).where(eq(postVersions.postId, id))
    expect(versions.map((v) => v.versionId).sort()).toEqual(
      [version(gateway, '4.2'), version(gateway, '5.0')].sort(),
    )
    expect(await followers(id)).toEqual([author.id])
    expect(announced).toEqual([id])
    const single = value(
      await planMigration(author, migrationInput({ windowEnd: undefined, status: 'in_progress' })),
    )
    expect(await getPost(single.id)).toMatchObject({
      windowEnd: null,
      migrationStatus: 'in_progress',
    })
  })

  it('refuses versions of another product, and an unknown product', async () => {
    const author = await customer()
    const wrongVersion = {
      reason: 'invalid_version',
      message: POST_MESSAGES.versionNotFound,
      field: 'toVersionId',
    }
    await expectFailure(
      () => planMigration(author, migrationInput({ toVersionId: version(ledger, '2.0') })),
      wrongVersion,
    )
    await expectFailure(
      () => planMigration(author, migrationInput({ fromVersionId: version(ledger, '1.0') })),
      wrongVersion,
    )
    await expectFailure(
      () => planMigration(author, migrationInput({ toVersionId: 'no-such-version' })),
      wrongVersion,
    )
    await expectFailure(
      () => planMigration(author, migrationInput({ productId: 'no-such-product' })),
      {
        reason: 'invalid_product',
        message: POST_MESSAGES.productNotFound,
        field: 'productId',
      },
    )
  })

  it('refuses a move to the version it starts from', async () => {
    const author = await customer()
    await expectFailure(
      () => planMigration(author, migrationInput({ toVersionId: version(gateway, '4.2') })),
      { reason: 'same_version', message: POST_MESSAGES.sameVersion, field: 'toVersionId' },
    )
  })

  it('returns the first plan for a repeated submission key', async () => {
    const author = await customer()
    const submissionKey = unique('form')
    const first = value(await planMigration(author, migrationInput({ submissionKey })))
    const again = await expectNoChange(() =>
      planMigration(author, migrationInput({ submissionKey })),
    )
    expect(again).toEqual({ ok: true, value: first })
  })
})

describe('setMigrationStatus', () => {
  it('lets the author change the status; followers get a migration_status notification', async () => {
    const author = await customer({ name: 'Alice Author' })
    const migrationId = await newMigration(author)
    const follower = await customer()
    value(await toggleFollow(follower, migrationId))
    const { result, announced } = await announcedBy(() =>
      setMigrationStatus(author, migrationId, 'in_progress'),
    )
    expect(result).toEqual({ ok: true, value: { id: migrationId } })
    expect((await getPost(migrationId)).migrationStatus).toBe('in_progress')
    expect(announced).toEqual([migrationId])
    expect(await notificationsOf(follower.id, 'migration_status')).toMatchObject([
      {
        actorId: author.id,
        postId: migrationId,
        summary: '“Gateway 4.2 → 5.0” is now in progress',
        path: `/posts/${migrationId}`,
        // Status changes go into the daily digest by default: no email now.
        delivery: 'daily',
      },
    ])
    expect(await emailsTo(follower.email)).toEqual([])
    expect(await notificationsOf(author.id, 'migration_status')).toEqual([])
  })

  it('lets support change it, and does nothing when the status is the same', async () => {
    const author = await customer()
    const migrationId = await newMigration(author)
    const support = await supportEngineer()
    const statuses: MigrationStatus[] = ['postponed', 'rolled_back', 'done']
    for (const status of statuses) value(await setMigrationStatus(support, migrationId, status))
    expect((await getPost(migrationId)).migrationStatus).toBe('done')
    expect(await notificationsOf(author.id, 'migration_status')).toHaveLength(3)
    await expectNoChange(() => setMigrationStatus(author, migrationId, 'done'))
  })

  it('refuses other customers and what is not a migration plan', async () => {
    const author = await customer()
    const migrationId = await newMigration(author)
    await expectFailure(
      async () => setMigrationStatus(await colleagueOf(author), migrationId, 'done'),
      NOT_AUTHOR,
    )
    const problemId = await newProblem(author)
    await expectFailure(() => setMigrationStatus(author, problemId, 'done'), {
      reason: 'not_migration',
      message: POST_MESSAGES.notMigration,
    })
    await expectFailure(() => setMigrationStatus(author, 'no-such-post', 'done'), NOT_FOUND)
  })
})

// -- conversation ------------------------------------------------------------------------

describe('replyToPost', () => {
  it('counts the reply, answers an open problem, makes the replier follow, and tells the followers', async () => {
    const author = await customer({ name: 'Alice Author' })
    const problemId = await newProblem(author)
    const replier = await customer({ name: 'Rita Replier' })
    const { result, announced } = await announcedBy(() =>
      replyToPost(replier, problemId, { body: 'Which cipher suites do you use?' }),
    )
    const { id, postId } = value(result)
    expect(postId).toBe(problemId)
    expect(await getReplyRow(id)).toMatchObject({
      postId: problemId,
      authorId: replier.id,
      body: 'Which cipher suites do you use?',
      quotedReplyId: null,
      hiddenAt: null,
    })
    expect(await getPost(problemId)).toMatchObject({ replyCount: 1, state: 'answered' })
    expect((await getPost(problemId)).firstResponseAt).toBeInstanceOf(Date)
    expect(await followers(problemId)).toEqual([author.id, replier.id].sort())
    expect(announced).toEqual([problemId])
    expect(await notificationsOf(author.id, 'reply')).toMatchObject([
      {
        summary: 'Rita Replier replied to “Gateway drops TLS sessions after upgrade”',
        path: `/posts/${problemId}#reply-${id}`,
        delivery: 'immediately',
      },
    ])
    const email = (await emailsTo(author.email)).find((e) => e.subject.startsWith('Rita Replier'))
    expect(email?.text).toMatch(trackingLink(problemId, `#reply-${id}`))
  })

  it('keeps the problem open when its author replies, and quotes a reply of the same post', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const first = value(
      await replyToPost(author, problemId, { body: 'More details: it is on Linux.' }),
    ).id
    expect(await getPost(problemId)).toMatchObject({
      replyCount: 1,
      state: 'open',
      firstResponseAt: null,
    })
    const second = value(
      await replyToPost(author, problemId, { body: 'And on Windows.', quotedReplyId: first }),
    ).id
    expect((await getReplyRow(second)).quotedReplyId).toBe(first)
    expect((await getPost(problemId)).replyCount).toBe(2)
  })

  it('links replies on a workaround to its problem’s page', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const helper = await customer()
    const workaroundId = await newWorkaround(helper, problemId)
    const replier = await customer({ name: 'Rita Replier' })
    value(await replyToPost(replier, workaroundId, { body: 'Worked for me.' }))
    expect((await getPost(workaroundId)).replyCount).toBe(1)
    // Replies on a workaround do not count as answering the problem again.
    expect((await getPost(problemId)).replyCount).toBe(0)
    value(await replyToPost(helper, workaroundId, { body: 'Glad it helped.' }))
    const [note] = await notificationsOf(replier.id, 'reply')
    expect(note?.summary).toBe(`${helper.name} replied to a workaround`)
    expect(note?.path).toMatch(new RegExp(`^/posts/${problemId}#reply-[a-z2-7]{16}$`))
  })

  it('refuses a quote from another post', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const elsewhere = await newProblem(author)
    const foreign = value(await replyToPost(author, elsewhere, { body: 'Elsewhere.' })).id
    const expected = { reason: 'quoted_not_found', message: POST_MESSAGES.quotedNotFound }
    await expectFailure(
      () => replyToPost(author, problemId, { body: 'Quoting.', quotedReplyId: foreign }),
      expected,
    )
    await expectFailure(
      () => replyToPost(author, problemId, { body: 'Quoting.', quotedReplyId: 'nope' }),
      expected,
    )
  })

  it('refuses a hidden post; others cannot find it', async () => {
    const author = await customer()
    const support = await supportEngineer()
    const problemId = await newProblem(author)
    value(await setPostHidden(support, problemId, { reason: 'Duplicate.' }))
    await expectFailure(() => replyToPost(author, problemId, { body: 'Why?' }), HIDDEN)
    await expectFailure(() => replyToPost(support, problemId, { body: 'Because.' }), HIDDEN)
    await expectFailure(
      async () => replyToPost(await customer(), problemId, { body: 'Hello?' }),
      NOT_FOUND,
    )
  })

  it('stores one reply for a double-submitted form, also at the same moment', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const replier = await customer()
    const submissionKey = unique('form')
    const results = await Promise.all([
      replyToPost(replier, problemId, { body: 'Same reply.', submissionKey }),
      replyToPost(replier, problemId, { body: 'Same reply.', submissionKey }),
    ])
    expect(value(results[0]!)).toEqual(value(results[1]!))
    const again = await expectNoChange(() =>
      replyToPost(replier, problemId, { body: 'Same reply.', submissionKey }),
    )
    expect(again).toEqual(results[0])
    expect(await db.select().from(replies).where(eq(replies.postId, problemId))).toHaveLength(1)
    expect((await getPost(problemId)).replyCount).toBe(1)
    expect(await notificationsOf(author.id, 'reply')).toHaveLength(1)
  })
})

describe('editPost', () => {
  it('lets the author edit, keeping each earlier version with its own time', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const created = (await getPost(problemId)).createdAt
    const { result, announced } = await announcedBy(() =>
      editPost(author, problemId, {
        title: 'Gateway drops TLS sessions',
        body: 'Second text.',
        tags: ['tls', 'gateway'],
      }),
    )
    expect(result).toEqual({ ok: true, value: { id: problemId, problemId: null } })
    expect(announced).toEqual([problemId])
    const edited = await getPost(problemId)
    expect(edited).toMatchObject({ title: 'Gateway drops TLS sessions', body: 'Second text.' })
    expect(edited.editedAt).toBeInstanceOf(Date)
    const tags = await db.select().from(postTags).where(eq(postTags.postId, problemId))
    expect(tags.map((t) => t.tag).sort()).toEqual(['gateway', 'tls'])

    value(await editPost(author, problemId, { body: 'Third text.' }))
    const history = await db
      .select()
      .from(revisions)
      .where(eq(revisions.postId, problemId))
      .orderBy(revisions.replacedAt)
    expect(history).toMatchObject([
      {
        title: 'Gateway drops TLS sessions after upgrade',
        body: 'Since 4.2 the gateway closes **TLS sessions** after about a minute.',
        authorId: author.id,
        replyId: null,
        createdAt: created,
      },
      { title: 'Gateway drops TLS sessions', body: 'Second text.', createdAt: edited.editedAt },
    ])
    // The title is kept when none is given; the tags too.
    expect(await getPost(problemId)).toMatchObject({
      title: 'Gateway drops TLS sessions',
      body: 'Third text.',
    })
    expect(await db.select().from(postTags).where(eq(postTags.postId, problemId))).toHaveLength(2)
  })

  it('keeps a workaround untitled and a migration’s title generated', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(author, problemId)
    const result = await editPost(author, workaroundId, {
      title: 'Sneaky title',
      body: 'Better steps.',
    })
    expect(result).toEqual({ ok: true, value: { id: workaroundId, problemId } })
    expect(await getPost(workaroundId)).toMatchObject({ title: null, body: 'Better steps.' })
    const migrationId = await newMigration(author)
    value(await editPost(author, migrationId, { title: 'Renamed', body: 'New notes.' }))
    expect(await getPost(migrationId)).toMatchObject({
      title: 'Gateway 4.2 → 5.0',
      body: 'New notes.',
    })
  })

  it('writes no revision when nothing changed', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const post = await getPost(problemId)
    await expectNoChange(() => editPost(author, problemId, { title: post.title!, body: post.body }))
    expect((await getPost(problemId)).editedAt).toBeNull()
  })

  it('refuses anyone but the author, support included', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    for (const actor of [await colleagueOf(author), await customer(), await supportEngineer()]) {
      await expectFailure(() => editPost(actor, problemId, { body: 'Vandalised.' }), NOT_AUTHOR)
    }
    await expectFailure(() => editPost(author, 'no-such-post', { body: 'Nothing.' }), NOT_FOUND)
  })
})

describe('editReply', () => {
  it('lets the author edit a reply, keeping the earlier text', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const replier = await customer()
    const replyId = value(await replyToPost(replier, problemId, { body: 'First words.' })).id
    const created = (await getReplyRow(replyId)).createdAt
    const result = await editReply(replier, replyId, 'Better words.')
    expect(result).toEqual({ ok: true, value: { postId: problemId } })
    const reply = await getReplyRow(replyId)
    expect(reply.body).toBe('Better words.')
    expect(reply.editedAt).toBeInstanceOf(Date)
    expect(await db.select().from(revisions).where(eq(revisions.replyId, replyId))).toMatchObject([
      { postId: null, title: null, body: 'First words.', authorId: replier.id, createdAt: created },
    ])
    await expectNoChange(() => editReply(replier, replyId, 'Better words.'))
  })

  it('refuses anyone but the author, and a reply that does not exist', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const replyId = value(await replyToPost(author, problemId, { body: 'Mine.' })).id
    await expectFailure(
      async () => editReply(await supportEngineer(), replyId, 'Edited by support.'),
      NOT_AUTHOR,
    )
    await expectFailure(
      async () => editReply(await colleagueOf(author), replyId, 'Edited by a colleague.'),
      NOT_AUTHOR,
    )
    await expectFailure(() => editReply(author, 'no-such-reply', 'Nothing.'), {
      reason: 'not_found',
      message: POST_MESSAGES.replyNotFound,
    })
  })

  it('does not let others find a hidden reply', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const replier = await customer()
    const replyId = value(await replyToPost(replier, problemId, { body: 'Rude words.' })).id
    value(await setReplyHidden(await supportEngineer(), replyId, { reason: 'Be kind.' }))
    await expectFailure(() => editReply(author, replyId, 'Changed.'), {
      reason: 'not_found',
      message: POST_MESSAGES.replyNotFound,
    })
    // Its author may still correct it.
    value(await editReply(replier, replyId, 'Kind words.'))
  })
})

// -- moderation ----------------------------------------------------------------------------

describe('setPostHidden', () => {
  it('lets support hide a post with a reason the author is told, and show it again', async () => {
    const author = await customer({ name: 'Alice Author' })
    const problemId = await newProblem(author)
    const support = await supportEngineer()
    const { result, announced } = await announcedBy(() =>
      setPostHidden(support, problemId, { reason: 'It shows a customer’s password.' }),
    )
    expect(result).toEqual({ ok: true, value: { id: problemId, problemId: null } })
    expect(await getPost(problemId)).toMatchObject({
      hiddenById: support.id,
      hiddenReason: 'It shows a customer’s password.',
    })
    expect((await getPost(problemId)).hiddenAt).toBeInstanceOf(Date)
    expect(announced).toEqual([problemId])
    expect(await notificationsOf(author.id, 'post_hidden')).toMatchObject([
      {
        actorId: support.id,
        postId: problemId,
        summary: 'Support hid your “Gateway drops TLS sessions after upgrade”',
        path: `/posts/${problemId}`,
      },
    ])
    const email = (await emailsTo(author.email)).find((e) => e.subject.startsWith('Support hid'))
    expect(email?.text).toContain('The reason given: It shows a customer’s password.')
    expect(email?.text).toMatch(trackingLink(problemId))

    value(await setPostHidden(support, problemId, null))
    expect(await getPost(problemId)).toMatchObject({
      hiddenAt: null,
      hiddenById: null,
      hiddenReason: null,
    })
    expect((await auditOf(problemId)).map((a) => [a.action, a.details])).toEqual([
      ['post.hide', { reason: 'It shows a customer’s password.' }],
      ['post.unhide', {}],
    ])
    // Showing it again is not news for the author.
    expect(await notificationsOf(author.id, 'post_hidden')).toHaveLength(1)
  })

  it('tells the author of a hidden workaround, linking to the problem', async () => {
    const helper = await customer()
    const problemId = await newProblem(await customer())
    const workaroundId = await newWorkaround(helper, problemId)
    const result = await setPostHidden(await supportEngineer(), workaroundId, { reason: 'Unsafe.' })
    expect(result).toEqual({ ok: true, value: { id: workaroundId, problemId } })
    expect(await notificationsOf(helper.id, 'post_hidden')).toMatchObject([
      { summary: 'Support hid your workaround', path: `/posts/${problemId}` },
    ])
  })

  it('refuses customers, the author included, and a post that does not exist', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    await expectFailure(
      () => setPostHidden(author, problemId, { reason: 'Hide mine.' }),
      SUPPORT_ONLY,
    )
    await expectFailure(async () => setPostHidden(await customer(), problemId, null), SUPPORT_ONLY)
    await expectFailure(
      async () => setPostHidden(await supportEngineer(), 'no-such-post', { reason: 'Gone.' }),
      NOT_FOUND,
    )
  })
})

describe('setReplyHidden', () => {
  it('lets support hide a reply with a reason its author is told, and show it again', async () => {
    const problemId = await newProblem(await customer())
    const replier = await customer()
    const replyId = value(await replyToPost(replier, problemId, { body: 'Buy my product!' })).id
    const support = await supportEngineer()
    const result = await setReplyHidden(support, replyId, { reason: 'Advertising.' })
    expect(result).toEqual({ ok: true, value: { postId: problemId } })
    expect(await getReplyRow(replyId)).toMatchObject({
      hiddenById: support.id,
      hiddenReason: 'Advertising.',
    })
    expect(await notificationsOf(replier.id, 'post_hidden')).toMatchObject([
      {
        summary: 'Support hid your reply on “Gateway drops TLS sessions after upgrade”',
        path: `/posts/${problemId}#reply-${replyId}`,
      },
    ])
    const email = (await emailsTo(replier.email)).find((e) => e.subject.startsWith('Support hid'))
    expect(email?.text).toContain('The reason given: Advertising.')

    value(await setReplyHidden(support, replyId, null))
    expect(await getReplyRow(replyId)).toMatchObject({
      hiddenAt: null,
      hiddenById: null,
      hiddenReason: null,
    })
    expect((await auditOf(replyId)).map((a) => a.action)).toEqual(['reply.hide', 'reply.unhide'])
  })

  it('refuses customers, and a reply that does not exist', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const replyId = value(await replyToPost(author, problemId, { body: 'Mine.' })).id
    await expectFailure(() => setReplyHidden(author, replyId, { reason: 'Hide it.' }), SUPPORT_ONLY)
    await expectFailure(
      async () => setReplyHidden(await supportEngineer(), 'no-such-reply', { reason: 'Gone.' }),
      {
        reason: 'not_found',
        message: POST_MESSAGES.replyNotFound,
      },
    )
  })
})

describe('setPostVisibility', () => {
  it('makes a problem and its workarounds staff-only, and community again', async () => {
    const author = await customer()
    const problemId = await newProblem(author, { workaround: 'Mine.' })
    const theirs = await newWorkaround(await customer(), problemId)
    const otherProblem = await newProblem(author)
    const support = await supportEngineer()
    const { result, announced } = await announcedBy(() =>
      setPostVisibility(support, problemId, 'staff'),
    )
    expect(result).toEqual({ ok: true, value: { id: problemId } })
    const family = await db
      .select()
      .from(posts)
      .where(sql`${posts.id} = ${problemId} or ${posts.problemId} = ${problemId}`)
    expect(family).toHaveLength(3)
    expect(family.every((p) => p.visibility === 'staff')).toBe(true)
    expect(announced.sort()).toEqual(family.map((p) => p.id).sort())
    expect((await getPost(otherProblem)).visibility).toBe('community')
    expect(await auditOf(problemId)).toMatchObject([
      { action: 'post.visibility', details: { visibility: 'staff' } },
    ])

    value(await setPostVisibility(support, problemId, 'community'))
    expect((await getPost(theirs)).visibility).toBe('community')
    expect((await getPost(problemId)).visibility).toBe('community')
  })

  it('changes only the post itself when it is not a problem', async () => {
    const author = await customer()
    const storyId = value(await writeStory(author, storyInput())).id
    value(await setPostVisibility(await supportEngineer({ role: 'admin' }), storyId, 'staff'))
    expect((await getPost(storyId)).visibility).toBe('staff')
  })

  it('refuses customers', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    await expectFailure(() => setPostVisibility(author, problemId, 'staff'), SUPPORT_ONLY)
  })
})

// -- me too and follow -----------------------------------------------------------------------

describe('toggleMeToo', () => {
  it('counts a customer’s “me too” and takes it back; pressing it follows the problem', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const other = await customer()
    const { result, announced } = await announcedBy(() => toggleMeToo(other, problemId))
    expect(result).toEqual({ ok: true, value: { meToo: true, count: 1 } })
    expect(announced).toEqual([problemId])
    expect((await getPost(problemId)).meTooCount).toBe(1)
    expect(await db.select().from(meToos).where(eq(meToos.postId, problemId))).toMatchObject([
      { userId: other.id },
    ])
    expect(await followers(problemId)).toContain(other.id)

    expect(await toggleMeToo(await colleagueOf(author), problemId)).toEqual({
      ok: true,
      value: { meToo: true, count: 2 },
    })
    expect(await toggleMeToo(other, problemId)).toEqual({
      ok: true,
      value: { meToo: false, count: 1 },
    })
    expect((await getPost(problemId)).meTooCount).toBe(1)
    // Taking it back does not unfollow: that is the follow button's job.
    expect(await followers(problemId)).toContain(other.id)
  })

  it('keeps the count right when many press it at once', async () => {
    const problemId = await newProblem(await customer())
    const people = await Promise.all([1, 2, 3, 4].map(() => customer()))
    const results = await Promise.all(people.map((p) => toggleMeToo(p, problemId)))
    expect(results.every((r) => r.ok)).toBe(true)
    expect((await getPost(problemId)).meTooCount).toBe(4)
    expect(await db.select().from(meToos).where(eq(meToos.postId, problemId))).toHaveLength(4)
  })

  it('refuses the author, support and what is not a problem', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    await expectFailure(() => toggleMeToo(author, problemId), {
      reason: 'own_problem',
      message: POST_MESSAGES.ownProblemMeToo,
    })
    for (const role of ['support', 'admin'] as const) {
      await expectFailure(async () => toggleMeToo(await supportEngineer({ role }), problemId), {
        reason: 'forbidden',
        message: POST_MESSAGES.staffMeToo,
      })
    }
    const migrationId = await newMigration(author)
    await expectFailure(async () => toggleMeToo(await customer(), migrationId), {
      reason: 'not_problem',
      message: POST_MESSAGES.notProblem,
    })
    await expectFailure(async () => toggleMeToo(await customer(), 'no-such-post'), NOT_FOUND)
  })
})

describe('toggleFollow', () => {
  it('follows and unfollows; following a workaround follows its problem', async () => {
    const author = await customer()
    const problemId = await newProblem(author)
    const workaroundId = await newWorkaround(author, problemId)
    const reader = await customer()
    expect(await toggleFollow(reader, problemId)).toEqual({ ok: true, value: { following: true } })
    expect(await followers(problemId)).toEqual([author.id, reader.id].sort())
    expect(await toggleFollow(reader, workaroundId)).toEqual({
      ok: true,
      value: { following: false },
    })
    expect(await followers(problemId)).toEqual([author.id])
    expect(await followers(workaroundId)).toEqual([])
    // The author may stop following their own problem too.
    expect(await toggleFollow(author, problemId)).toEqual({ ok: true, value: { following: false } })
  })

  it('cannot follow what one may not see', async () => {
    const problemId = await newProblem(await customer())
    value(await setPostVisibility(await supportEngineer(), problemId, 'staff'))
    await expectFailure(async () => toggleFollow(await customer(), problemId), NOT_FOUND)
    await expectFailure(async () => toggleFollow(await customer(), 'no-such-post'), NOT_FOUND)
  })
})
