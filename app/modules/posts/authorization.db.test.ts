/**
 * Who may read and do what to a post: a matrix of five people against five
 * kinds of post, for every read and every command of the posts module.
 *
 * People (columns): the customer who wrote the post, a colleague in the same
 * organization (the one a private post is shared with), another colleague
 * it is not shared with, a customer of another organization, a support
 * engineer and an admin.
 *
 * Posts (rows of each table), each in a small "world" of its own:
 * - community: a problem by the author, with a workaround by the other
 *   customer, a reply by the author, a "me too" by the colleague and an
 *   earlier version of its text;
 * - staffOnly: the same, made staff-only by support (its workaround follows);
 * - hidden: the same, hidden by support;
 * - workaroundOnStaffOnly: the author's workaround (with a reply) on support's
 *   staff-only problem;
 * - workaroundOnHidden: the author's workaround (with a reply) on the other
 *   customer's problem, which support hid;
 * - private: the author's private problem shared with sameOrg only, with
 *   the author's own workaround.
 *
 * The rule under test: customers never reach staff-only posts (but their
 * author keeps reading and answering them), nor private posts not shared
 * with them, nor hidden posts they did not write (nor anything under them), through any page,
 * list, count, feed or notification; staff-only details (who pressed
 * "me too", earlier versions) never reach customers. A refused command
 * writes nothing.
 *
 * Worlds are inserted directly (fast, and exactly the state described);
 * every command that is expected to succeed gets a fresh world, every
 * refusal runs against a shared one and must leave every table as it was.
 */
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import {
  auditLog,
  follows,
  meToos,
  notifications,
  outbox,
  postReaders,
  posts,
  postTags,
  postVersions,
  replies,
  revisions,
  type Visibility,
} from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import type * as EmailModule from '~/modules/email/email.server'
import { kickMailer } from '~/modules/email/email.server'
import { followersWhoMaySee } from '~/modules/notifications/notifications.server'
import { newId, type Result } from '~/utils/result'
import { actorOf, createOrganization, createProduct, createUser } from '#tests/factories'
import { countRows } from '#tests/row-counts'
import {
  getOwnPostForEdit,
  getPersonPage,
  getPostPage,
  getProductPage,
  getReply,
  listActivity,
  listFeedSolutions,
  listRevisions,
} from './post-queries.server'
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
} from './posts.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

beforeEach(() => {
  vi.mocked(kickMailer).mockClear()
})

// -- people and worlds -------------------------------------------------------------

const ROLES = ['author', 'sameOrg', 'unchosen', 'otherOrg', 'support', 'admin'] as const
type RoleName = (typeof ROLES)[number]
type People = Record<RoleName, Actor>

const SUBJECTS = [
  'community',
  'staffOnly',
  'hidden',
  'workaroundOnStaffOnly',
  'workaroundOnHidden',
  'private',
] as const
type Subject = (typeof SUBJECTS)[number]

/** Names that must never show up in a customer's reads (the colleague presses "me too"). */
const ME_TOO_NAME = 'Sol SameOrg'
const EARLIER_TEXT = 'EARLIER TEXT that only support may read'

async function makePeople(): Promise<People> {
  const customerOrg = await createOrganization()
  const otherOrg = await createOrganization()
  const vendor = await createOrganization({ isVendor: true })
  const person = async (
    name: string,
    role: 'customer' | 'support' | 'admin',
    organizationId: string,
  ) => actorOf(await createUser({ name, role, organizationId }))
  return {
    author: await person('Ann Author', 'customer', customerOrg.id),
    sameOrg: await person(ME_TOO_NAME, 'customer', customerOrg.id),
    unchosen: await person('Uma Unchosen', 'customer', customerOrg.id),
    otherOrg: await person('Otto OtherOrg', 'customer', otherOrg.id),
    support: await person('Sue Support', 'support', vendor.id),
    admin: await person('Adam Admin', 'admin', vendor.id),
  }
}

type Product = Awaited<ReturnType<typeof createProduct>>

let serial = 0
async function newProduct() {
  const slug = `authz-${Date.now().toString(36)}-${++serial}`
  return createProduct({ name: `Product ${slug}`, slug, versions: ['1.0', '2.0'] })
}

type World = {
  subject: Subject
  productSlug: string
  /** The post the table is about (a problem, or a workaround). */
  postId: string
  /** The page it is shown on: the problem itself, or the workaround's problem. */
  pagePostId: string
  /** The workaround in this world (the subject itself for workaround subjects). */
  workaroundId: string
  /** A reply by the author, on the subject post. */
  replyId: string
  visibility: Visibility
  /** Every post id of the world. */
  ids: string[]
}

type WorldOptions = { accepted?: boolean; verified?: boolean }

/**
 * Inserts one world as the app would have left it (counts, states and
 * follows in step). `accepted` and `verified` mark its workaround.
 */
async function buildWorld(
  subject: Subject,
  people: People,
  options: WorldOptions = {},
  product?: Product,
): Promise<World> {
  const { author, sameOrg, otherOrg, support } = people
  product ??= await newProduct()
  const now = new Date()
  const earlier = new Date(now.getTime() - 60 * 60_000)
  const base = { productId: product.id, createdAt: earlier, updatedAt: now, lastActivityAt: now }
  const hidden = { hiddenAt: now, hiddenById: support.id, hiddenReason: 'Contains a password.' }
  const marks = (acceptedById: string) => ({
    ...(options.accepted ? { acceptedAt: now, acceptedById } : {}),
    ...(options.verified ? { verifiedAt: now, verifiedById: support.id } : {}),
  })
  const state = options.accepted ? ('solved' as const) : ('answered' as const)
  const problemId = newId()
  const workaroundId = newId()
  const replyId = newId()

  let problem: typeof posts.$inferInsert
  let workaround: typeof posts.$inferInsert
  let subjectPost: string
  if (subject === 'private') {
    // The author's private problem, shared with sameOrg (not unchosen), with the author's own workaround.
    problem = {
      ...base,
      id: problemId,
      kind: 'problem',
      authorId: author.id,
      organizationId: author.organizationId,
      title: 'A private problem',
      body: 'Current text.',
      state,
      visibility: 'private',
      meTooCount: 1,
      replyCount: 1,
      firstResponseAt: now,
      editedAt: now,
    }
    workaround = {
      ...base,
      id: workaroundId,
      kind: 'workaround',
      authorId: author.id,
      organizationId: author.organizationId,
      problemId,
      body: 'Restart the service.',
      visibility: 'private',
      ...marks(author.id),
    }
    subjectPost = problemId
  } else if (subject === 'community' || subject === 'staffOnly' || subject === 'hidden') {
    const visibility: Visibility = subject === 'staffOnly' ? 'staff' : 'community'
    problem = {
      ...base,
      id: problemId,
      kind: 'problem',
      authorId: author.id,
      organizationId: author.organizationId,
      title: `A ${subject} problem`,
      body: 'Current text.',
      state,
      visibility,
      meTooCount: 1,
      replyCount: 1,
      firstResponseAt: now,
      editedAt: now,
      ...(subject === 'hidden' ? hidden : {}),
    }
    workaround = {
      ...base,
      id: workaroundId,
      kind: 'workaround',
      authorId: otherOrg.id,
      organizationId: otherOrg.organizationId,
      problemId,
      body: 'Restart the service.',
      visibility,
      ...marks(author.id),
    }
    subjectPost = problemId
  } else {
    const onStaffOnly = subject === 'workaroundOnStaffOnly'
    const problemAuthor = onStaffOnly ? support : otherOrg
    const visibility: Visibility = onStaffOnly ? 'staff' : 'community'
    problem = {
      ...base,
      id: problemId,
      kind: 'problem',
      authorId: problemAuthor.id,
      organizationId: problemAuthor.organizationId,
      title: `A problem under a ${subject}`,
      body: 'Current text.',
      state,
      visibility,
      firstResponseAt: now,
      ...(onStaffOnly ? {} : hidden),
    }
    workaround = {
      ...base,
      id: workaroundId,
      kind: 'workaround',
      authorId: author.id,
      organizationId: author.organizationId,
      problemId,
      body: 'Current text.',
      visibility,
      replyCount: 1,
      editedAt: now,
      ...marks(problemAuthor.id),
    }
    subjectPost = workaroundId
  }
  await db.insert(posts).values([problem, workaround])
  if (subject === 'private') {
    await db.insert(postReaders).values({ postId: problemId, userId: sameOrg.id })
  }
  await db.insert(postVersions).values({ postId: problemId, versionId: product.versions[0]!.id })
  await db.insert(replies).values({
    id: replyId,
    postId: subjectPost,
    authorId: author.id,
    body: 'A reply by the author.',
    createdAt: now,
    updatedAt: now,
  })
  await db.insert(revisions).values({
    id: newId(),
    postId: subjectPost,
    title: subjectPost === problemId ? problem.title : null,
    body: EARLIER_TEXT,
    authorId: author.id,
    createdAt: earlier,
  })
  if (subjectPost === problemId)
    await db.insert(meToos).values({ postId: problemId, userId: sameOrg.id })
  // Everyone follows everything here, so that any leak through notifications shows.
  const followed = [...new Set([problemId, subjectPost])]
  await db
    .insert(follows)
    .values(
      followed.flatMap((postId) => ROLES.map((role) => ({ postId, userId: people[role].id }))),
    )
  return {
    subject,
    productSlug: product.slug,
    postId: subjectPost,
    pagePostId: problemId,
    workaroundId,
    replyId,
    visibility: subjectPost === problemId ? problem.visibility! : workaround.visibility!,
    ids: [problemId, workaroundId],
  }
}

/** Customers who may open the page of each world; staff may open every page. */
const MAY_OPEN: Record<Subject, RoleName[]> = {
  community: ['author', 'sameOrg', 'unchosen', 'otherOrg'],
  // An author keeps reading and answering their own post when support makes it staff-only.
  staffOnly: ['author'],
  hidden: ['author'],
  workaroundOnStaffOnly: [],
  // The other customer wrote the hidden problem, so still sees its page.
  workaroundOnHidden: ['otherOrg'],
  // Shared with one colleague (sameOrg), not the other (unchosen).
  private: ['author', 'sameOrg'],
}
const CUSTOMERS = ['author', 'sameOrg', 'unchosen', 'otherOrg'] as const

// -- database state -------------------------------------------------------------------

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
  postReaders,
}

/** The first row of a raw query: postgres.js answers an array of rows, PGlite an object with `rows`. */
function firstRow<T>(result: unknown): T {
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows
  return rows[0] as T
}

const rowCounts = () => countRows(TABLES)

/** Notifications about anything in `world`, and emails, that reached `people`. */
async function newsFor(world: World, people: Actor[]) {
  if (!people.length) return { notifications: 0, emails: 0 }
  const userIds = inArray(
    notifications.userId,
    people.map((p) => p.id),
  )
  const addresses = inArray(
    outbox.toAddress,
    people.map((p) => p.email),
  )
  return firstRow<{ notifications: number; emails: number }>(
    await db.execute(sql`select
      (select count(*) from ${notifications} where ${inArray(notifications.postId, world.ids)} and ${userIds})::int as notifications,
      (select count(*) from ${outbox} where ${addresses})::int as emails`),
  )
}

// -- outcomes ---------------------------------------------------------------------------

type MessageKey = keyof typeof POST_MESSAGES
type Outcome = 'ok' | MessageKey

const REASONS: Record<MessageKey, string> = {
  notFound: 'not_found',
  replyNotFound: 'not_found',
  productNotFound: 'invalid_product',
  versionNotFound: 'invalid_version',
  notAuthor: 'forbidden',
  supportOnly: 'forbidden',
  notProblem: 'not_problem',
  notWorkaround: 'not_workaround',
  notMigration: 'not_migration',
  acceptNotAllowed: 'forbidden',
  hidden: 'hidden',
  ownProblemMeToo: 'own_problem',
  staffMeToo: 'forbidden',
  relatedNotFound: 'related_not_found',
  quotedNotFound: 'quoted_not_found',
  sameVersion: 'same_version',
  retiredVersion: 'retired_version',
  readerNotColleague: 'invalid_reader',
  privateProblemsOnly: 'not_problem',
}

/** 'ok', or the key of the exact message with its expected reason; anything else as it came. */
function outcomeOf(result: Result<unknown>): string {
  if (result.ok) return 'ok'
  const key = (Object.keys(POST_MESSAGES) as MessageKey[]).find(
    (k) => POST_MESSAGES[k] === result.message && REASONS[k] === result.reason,
  )
  return key ?? `${result.reason}: ${result.message}`
}

// Short names so that the tables below line up.
const NF: Outcome = 'notFound'
const RNF: Outcome = 'replyNotFound'
const HID: Outcome = 'hidden'
const ok: Outcome = 'ok'

type Row = [author: Outcome, sameOrg: Outcome, unchosen: Outcome, otherOrg: Outcome, support: Outcome, admin: Outcome]

type WriteCase = {
  command: string
  run: (actor: Actor, world: World) => Promise<Result<unknown>>
  /** How the world looks before the command (default: nothing accepted or verified). */
  world?: WorldOptions
} & Record<Subject, Row>

// -- the write matrix -----------------------------------------------------------------------
// prettier-ignore
const WRITES: WriteCase[] = [
  //                                       author              sameOrg             otherOrg            support        admin
  {
    command: 'addWorkaround',
    run: (actor, w) => addWorkaround(actor, w.postId, { body: 'Another way round it.' }),
    community:                            [ok, ok, ok, ok, ok, ok],
    staffOnly:                            [ok, NF, NF, NF, ok, ok],
    hidden:                               [HID, NF, NF, NF, HID, HID],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, 'notProblem', 'notProblem'],
    workaroundOnHidden:                   [NF, NF, NF, 'notProblem', 'notProblem', 'notProblem'],
    private:                              [ok, ok, NF, NF, ok, ok],
  },
  {
    command: 'acceptWorkaround',
    run: (actor, w) => acceptWorkaround(actor, w.workaroundId),
    community:                            [ok, 'acceptNotAllowed', 'acceptNotAllowed', 'acceptNotAllowed', ok, ok],
    staffOnly:                            [ok, NF, NF, NF, ok, ok],
    hidden:                               [HID, NF, NF, NF, HID, HID],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, ok, ok],
    workaroundOnHidden:                   [NF, NF, NF, HID, HID, HID],
    private:                              [ok, 'acceptNotAllowed', NF, NF, ok, ok],
  },
  {
    command: 'withdrawAcceptance',
    run: (actor, w) => withdrawAcceptance(actor, w.workaroundId),
    world: { accepted: true },
    community:                            [ok, 'acceptNotAllowed', 'acceptNotAllowed', 'acceptNotAllowed', ok, ok],
    staffOnly:                            [ok, NF, NF, NF, ok, ok],
    hidden:                               [ok, NF, NF, NF, ok, ok],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, ok, ok],
    workaroundOnHidden:                   [NF, NF, NF, ok, ok, ok],
    private:                              [ok, 'acceptNotAllowed', NF, NF, ok, ok],
  },
  {
    command: 'setWorkaroundVerified',
    run: (actor, w) => setWorkaroundVerified(actor, w.workaroundId, true),
    community:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    staffOnly:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    hidden:                               ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnStaffOnly:                ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnHidden:                   ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    private:                              ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
  },
  {
    command: 'writeStory (linked to the post)',
    run: async (actor, w) => {
      const [post] = await db.select({ productId: posts.productId }).from(posts).where(eq(posts.id, w.postId))
      return writeStory(actor, {
        title: 'How we got past it',
        body: 'A story.',
        productId: post!.productId,
        versionIds: [],
        tags: [],
        relatedPostId: w.postId,
      })
    },
    community:                            [ok, ok, ok, ok, ok, ok],
    staffOnly:                            [ok, 'relatedNotFound', 'relatedNotFound', 'relatedNotFound', ok, ok],
    hidden:                               [ok, 'relatedNotFound', 'relatedNotFound', 'relatedNotFound', ok, ok],
    workaroundOnStaffOnly:                ['relatedNotFound', 'relatedNotFound', 'relatedNotFound', 'relatedNotFound', 'relatedNotFound', 'relatedNotFound'],
    workaroundOnHidden:                   ['relatedNotFound', 'relatedNotFound', 'relatedNotFound', 'relatedNotFound', 'relatedNotFound', 'relatedNotFound'],
    private:                              [ok, ok, 'relatedNotFound', 'relatedNotFound', ok, ok],
  },
  {
    command: 'setMigrationStatus',
    run: (actor, w) => setMigrationStatus(actor, w.postId, 'done'),
    community:                            ['notMigration', 'notMigration', 'notMigration', 'notMigration', 'notMigration', 'notMigration'],
    staffOnly:                            ['notMigration', NF, NF, NF, 'notMigration', 'notMigration'],
    hidden:                               ['notMigration', NF, NF, NF, 'notMigration', 'notMigration'],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, 'notMigration', 'notMigration'],
    workaroundOnHidden:                   [NF, NF, NF, 'notMigration', 'notMigration', 'notMigration'],
    private:                              ['notMigration', 'notMigration', NF, NF, 'notMigration', 'notMigration'],
  },
  {
    command: 'replyToPost',
    run: (actor, w) => replyToPost(actor, w.postId, { body: 'A reply.' }),
    community:                            [ok, ok, ok, ok, ok, ok],
    staffOnly:                            [ok, NF, NF, NF, ok, ok],
    hidden:                               [HID, NF, NF, NF, HID, HID],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, ok, ok],
    workaroundOnHidden:                   [NF, NF, NF, ok, ok, ok],
    private:                              [ok, ok, NF, NF, ok, ok],
  },
  {
    command: 'editPost',
    run: (actor, w) => editPost(actor, w.postId, { title: 'Edited title', body: 'Edited text.' }),
    community:                            [ok, 'notAuthor', 'notAuthor', 'notAuthor', 'notAuthor', 'notAuthor'],
    staffOnly:                            [ok, NF, NF, NF, 'notAuthor', 'notAuthor'],
    hidden:                               [ok, NF, NF, NF, 'notAuthor', 'notAuthor'],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, 'notAuthor', 'notAuthor'],
    workaroundOnHidden:                   [NF, NF, NF, 'notAuthor', 'notAuthor', 'notAuthor'],
    private:                              [ok, 'notAuthor', NF, NF, 'notAuthor', 'notAuthor'],
  },
  {
    command: 'editReply',
    run: (actor, w) => editReply(actor, w.replyId, 'Edited reply.'),
    community:                            [ok, 'notAuthor', 'notAuthor', 'notAuthor', 'notAuthor', 'notAuthor'],
    staffOnly:                            [ok, RNF, RNF, RNF, 'notAuthor', 'notAuthor'],
    hidden:                               [ok, RNF, RNF, RNF, 'notAuthor', 'notAuthor'],
    workaroundOnStaffOnly:                [RNF, RNF, RNF, RNF, 'notAuthor', 'notAuthor'],
    workaroundOnHidden:                   [RNF, RNF, RNF, 'notAuthor', 'notAuthor', 'notAuthor'],
    private:                              [ok, 'notAuthor', RNF, RNF, 'notAuthor', 'notAuthor'],
  },
  {
    command: 'setPostHidden (hide)',
    run: (actor, w) => setPostHidden(actor, w.postId, { reason: 'Moderated.' }),
    community:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    staffOnly:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    hidden:                               ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnStaffOnly:                ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnHidden:                   ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    private:                              ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
  },
  {
    command: 'setPostHidden (show again)',
    run: (actor, w) => setPostHidden(actor, w.postId, null),
    community:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    staffOnly:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    hidden:                               ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnStaffOnly:                ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnHidden:                   ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    private:                              ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
  },
  {
    command: 'setReplyHidden',
    run: (actor, w) => setReplyHidden(actor, w.replyId, { reason: 'Moderated.' }),
    community:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    staffOnly:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    hidden:                               ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnStaffOnly:                ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnHidden:                   ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    private:                              ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
  },
  {
    command: 'setPostVisibility (flip)',
    run: (actor, w) => setPostVisibility(actor, w.postId, w.visibility === 'staff' ? 'community' : 'staff'),
    community:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    staffOnly:                            ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    hidden:                               ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnStaffOnly:                ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    workaroundOnHidden:                   ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
    private:                              ['supportOnly', 'supportOnly', 'supportOnly', 'supportOnly', ok, ok],
  },
  {
    command: 'toggleMeToo',
    run: (actor, w) => toggleMeToo(actor, w.postId),
    community:                            ['ownProblemMeToo', ok, ok, ok, 'staffMeToo', 'staffMeToo'],
    staffOnly:                            ['ownProblemMeToo', NF, NF, NF, 'staffMeToo', 'staffMeToo'],
    hidden:                               ['ownProblemMeToo', NF, NF, NF, 'staffMeToo', 'staffMeToo'],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, 'staffMeToo', 'staffMeToo'],
    workaroundOnHidden:                   [NF, NF, NF, 'notProblem', 'staffMeToo', 'staffMeToo'],
    private:                              ['ownProblemMeToo', ok, NF, NF, 'staffMeToo', 'staffMeToo'],
  },
  {
    command: 'toggleFollow',
    run: (actor, w) => toggleFollow(actor, w.postId),
    community:                            [ok, ok, ok, ok, ok, ok],
    staffOnly:                            [ok, NF, NF, NF, ok, ok],
    hidden:                               [ok, NF, NF, NF, ok, ok],
    workaroundOnStaffOnly:                [NF, NF, NF, NF, ok, ok],
    workaroundOnHidden:                   [NF, NF, NF, ok, ok, ok],
    private:                              [ok, ok, NF, NF, ok, ok],
  },
]

describe('who may do what (writes)', () => {
  let people: People
  let product: Product
  /** Shared worlds for refusals, by subject and by world options. */
  const shared = new Map<string, World>()
  const sharedWorld = async (subject: Subject, options: WorldOptions = {}) => {
    const key = `${subject}:${JSON.stringify(options)}`
    if (!shared.has(key)) shared.set(key, await buildWorld(subject, people, options, product))
    return shared.get(key)!
  }

  beforeAll(async () => {
    people = await makePeople()
    product = await newProduct()
  })

  describe.each(WRITES)('$command', (testCase) => {
    it.each(SUBJECTS)('on a %s post', async (subject) => {
      const expected = testCase[subject]
      const actual: string[] = []
      // Refusals first, all on the same world: together they must write nothing.
      const refused = ROLES.filter((_, i) => expected[i] !== 'ok')
      if (refused.length) {
        const world = await sharedWorld(subject, testCase.world)
        const before = await rowCounts()
        for (const role of refused)
          actual[ROLES.indexOf(role)] = outcomeOf(await testCase.run(people[role], world))
        expect(await rowCounts(), `a refusal (${refused.join(', ')}) wrote something`).toEqual(
          before,
        )
      }
      // Each success on a fresh world; nobody who may not open its page hears of it.
      const mayNotOpen = CUSTOMERS.filter((c) => !MAY_OPEN[subject].includes(c)).map(
        (c) => people[c],
      )
      for (const role of ROLES.filter((_, i) => expected[i] === 'ok')) {
        const world = await buildWorld(subject, people, testCase.world, product)
        const before = await newsFor(world, mayNotOpen)
        actual[ROLES.indexOf(role)] = outcomeOf(await testCase.run(people[role], world))
        expect(
          await newsFor(world, mayNotOpen),
          `${role}: news reached customers who may not open it`,
        ).toEqual(before)
      }
      expect(actual).toEqual(expected)
    })
  })

  it('lets every signed-in person log a problem, plan a migration and write a story', async () => {
    const product = await newProduct()
    const [from, to] = product.versions
    const actual = []
    for (const role of ROLES) {
      const actor = people[role]
      const problem = await logProblem(actor, {
        title: 'A new problem',
        body: 'Text.',
        productId: product.id,
        versionIds: [from!.id],
        tags: [],
      })
      const migration = await planMigration(actor, {
        productId: product.id,
        fromVersionId: from!.id,
        toVersionId: to!.id,
        windowStart: '2099-01-01',
        status: 'planned',
        body: '',
      })
      const story = await writeStory(actor, {
        title: 'A story',
        body: 'Text.',
        productId: product.id,
        versionIds: [],
        tags: [],
      })
      actual.push([outcomeOf(problem), outcomeOf(migration), outcomeOf(story)])
    }
    expect(actual).toEqual(ROLES.map(() => ['ok', 'ok', 'ok']))
  })
})

// -- the read matrix ------------------------------------------------------------------------

type Sees = [author: boolean, sameOrg: boolean, unchosen: boolean, otherOrg: boolean, support: boolean, admin: boolean]
type ReadContext = { people: People; world: World; told: World }
type ReadCase = {
  read: string
  /** Does this read give `actor` anything of the world? */
  probe: (actor: Actor, context: ReadContext) => Promise<boolean>
} & Record<Subject, Sees>

const Y = true
const N = false

/** Whether any of these lists holds anything (each world has a product of its own). */
const anyItems = (...lists: { items: unknown[] }[]) => lists.some((l) => l.items.length > 0)

// prettier-ignore
const READS: ReadCase[] = [
  //                                                   author sameOrg otherOrg support admin
  {
    read: 'getPostPage',
    probe: async (actor, { world }) => (await getPostPage(actor, world.postId)) !== null,
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [Y, N, N, N, Y, Y],
    hidden:                                           [Y, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, Y, Y, Y],
    private:                                          [Y, Y, N, N, Y, Y],
  },
  {
    // Lists leave hidden posts out for everyone; a workaround under one's own hidden problem still shows.
    read: 'listActivity (its product)',
    probe: async (actor, { world }) => anyItems(await listActivity(actor, { productSlug: world.productSlug })),
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [Y, N, N, N, Y, Y],
    hidden:                                           [Y, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, Y, Y, Y],
    private:                                          [Y, Y, N, N, Y, Y],
  },
  {
    read: 'getProductPage',
    probe: async (actor, { world }) => {
      const page = await getProductPage(actor, world.productSlug)
      return anyItems(page!.openProblems, page!.solutions, page!.stories, page!.migrations)
    },
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [Y, N, N, N, Y, Y],
    hidden:                                           [Y, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, Y, Y, Y],
    private:                                          [Y, Y, N, N, Y, Y],
  },
  {
    read: 'getPersonPage of the author (posts and accepted count)',
    probe: async (actor, { people }) => {
      const page = await getPersonPage(actor, people.author.id)
      return page!.posts.items.length > 0 || page!.postCount.value > 0 || page!.acceptedWorkarounds.value > 0
    },
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [Y, N, N, N, Y, Y],
    hidden:                                           [N, N, N, N, N, N],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, Y, Y, Y],
    private:                                          [Y, Y, N, N, Y, Y],
  },
  {
    read: 'listFeedSolutions (public, the same for all)',
    probe: async (_actor, { world }) => (await listFeedSolutions({ productSlug: world.productSlug })).length > 0,
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [N, N, N, N, N, N],
    hidden:                                           [N, N, N, N, N, N],
    workaroundOnStaffOnly:                            [N, N, N, N, N, N],
    workaroundOnHidden:                               [N, N, N, N, N, N],
    private:                                          [N, N, N, N, N, N],
  },
  {
    read: 'listRevisions',
    probe: async (actor, { world }) => ((await listRevisions(actor, world.postId))?.revisions.length ?? 0) > 0,
    community:                                        [N, N, N, N, Y, Y],
    staffOnly:                                        [N, N, N, N, Y, Y],
    hidden:                                           [N, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, N, Y, Y],
    private:                                          [N, N, N, N, Y, Y],
  },
  {
    read: 'staff-only details of the page (me-too names, revision count)',
    probe: async (actor, { world }) => (await getPostPage(actor, world.pagePostId))?.staffOnly != null,
    community:                                        [N, N, N, N, Y, Y],
    staffOnly:                                        [N, N, N, N, Y, Y],
    hidden:                                           [N, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, N, Y, Y],
    private:                                          [N, N, N, N, Y, Y],
  },
  {
    read: 'getReply (the author’s reply)',
    probe: async (actor, { world }) => (await getReply(actor, world.replyId)) !== null,
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [Y, N, N, N, Y, Y],
    hidden:                                           [Y, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, Y, Y, Y],
    private:                                          [Y, Y, N, N, Y, Y],
  },
  {
    read: 'getOwnPostForEdit',
    probe: async (actor, { world }) => (await getOwnPostForEdit(actor, world.postId)) !== null,
    community:                                        [Y, N, N, N, N, N],
    staffOnly:                                        [Y, N, N, N, N, N],
    hidden:                                           [Y, N, N, N, N, N],
    workaroundOnStaffOnly:                            [N, N, N, N, N, N],
    workaroundOnHidden:                               [N, N, N, N, N, N],
    private:                                          [Y, N, N, N, N, N],
  },
  {
    read: 'followersWhoMaySee (the page)',
    probe: async (actor, { world }) => (await followersWhoMaySee(db, world.pagePostId)).includes(actor.id),
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [Y, N, N, N, Y, Y],
    hidden:                                           [Y, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, Y, Y, Y],
    private:                                          [Y, Y, N, N, Y, Y],
  },
  {
    // Support (someone outside the table) verifies the world's workaround; who got a notification?
    read: 'notified when support verifies its workaround',
    probe: async (actor, { told }) => {
      const rows = await db
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(eq(notifications.userId, actor.id), inArray(notifications.postId, told.ids)))
      return rows.length > 0
    },
    community:                                        [Y, Y, Y, Y, Y, Y],
    staffOnly:                                        [Y, N, N, N, Y, Y],
    hidden:                                           [Y, N, N, N, Y, Y],
    workaroundOnStaffOnly:                            [N, N, N, N, Y, Y],
    workaroundOnHidden:                               [N, N, N, Y, Y, Y],
    private:                                          [Y, Y, N, N, Y, Y],
  },
]

describe('who may see what (reads)', () => {
  /** Each subject gets its own people, so that person pages and counts hold only that world. */
  const contexts = new Map<Subject, ReadContext>()

  beforeAll(async () => {
    const verifier = actorOf(await createUser({ role: 'support', name: 'Vera Verifier' }))
    for (const subject of SUBJECTS) {
      const people = await makePeople()
      const world = await buildWorld(subject, people, { accepted: true, verified: true })
      const told = await buildWorld(subject, people)
      const verified = await setWorkaroundVerified(verifier, told.workaroundId, true)
      if (!verified.ok) throw new Error(verified.message)
      contexts.set(subject, { people, world, told })
    }
  })

  describe.each(READS)('$read', (testCase) => {
    it.each(SUBJECTS)('of a %s post', async (subject) => {
      const context = contexts.get(subject)!
      const actual = await Promise.all(
        ROLES.map((role) => testCase.probe(context.people[role], context)),
      )
      expect(actual).toEqual(testCase[subject])
    })
  })

  it.each(SUBJECTS)(
    'lists nothing of a %s world that a customer may not open, and count only what they list',
    async (subject) => {
      const { people, world } = contexts.get(subject)!
      for (const role of CUSTOMERS) {
        const actor = people[role]
        const activity = await listActivity(actor, { productSlug: world.productSlug })
        const product = await getProductPage(actor, world.productSlug)
        const person = await getPersonPage(actor, people.author.id)
        const counted = [product!.openProblems, product!.solutions, product!.stories, product!.migrations]
        for (const list of counted) {
          expect(list.total, `${role}: a count differs from its list`).toEqual({ value: list.items.length, atLeast: false })
        }
        expect(person!.postCount, `${role}: the post count differs from the list`).toEqual({ value: person!.posts.items.length, atLeast: false })
        for (const list of [activity, ...counted, person!.posts]) {
          for (const item of list.items) {
            const page = await getPostPage(actor, item.problemId ?? item.id)
            expect(
              page,
              `${role} was listed ${item.kind} ${item.id} but may not open it`,
            ).not.toBeNull()
          }
        }
        const accepted = await db
          .select({ id: posts.id })
          .from(posts)
          .where(
            and(
              eq(posts.authorId, people.author.id),
              eq(posts.kind, 'workaround'),
              isNotNull(posts.acceptedAt),
            ),
          )
        const openable = []
        for (const row of accepted)
          if ((await getPostPage(actor, row.id)) !== null) openable.push(row.id)
        expect(
          person!.acceptedWorkarounds.value,
          `${role}: the accepted count includes what they may not open`,
        ).toBe(openable.length)
      }
    },
  )

  it.each(SUBJECTS)(
    'never gives a customer the “me too” names or the earlier text of a %s post',
    async (subject) => {
      const { people, world } = contexts.get(subject)!
      // A private post names whom it is shared with (sameOrg here, who also pressed "me too"): that list is
      // for its readers; the me-too names are what must not show.
      const pageOf = async (actor: Actor, id: string) => {
        const page = await getPostPage(actor, id)
        return page && 'sharedWith' in page ? { ...page, sharedWith: page.sharedWith?.length } : page
      }
      const readsOf = async (actor: Actor) =>
        JSON.stringify([
          await pageOf(actor, world.postId),
          await pageOf(actor, world.pagePostId),
          await listActivity(actor, { productSlug: world.productSlug }),
          await getProductPage(actor, world.productSlug),
          await getPersonPage(actor, people.author.id),
          await getReply(actor, world.replyId),
          await getOwnPostForEdit(actor, world.postId),
          await listRevisions(actor, world.postId),
        ])
      for (const role of CUSTOMERS) {
        const seen = await readsOf(people[role])
        expect(seen, role).not.toContain(ME_TOO_NAME)
        expect(seen, role).not.toContain(EARLIER_TEXT)
      }
      // Support does read them: the check above would notice them.
      const forSupport = await readsOf(people.support)
      expect(forSupport).toContain(EARLIER_TEXT)
      if (subject === 'community') expect(forSupport).toContain(ME_TOO_NAME)
    },
  )
})
