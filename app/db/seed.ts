/**
 * The demo world: a fictional vendor (Northwind Relay), its three products,
 * five customer organizations with about twenty people, and months of
 * activity — problems in every state, workarounds (accepted, verified),
 * success stories, migration plans over the next twelve weeks, replies and
 * "me too"s. Seeded on the first start on the embedded database (or with
 * SEED_DEMO=1), never on an existing world.
 *
 * Built with the test factories (tests/factories.ts): the posts are gathered
 * in one `PostBatch`, which keeps counters and states the way the commands
 * do, and written with a few multi-row inserts in the same transaction as
 * the people — fast on PGlite, and nothing half-seeded. It inserts directly:
 * no notifications, no emails, no audit entries.
 *
 * The words come from app/db/demo-content.ts; choices come from a seeded
 * generator, so every fresh start builds the same world, with dates placed
 * relative to the moment of seeding.
 */
import { count } from 'drizzle-orm'
import { createOrganization, createProduct, createUser, isoDate, PostBatch, type PostDraft } from '#tests/factories'
import { db, type Executor } from './client.server'
import { takeMigrationLock } from './migrate'
import { seedIntroductions } from './demo-introductions'
import { seedSignIns } from './demo-quiet'
import { seedStatusUpdates } from './demo-status-updates'
import {
  AUTHOR_ADDENDA,
  AUTHOR_THANKS,
  createRandom,
  CUSTOMER_REPLIES,
  DEMO_ACCOUNT_LINES,
  DEMO_ORGANIZATIONS,
  DEMO_PEOPLE,
  DEMO_PRODUCTS,
  HIDDEN_REPLY,
  HIDDEN_WORKAROUND,
  MIGRATION_REPLIES,
  MIGRATION_UPDATES,
  migrationNotes,
  POSTPONE_REASONS,
  PROBLEM_TEMPLATES,
  PRODUCT_CLI,
  PRODUCT_NAMES,
  type ProblemTemplate,
  type ProblemText,
  type ProductKey,
  type Random,
  type ReplyContext,
  STAFF_NOTES,
  STORY_REPLIES,
  STORY_TEMPLATES,
  type StoryTemplate,
  SUPPORT_FIRST_REPLIES,
  SUPPORT_FOLLOW_UPS,
  SUPPORT_MIGRATION_REPLIES,
  ticketFor,
  WORKAROUND_OPENERS,
  WORKAROUND_REPLIES,
  type OrgKey,
} from './demo-content'
import { type MigrationStatus, users } from './schema'

export const DEMO_ACCOUNTS = [
  { email: 'admin@vendor.test', name: 'Ada Admin', role: 'admin', org: 'vendor' },
  { email: 'support@vendor.test', name: 'Sam Support', role: 'support', org: 'vendor' },
  { email: 'alice@customer-a.test', name: 'Alice Andersen', role: 'customer', org: 'a' },
  { email: 'bob@customer-b.test', name: 'Bob Brennan', role: 'customer', org: 'b' },
  { email: 'carol@customer-c.test', name: 'Carol Castillo', role: 'customer', org: 'c' },
] as const

/** The demo accounts' interests (who writes about which product). */
const DEMO_FOCUS: Record<string, readonly ProductKey[]> = {
  'alice@customer-a.test': ['gateway', 'insight'],
  'bob@customer-b.test': ['sync', 'gateway'],
  'carol@customer-c.test': ['sync', 'insight'],
}

/**
 * Upcoming migration plans besides the demo accounts' own: organization,
 * product, from, to, the installation (when not the main one), status.
 * Several organizations make the same move (the radar's "connect them").
 */
const UPCOMING_MOVES: readonly [OrgKey, ProductKey, string, string, string | null, 'planned' | 'in_progress' | 'postponed'][] = [
  ['a', 'sync', '2.8', '3.0', null, 'planned'],
  ['a', 'sync', '2.7', '3.0', 'the disaster-recovery site', 'planned'],
  ['a', 'gateway', '4.2', '5.1', 'the partner-facing installation', 'planned'],
  ['a', 'gateway', '4.3', '5.1', 'the test and acceptance environments', 'in_progress'],
  ['a', 'insight', '11.1', '12.0', 'the US production cluster', 'planned'],
  ['b', 'gateway', '5.0', '5.1', 'the disaster-recovery site', 'planned'],
  ['b', 'gateway', '4.3', '5.1', 'the partner-facing installation', 'planned'],
  ['b', 'insight', '11.0', '12.0', 'the internal, staff-facing installation', 'postponed'],
  ['b', 'sync', '2.7', '3.0', 'the test and acceptance environments', 'in_progress'],
  ['b', 'sync', '2.8', '3.0', 'the EU production cluster', 'planned'],
  ['c', 'gateway', '5.0', '5.1', null, 'planned'],
  ['c', 'gateway', '4.3', '5.1', 'the disaster-recovery site', 'planned'],
  ['c', 'sync', '2.7', '3.0', 'the test and acceptance environments', 'planned'],
  ['c', 'sync', '2.8', '3.0', 'the US production cluster', 'planned'],
  ['c', 'insight', '11.0', '12.0', 'the EU production cluster', 'planned'],
  ['d', 'gateway', '4.3', '5.1', 'the US production cluster', 'in_progress'],
  ['d', 'gateway', '5.0', '5.1', 'the partner-facing installation', 'planned'],
  ['d', 'insight', '11.1', '12.0', 'the disaster-recovery site', 'planned'],
  ['d', 'sync', '2.7', '3.0', 'the test and acceptance environments', 'postponed'],
  ['d', 'sync', '2.8', '3.0', 'the EU production cluster', 'planned'],
  ['e', 'gateway', '5.0', '5.1', null, 'postponed'],
  ['e', 'insight', '11.1', '12.0', null, 'planned'],
  ['e', 'sync', '2.8', '3.0', 'the disaster-recovery site', 'planned'],
  ['e', 'insight', '11.0', '12.0', 'the partner-facing installation', 'planned'],
]

/** Migrations finished in the past months: organization, product, from, to, days ago. */
const DONE_MOVES: readonly [OrgKey, ProductKey, string, string, number][] = [
  ['a', 'sync', '2.7', '2.8', 150],
  ['c', 'gateway', '4.3', '5.0', 130],
  ['d', 'gateway', '5.0', '5.1', 45],
  ['d', 'insight', '11.1', '12.0', 28],
  ['b', 'insight', '11.0', '11.1', 170],
  ['e', 'sync', '2.8', '3.0', 85],
  ['c', 'sync', '2.7', '2.8', 110],
  ['a', 'gateway', '4.2', '4.3', 190],
]

/** Changing it changes the whole world; keep it fixed. */
const WORLD_SEED = 0x5ee_d2024
const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * Seeds the demo world if the database has no users yet. Returns the demo
 * accounts when it seeded, null when the world already existed.
 * `now` places the activity in time (default: the current time).
 *
 * Several processes may start at once on an empty database: the check and
 * the seed run in one transaction under the migration lock, so the first
 * seeds and the others, once it commits, find the world and leave it alone.
 */
export async function seedDemoIfEmpty({ password, now = new Date() }: { password: string; now?: Date }) {
  // Seeded already (every start but the first): no lock needed.
  if (await hasUsers(db)) return null
  const seeded = await db.transaction(async (tx) => {
    await takeMigrationLock(tx)
    // Checked again under the lock: another process may have seeded meanwhile.
    if (await hasUsers(tx)) return false
    const world = await createPeopleAndProducts(tx, password, now)
    const batch = new PostBatch({ now, products: Object.values(world.products) })
    new DemoWorldWriter(batch, world, now).write()
    await batch.flush(tx)
    await seedIntroductions(tx, { now })
    await seedStatusUpdates(tx, { now })
    await seedSignIns(tx)
    return true
  })
  return seeded ? DEMO_ACCOUNTS.map(({ email, role }) => ({ email, role })) : null
}

async function hasUsers(executor: Executor) {
  const [row] = await executor.select({ value: count() }).from(users)
  return (row?.value ?? 0) > 0
}

// ---------------------------------------------------------------------------
// People and products

type Person = {
  id: string
  name: string
  first: string
  email: string
  org: OrgKey
  organizationId: string
  role: 'customer' | 'support' | 'admin'
  focus: readonly ProductKey[]
  /** Quiet organizations: this person wrote nothing after this time. */
  silentAfter: Date | null
}

type Product = {
  key: ProductKey
  id: string
  name: string
  versions: { id: string; name: string; releasedAt: Date }[]
}

type World = {
  people: Person[]
  byEmail: (email: string) => Person
  products: Record<ProductKey, Product>
}

async function createPeopleAndProducts(tx: Executor, password: string, now: Date): Promise<World> {
  const orgIds = {} as Record<OrgKey, string>
  const silentAfter = {} as Record<OrgKey, Date | null>
  for (const org of DEMO_ORGANIZATIONS) {
    const created = await createOrganization({ name: org.name, domains: org.domains, isVendor: org.isVendor ?? false }, tx)
    orgIds[org.key] = created.id
    silentAfter[org.key] = org.quietForDays ? new Date(now.getTime() - org.quietForDays * DAY) : null
  }
  const joined = new Date(now.getTime() - 400 * DAY)
  const people: Person[] = []
  const everyone: { email: string; name: string; role: Person['role']; org: OrgKey; focus: readonly ProductKey[]; introductionsEnabled: boolean }[] = [
    ...DEMO_ACCOUNTS.map((a) => ({ ...a, focus: DEMO_FOCUS[a.email] ?? (['gateway', 'sync', 'insight'] as const), introductionsEnabled: true })),
    ...DEMO_PEOPLE.map((p) => ({ ...p, role: p.role ?? ('customer' as const), introductionsEnabled: p.introductionsEnabled ?? true })),
  ]
  for (const person of everyone) {
    const user = await createUser(
      {
        email: person.email,
        name: person.name,
        role: person.role,
        organizationId: orgIds[person.org],
        password,
        introductionsEnabled: person.introductionsEnabled,
        createdAt: joined,
      },
      tx,
    )
    people.push({
      id: user.id,
      name: user.name,
      first: user.name.split(' ')[0]!,
      email: user.email,
      org: person.org,
      organizationId: user.organizationId,
      role: user.role,
      focus: person.focus,
      silentAfter: silentAfter[person.org],
    })
  }
  const products = {} as Record<ProductKey, Product>
  for (const product of DEMO_PRODUCTS) {
    const created = await createProduct(
      {
        name: product.name,
        slug: product.slug,
        description: product.description,
        versions: product.versions.map((v) => ({ name: v.name, releasedOn: isoDate(new Date(now.getTime() - v.releasedDaysAgo * DAY)) })),
      },
      tx,
    )
    products[product.key] = {
      key: product.key,
      id: created.id,
      name: created.name,
      versions: created.versions.map((v, i) => ({
        id: v.id,
        name: v.name,
        releasedAt: new Date(now.getTime() - product.versions[i]!.releasedDaysAgo * DAY),
      })),
    }
  }
  const byEmail = (email: string) => {
    const person = people.find((p) => p.email === email)
    if (!person) throw new Error(`seed: no demo person ${email}`)
    return person
  }
  return { people, byEmail, products }
}

// ---------------------------------------------------------------------------
// Activity

type Outcome = 'open' | 'answered' | 'solved'

type Thread = {
  post: PostDraft
  template: ProblemTemplate
  text: ProblemText
  author: Person
  version: string
  accepted?: PostDraft
  /** Answered: the workaround waiting for acceptance. */
  pending?: PostDraft
}

type Plan = {
  post: PostDraft
  author: Person
  product: ProductKey
  to: string
  status: MigrationStatus
  windowEnd: Date
}

type ProblemOptions = {
  template: ProblemTemplate
  author: Person
  createdAt: Date
  outcome: Outcome
  version?: string
  /** Solved: who wrote the accepted workaround (default: someone suitable). */
  solver?: Person
  verify?: boolean
  meToos?: number
  /** Answered: a workaround is waiting for acceptance. */
  pendingWorkaroundBy?: Person
  /** Answered: support verified the waiting workaround. */
  verifyPending?: boolean
  /** The body the author first wrote, before an edit. */
  earlierBody?: string
}

/** Writes the posts of the demo world into a batch; every choice comes from the seeded generator. */
class DemoWorldWriter {
  private readonly r: Random
  private readonly customers: Person[]
  private readonly sam: Person
  private readonly tomas: Person
  private readonly threads: Thread[] = []
  private readonly plans: Plan[] = []
  private readonly templateUses = new Map<string, number>()
  /** Problems and migrations a story already links to. */
  private readonly told = new Set<string>()

  constructor(
    private readonly batch: PostBatch,
    private readonly world: World,
    private readonly now: Date,
  ) {
    this.r = createRandom(WORLD_SEED)
    this.customers = world.people.filter((p) => p.role === 'customer')
    this.sam = world.byEmail('support@vendor.test')
    this.tomas = world.byEmail('tomas@vendor.test')
  }

  write() {
    this.writeDemoAccounts()
    this.writeProblems()
    this.writeStaffNotes()
    this.writeModerated()
    this.writeMigrations()
    this.writeStories()
  }

  // -- the demo accounts: a lived-in hub for alice, bob and carol -----------------------

  private writeDemoAccounts() {
    const { byEmail } = this.world
    const alice = byEmail('alice@customer-a.test')
    const bob = byEmail('bob@customer-b.test')
    const carol = byEmail('carol@customer-c.test')
    const rahul = byEmail('rahul.mehta@customer-c.test')
    const sofia = byEmail('sofia.rossi@customer-d.test')
    const femi = byEmail('femi.adeyemi@customer-c.test')
    const grace = byEmail('grace.liu@customer-d.test')
    const jonas = byEmail('jonas.berg@customer-d.test')

    // Someone solved the JWKS rotation problem two months ago…
    this.problem({ template: this.template('gw-jwks-rotation'), author: rahul, createdAt: this.ago(68), outcome: 'solved', solver: sofia, verify: true, version: '5.0', meToos: 3 })
    // …and alice hits it this morning: open, unanswered, in the support queue (edited once).
    const aliceOpen = this.problem({
      template: this.template('gw-jwks-rotation'),
      author: alice,
      createdAt: this.ago(0.12),
      outcome: 'open',
      version: '5.0',
      meToos: 1,
      earlierBody: DEMO_ACCOUNT_LINES.aliceFirstDraft,
    })
    this.say(aliceOpen.post, alice, DEMO_ACCOUNT_LINES.aliceAddendum, this.after(aliceOpen.post.createdAt, 0.3, 1))
    // alice's solved problem: bob's workaround accepted by her, verified by support.
    const aliceSolved = this.problem({ template: this.template('gw-keepalive-502'), author: alice, createdAt: this.ago(41), outcome: 'solved', solver: bob, verify: true, version: '5.0', meToos: 4 })
    // alice's answered problem: support's workaround waits for her to accept it.
    this.problem({ template: this.template('ins-smtp-starttls'), author: alice, createdAt: this.ago(9), outcome: 'answered', pendingWorkaroundBy: this.tomas, version: '12.0', meToos: 2 })
    // carol's problem solved by alice's workaround.
    this.problem({ template: this.template('gw-cors-preflight-404'), author: carol, createdAt: this.ago(55), outcome: 'solved', solver: alice, version: '5.0' })
    // bob's long-running problem with many "me too"s and a workaround nobody accepted yet.
    this.problem({ template: this.template('sync-wal-retained'), author: bob, createdAt: this.ago(16), outcome: 'answered', pendingWorkaroundBy: jonas, version: '2.8', meToos: 7, earlierBody: DEMO_ACCOUNT_LINES.bobFirstDraft })
    // bob's solved problem, thanks to someone at carol's bank.
    this.problem({ template: this.template('sync-dst-timestamps'), author: bob, createdAt: this.ago(120), outcome: 'solved', solver: femi, version: '2.8', meToos: 2 })
    // carol's open question, answered by support.
    this.problem({ template: this.template('sync-numeric-precision'), author: carol, createdAt: this.ago(6), outcome: 'answered', version: '2.8', meToos: 2 })
    // carol helps someone else: verified by support, not (yet) accepted.
    this.problem({ template: this.template('ins-silence-regex'), author: grace, createdAt: this.ago(24), outcome: 'answered', pendingWorkaroundBy: carol, verifyPending: true, version: '12.0' })

    // Migrations: carol and bob's organization plan the same move; alice has one done and one ahead.
    const aliceDone = this.migration({ author: alice, product: 'insight', from: '11.1', to: '12.0', status: 'done', windowStart: this.ago(36), windowDays: 1, createdAt: this.ago(58) })
    this.migration({ author: alice, product: 'gateway', from: '4.3', to: '5.1', status: 'planned', windowStart: this.ahead(27), windowDays: 2, createdAt: this.ago(12) })
    this.migration({ author: carol, product: 'sync', from: '2.8', to: '3.0', status: 'planned', windowStart: this.ahead(20), windowDays: 0, createdAt: this.ago(18) })
    this.migration({ author: bob, product: 'sync', from: '2.8', to: '3.0', status: 'planned', windowStart: this.ahead(34), windowDays: 1, createdAt: this.ago(8) })
    this.migration({ author: carol, product: 'insight', from: '11.1', to: '12.0', status: 'postponed', windowStart: this.ahead(57), windowDays: 0, createdAt: this.ago(30) })
    const bobDone = this.migration({ author: bob, product: 'gateway', from: '5.0', to: '5.1', status: 'done', windowStart: this.ago(23), windowDays: 0, createdAt: this.ago(44) })

    // Stories: alice's two linked ones, bob's and carol's.
    this.story(this.storyTemplate('st-gw-keepalive-latency'), alice, this.after(aliceSolved.accepted!.acceptedAt!, 72, 200), aliceSolved.post)
    this.story(this.storyTemplate('st-ins-12-upgrade'), alice, this.after(aliceDone.windowEnd, 30, 150), aliceDone.post)
    this.story(this.storyTemplate('st-gw-zero-downtime'), bob, this.after(bobDone.windowEnd, 24, 120), bobDone.post)
    this.story(this.storyTemplate('st-sync-ledger-move'), carol, this.ago(33), null)
    this.story(this.storyTemplate('st-gw-legacy-proxies'), carol, this.ago(97), null)
  }

  // -- problems ------------------------------------------------------------------------------

  /** About eighty more problems: every template two or three times, spread over six months. */
  private writeProblems() {
    const r = this.r
    const templates = r.shuffle(PROBLEM_TEMPLATES)
    const slots: ProblemTemplate[] = []
    for (let round = 0; slots.length < 76; round++) {
      for (const template of templates) {
        if (slots.length >= 76) break
        if (round < 2 || r.chance(0.5)) slots.push(template)
      }
    }
    // Recent ones first in this list: the freshest make the support queue.
    const ages = slots.map((_, i) => {
      if (i < 9) return 0.04 + r.next() * 2.8
      if (i < 20) return 3 + r.next() * 11
      return 14 + 176 * Math.pow(r.next(), 1.4)
    })
    slots.forEach((template, i) => {
      const age = ages[i]!
      const version = this.versionFor(template, age)
      if (!version) return
      const author = this.pickCustomer(template.product, this.ago(age), [])
      if (!author) return
      // The freshest are mostly still unanswered (the support queue); a few older ones were missed.
      const outcome: Outcome =
        i < 9
          ? i % 4 === 3 ? 'answered' : 'open'
          : i < 20
            ? i % 5 === 0 ? 'open' : r.chance(0.5) ? 'answered' : 'solved'
            : r.chance(0.02) ? 'open' : r.chance(0.35) ? 'answered' : 'solved'
      this.problem({ template, author, createdAt: this.ago(age), outcome, version, verify: r.chance(0.4) })
    })
  }

  private problem(options: ProblemOptions): Thread {
    const { r, batch } = this
    const { template, author, createdAt, outcome } = options
    const product = this.world.products[template.product]
    const horizon = this.horizon(author)
    const version = options.version ?? this.versionFor(template, (this.now.getTime() - createdAt.getTime()) / DAY) ?? template.versions.at(-1)!
    const index = this.templateUses.get(template.key) ?? 0
    this.templateUses.set(template.key, index + 1)
    const text = template.write(r, version, index)
    const versionIds = [this.versionId(product, version)]
    const neighbour = template.versions.find((v) => v !== version && this.released(product, v, createdAt))
    if (neighbour && r.chance(0.3)) versionIds.push(this.versionId(product, neighbour))
    const post = batch.post({
      kind: 'problem',
      authorId: author.id,
      organizationId: author.organizationId,
      productId: product.id,
      title: text.title,
      body: text.body,
      tags: text.tags,
      versionIds,
      createdAt,
      earlierVersion: options.earlierBody ? { body: options.earlierBody, replacedAt: this.after(createdAt, 0.2, 1, horizon) } : undefined,
    })
    const thread: Thread = { post, template, text, author, version }
    this.threads.push(thread)
    const ctx = this.ctx(thread)

    if (outcome !== 'open' && r.chance(0.15)) this.say(post, author, r.pick(AUTHOR_ADDENDA)(ctx), this.after(createdAt, 0.2, 2, horizon))
    this.meToos(thread, options.meToos ?? this.popularity(), horizon)
    if (outcome === 'open') return thread

    // The first response: support (usually the same day) or another customer.
    let t = this.after(createdAt, 0.4, r.chance(0.85) ? 6 : 30, horizon)
    const supportFirst = options.pendingWorkaroundBy?.role === 'support' ? true : r.chance(0.55)
    if (outcome === 'answered' || r.chance(0.7)) {
      if (supportFirst) {
        const engineer = r.chance(0.65) ? this.sam : this.tomas
        this.say(post, engineer, r.pick(SUPPORT_FIRST_REPLIES)(ctx), t)
        if (r.chance(0.5)) post.assignedToId = engineer.id
      } else {
        this.say(post, this.pickCustomer(template.product, t, [author.id]), r.pick(CUSTOMER_REPLIES)(ctx), t)
      }
      if (r.chance(0.45)) {
        t = this.after(t, 1, 20, horizon)
        this.say(post, this.pickCustomer(template.product, t, [author.id]), r.pick(CUSTOMER_REPLIES)(ctx), t)
      }
    }

    if (outcome === 'answered') {
      const by = options.pendingWorkaroundBy ?? (r.chance(0.6) ? this.pickSolver(template.product, author, t) : null)
      if (by) {
        const at = this.after(t, 2, 40, horizon)
        const verified = options.verifyPending ? { verifiedById: this.sam.id, verifiedAt: this.after(at, 2, 30, horizon) } : {}
        thread.pending = this.workaround(thread, by, text.workarounds[0]!, at, verified)
        if (r.chance(0.3)) this.workaroundReply(thread.pending, author, horizon)
        this.experience(thread, at, horizon)
      }
      if (r.chance(0.3)) {
        const followUps = SUPPORT_FOLLOW_UPS[thread.pending ? 'withWorkaround' : 'withoutWorkaround']
        this.say(post, r.pick([this.sam, this.tomas]), r.pick(followUps)(ctx), this.after(thread.pending?.createdAt ?? t, 6, 72, horizon))
      }
      return thread
    }

    // Solved: a workaround, accepted by the problem's author (sometimes by support).
    const solver = options.solver ?? this.pickSolver(template.product, author, t)
    const workaroundAt = this.after(t, 1, 50, horizon)
    const acceptedAt = this.after(workaroundAt, 1, 60, horizon)
    const acceptedBy = solver.role !== 'customer' && r.chance(0.25) ? solver : author
    const verify = options.verify ?? false
    const workaround = this.workaround(thread, solver, text.workarounds[0]!, workaroundAt, {
      acceptedAt,
      acceptedById: acceptedBy.id,
      ...(verify ? { verifiedById: this.sam.id, verifiedAt: this.after(acceptedAt, 2, 96, horizon) } : {}),
    })
    thread.accepted = workaround
    const alternative = text.workarounds[1]
    if (alternative && r.chance(0.5)) {
      const other = this.pickSolver(template.product, author, workaroundAt, [solver.id])
      this.workaround(thread, other, alternative, this.after(workaroundAt, 2, 100, horizon))
    }
    if (r.chance(0.6)) this.say(post, author, r.pick(AUTHOR_THANKS)(ctx), this.after(acceptedAt, 0.1, 4, horizon))
    if (r.chance(0.3)) this.workaroundReply(workaround, author, horizon)
    this.experience(thread, workaroundAt, horizon)
    if (r.chance(0.15)) this.say(post, this.sam, r.pick(SUPPORT_FOLLOW_UPS.withWorkaround)(ctx), this.after(acceptedAt, 2, 72, horizon))
    return thread
  }

  private workaround(
    thread: Thread,
    by: Person,
    body: string,
    createdAt: Date,
    extra: { acceptedAt?: Date; acceptedById?: string; verifiedById?: string; verifiedAt?: Date } = {},
  ) {
    const kind = by.role !== 'customer' ? 'support' : by.id === thread.author.id ? 'self' : 'customer'
    const opener = this.r.pick(WORKAROUND_OPENERS[kind])
    return this.batch.post({
      kind: 'workaround',
      problemId: thread.post.id,
      authorId: by.id,
      organizationId: by.organizationId,
      body: opener ? `${opener}\n\n${body}` : body,
      createdAt,
      ...extra,
    })
  }

  private workaroundReply(workaround: PostDraft, problemAuthor: Person, horizon: Date) {
    const at = this.after(workaround.createdAt, 3, 120, horizon)
    const by = this.pickCustomer(this.productKeyOf(workaround.productId), at, [workaround.authorId, problemAuthor.id])
    if (by) this.say(workaround, by, this.r.pick(WORKAROUND_REPLIES)(this.replyContext(workaround, by)), at)
  }

  private meToos(thread: Thread, n: number, horizon: Date) {
    const candidates = this.r.shuffle(this.customers.filter((p) => p.id !== thread.author.id))
    let added = 0
    for (const person of candidates) {
      if (added >= n) break
      const at = this.after(thread.post.createdAt, 0.5, 24 * 20, horizon)
      if (!this.canAct(person, at)) continue
      this.batch.meToo({ postId: thread.post.id, userId: person.id, createdAt: at })
      added++
    }
  }

  /** How many "me too"s a problem gets: most none or a few, some many. */
  private popularity() {
    const x = this.r.next()
    return x < 0.4 ? 0 : x < 0.72 ? this.r.int(1, 2) : x < 0.93 ? this.r.int(3, 5) : this.r.int(6, 10)
  }

  // -- staff-only notes and moderation ------------------------------------------------------

  private writeStaffNotes() {
    STAFF_NOTES.forEach((note, i) => {
      const author = i % 2 === 0 ? this.tomas : this.sam
      const colleague = author === this.sam ? this.tomas : this.sam
      const product = this.world.products[note.product]
      const createdAt = this.ago(20 + i * 13)
      const post = this.batch.post({
        kind: 'problem',
        authorId: author.id,
        organizationId: author.organizationId,
        productId: product.id,
        title: note.title,
        body: note.body.trim(),
        tags: note.tags,
        versionIds: [this.versionId(product, note.version)],
        visibility: 'staff',
        createdAt,
      })
      const at = this.after(createdAt, 2, 30)
      this.batch.post({
        kind: 'workaround',
        problemId: post.id,
        authorId: colleague.id,
        organizationId: colleague.organizationId,
        body: note.workaround.trim(),
        createdAt: at,
        acceptedAt: this.after(at, 1, 20),
        acceptedById: author.id,
        verifiedById: this.sam.id,
        verifiedAt: this.after(at, 2, 24),
      })
    })
  }

  /** One duplicate problem and one workaround with a secret, both hidden by support; one hidden reply. */
  private writeModerated() {
    const solved = this.threads.filter((t) => t.accepted && t.post.createdAt < this.ago(20) && !t.author.silentAfter)
    const original = solved[Math.floor(solved.length / 2)]!
    const createdAt = this.after(original.post.createdAt, 24 * 5, 24 * 12)
    const duplicateAuthor = this.pickCustomer(original.template.product, createdAt, [original.author.id])!
    const product = this.world.products[original.template.product]
    this.batch.post({
      kind: 'problem',
      authorId: duplicateAuthor.id,
      organizationId: duplicateAuthor.organizationId,
      productId: product.id,
      title: original.post.title,
      body: `Same as the other thread, we have this too since last week. Please help asap!!\n\n${original.text.body.split('\n\n')[0]}`,
      tags: original.text.tags,
      versionIds: [this.versionId(product, original.version)],
      createdAt,
      hiddenById: this.sam.id,
      hiddenReason: `Duplicate of “${original.post.title}”, which has an accepted workaround. Please follow that problem and add your details there, so everything stays in one place.`,
      hiddenAt: this.after(createdAt, 0.5, 3),
    })

    const target = this.threads.find((t) => t.template.product === 'gateway' && t.post.state === 'answered' && !t.author.silentAfter && t.post.visibility === 'community')
    if (!target) throw new Error('seed: no answered gateway problem to hang the hidden workaround on')
    const at = this.after(target.post.createdAt, 3, 48)
    const leaker = this.pickCustomer('gateway', at, [target.author.id])!
    this.batch.post({
      kind: 'workaround',
      problemId: target.post.id,
      authorId: leaker.id,
      organizationId: leaker.organizationId,
      body: HIDDEN_WORKAROUND.body.trim(),
      createdAt: at,
      hiddenById: this.sam.id,
      hiddenReason: HIDDEN_WORKAROUND.reason,
      hiddenAt: this.after(at, 0.3, 2),
    })

    const discussed = this.threads.find((t) => t.template.product === 'gateway' && t.post.replyCount >= 2 && !t.author.silentAfter && t !== target)
    if (!discussed) throw new Error('seed: no discussed gateway problem for the hidden reply')
    const replyAt = this.after(discussed.post.createdAt, 4, 40)
    this.batch.reply({
      postId: discussed.post.id,
      authorId: discussed.author.id,
      body: HIDDEN_REPLY.body,
      createdAt: replyAt,
      hiddenById: this.tomas.id,
      hiddenReason: HIDDEN_REPLY.reason,
      hiddenAt: this.after(replyAt, 1, 6),
    })
  }

  // -- migrations ----------------------------------------------------------------------------

  private writeMigrations() {
    const r = this.r
    // Upcoming: what each organization plans next, per installation; the windows fall in the next twelve weeks.
    for (const [org, product, from, to, environment, status] of UPCOMING_MOVES) {
      const author = this.authorIn(org, product)
      const windowStart = status === 'in_progress' ? this.ago(r.int(0, 4)) : this.ahead(status === 'postponed' ? r.int(21, 82) : r.int(1, 83))
      const createdAt = author.silentAfter
        ? new Date(author.silentAfter.getTime() - r.int(2, 20) * DAY)
        : this.ago(r.int(status === 'in_progress' ? 14 : 2, 60))
      const windowDays = status === 'in_progress' ? r.int(3, 8) : r.pick([0, 0, 1, 2, 3])
      this.migration({ author, product, from, to, status, windowStart, windowDays, createdAt, environment: environment ?? undefined })
    }
    // Done in the past months (after the target version came out).
    for (const [org, product, from, to, daysAgo] of DONE_MOVES) {
      const author = this.authorIn(org, product)
      this.migration({ author, product, from, to, status: 'done', windowStart: this.ago(daysAgo), windowDays: r.pick([0, 1, 2]), createdAt: this.ago(daysAgo + r.int(14, 40)) })
    }
    // One rolled back (with the problem that made them roll back), and two that slipped their window.
    const jonas = this.world.byEmail('jonas.berg@customer-d.test')
    this.migration({ author: jonas, product: 'sync', from: '2.8', to: '3.0', status: 'rolled_back', windowStart: this.ago(26), windowDays: 0, createdAt: this.ago(47) })
    this.problem({ template: this.template('sync-stuck-resyncing'), author: jonas, createdAt: this.after(this.ago(26), 3, 6), outcome: 'solved', solver: this.tomas, verify: true, version: '3.0', meToos: 3 })
    this.migration({ author: jonas, product: 'sync', from: '2.8', to: '3.0', status: 'planned', windowStart: this.ago(11), windowDays: 2, createdAt: this.ago(19), note: DEMO_ACCOUNT_LINES.retryNote })
    const tom = this.world.byEmail('tom.whitaker@customer-b.test')
    this.migration({ author: tom, product: 'insight', from: '11.1', to: '12.0', status: 'planned', windowStart: this.ago(18), windowDays: 2, createdAt: this.ago(46) })
  }

  private migration(options: {
    author: Person
    product: ProductKey
    from: string
    to: string
    status: MigrationStatus
    windowStart: Date
    /** 0: a single date. */
    windowDays: number
    createdAt: Date
    /** The installation, when not the main one. */
    environment?: string
    /** A first paragraph in the author's words. */
    note?: string
  }): Plan {
    const { r, batch } = this
    const { author, status } = options
    const product = this.world.products[options.product]
    const windowEnd = new Date(options.windowStart.getTime() + options.windowDays * DAY)
    const notes = [
      options.note ?? '',
      options.environment ? `**Installation:** ${options.environment}.` : '',
      migrationNotes(r, options.product, options.from, options.to),
      status === 'postponed' ? `**${r.pick(POSTPONE_REASONS)}**` : '',
    ]
    const post = batch.post({
      kind: 'migration',
      authorId: author.id,
      organizationId: author.organizationId,
      productId: product.id,
      fromVersionId: this.versionId(product, options.from),
      toVersionId: this.versionId(product, options.to),
      windowStart: isoDate(options.windowStart),
      windowEnd: options.windowDays ? isoDate(windowEnd) : null,
      migrationStatus: status,
      body: notes.filter(Boolean).join('\n\n'),
      createdAt: options.createdAt,
    })
    const plan: Plan = { post, author, product: options.product, to: options.to, status, windowEnd }
    const horizon = this.horizon(author)
    const ctx: ReplyContext = { product: product.name, version: options.to, first: author.first, ticket: ticketFor(options.product, r), cli: PRODUCT_CLI[options.product] }
    if (r.chance(0.45)) this.say(post, r.pick([this.sam, this.tomas]), r.pick(SUPPORT_MIGRATION_REPLIES)(ctx), this.after(options.createdAt, 1, 30, horizon))
    // Someone planning the same move says hello (the radar's "connect them", in the open).
    const sameMove = this.plans.find((p) => p.product === options.product && p.to === options.to && p.author.org !== author.org)
    const at = this.after(options.createdAt, 2, 24 * 6, horizon)
    if (sameMove && r.chance(0.5)) this.say(post, sameMove.author, r.pick(MIGRATION_REPLIES)(ctx), at)
    else if (r.chance(0.25)) this.say(post, this.pickCustomer(options.product, at, [author.id]), r.pick(MIGRATION_REPLIES)(ctx), at)
    if (status !== 'planned') {
      const startedAt = status === 'postponed' ? this.after(options.createdAt, 24, 24 * 10, horizon) : options.windowStart
      const updateAt = status === 'done' || status === 'rolled_back' ? this.after(windowEnd, 3, 30, horizon) : this.after(startedAt, 1, 20, horizon)
      if (updateAt < this.now && updateAt > options.createdAt) this.say(post, author, r.pick(MIGRATION_UPDATES[status])(ctx), updateAt)
    }
    this.plans.push(plan)
    return plan
  }

  // -- stories -------------------------------------------------------------------------------

  /** The other story templates, linked to the problem overcome or the migration completed where one fits. */
  private writeStories() {
    const written = new Set(['st-gw-keepalive-latency', 'st-ins-12-upgrade', 'st-gw-zero-downtime', 'st-sync-ledger-move', 'st-gw-legacy-proxies'])
    const queue = [
      ...STORY_TEMPLATES.filter((t) => !written.has(t.key)),
      ...['st-gw-zero-downtime', 'st-ins-12-upgrade', 'st-ins-fewer-pages'].map((key) => this.storyTemplate(key)),
    ]
    for (const template of queue) {
      const link = template.link
      if (link && 'problemKey' in link) {
        const thread = this.threads.find((t) => t.template.key === link.problemKey && t.accepted && !this.told.has(t.post.id) && t.accepted.acceptedAt! < this.ago(3))
        if (thread) {
          this.story(template, thread.author, this.after(thread.accepted!.acceptedAt!, 24, 24 * 25, this.horizon(thread.author)), thread.post)
          continue
        }
      } else if (link) {
        // A migration story is only told by someone who made that move.
        const plan = this.plans.find((p) => p.status === 'done' && p.product === template.product && template.versions.includes(p.to) && !this.told.has(p.post.id))
        if (plan) this.story(template, plan.author, this.after(plan.windowEnd, 24, 24 * 12, this.horizon(plan.author)), plan.post)
        continue
      }
      const at = this.ago(this.r.int(4, 150))
      const author = this.pickCustomer(template.product, at, [])
      if (author) this.story(template, author, at, null)
    }
  }

  private story(template: StoryTemplate, author: Person, createdAt: Date, related: PostDraft | null) {
    const { r, batch } = this
    const product = this.world.products[template.product]
    const index = this.templateUses.get(template.key) ?? 0
    this.templateUses.set(template.key, index + 1)
    if (related) this.told.add(related.id)
    const text = template.write(r, index)
    const post = batch.post({
      kind: 'story',
      authorId: author.id,
      organizationId: author.organizationId,
      productId: product.id,
      title: text.title,
      body: text.body,
      tags: text.tags,
      versionIds: template.versions.filter((v) => this.released(product, v, createdAt)).map((v) => this.versionId(product, v)),
      relatedPostId: related?.id,
      createdAt,
    })
    const horizon = this.horizon(author)
    const ctx: ReplyContext = { product: product.name, version: template.versions.at(-1)!, first: author.first, ticket: '', cli: PRODUCT_CLI[template.product] }
    const replies = r.pick([0, 1, 1, 2])
    for (let i = 0; i < replies; i++) {
      const at = this.after(createdAt, 2, 24 * 5, horizon)
      if (i === 0 && r.chance(0.35)) this.say(post, this.sam, r.pick(STORY_REPLIES.support)(ctx), at)
      else this.say(post, this.pickCustomer(template.product, at, [author.id]), r.pick(STORY_REPLIES.customer)(ctx), at)
    }
    return post
  }

  // -- helpers -------------------------------------------------------------------------------

  /** A reply, unless nobody fits or the person's organization has gone quiet by then. */
  private say(post: PostDraft, by: Person | null, body: string, at: Date) {
    if (!by || !this.canAct(by, at)) return
    this.batch.reply({ postId: post.id, authorId: by.id, body, createdAt: at })
  }

  private template(key: string) {
    const template = PROBLEM_TEMPLATES.find((t) => t.key === key)
    if (!template) throw new Error(`seed: no problem template ${key}`)
    return template
  }

  private storyTemplate(key: string) {
    const template = STORY_TEMPLATES.find((t) => t.key === key)
    if (!template) throw new Error(`seed: no story template ${key}`)
    return template
  }

  /** `days` before now (fractions allowed). */
  private ago(days: number) {
    return new Date(this.now.getTime() - days * DAY)
  }

  /** `days` after today, at midnight UTC (windows are dates). */
  private ahead(days: number) {
    const today = new Date(`${isoDate(this.now)}T00:00:00Z`)
    return new Date(today.getTime() + days * DAY)
  }

  /**
   * A time between `minHours` and `maxHours` after `t`, squeezed so that it
   * stays before `horizon` (default now) and after `t`.
   */
  private after(t: Date, minHours: number, maxHours: number, horizon: Date = this.now) {
    const limit = Math.min(horizon.getTime(), this.now.getTime()) - MINUTE
    const wanted = t.getTime() + (minHours + this.r.next() * (maxHours - minHours)) * HOUR
    if (wanted < limit) return new Date(wanted)
    const room = Math.max(limit - t.getTime(), MINUTE)
    return new Date(t.getTime() + room * (0.2 + this.r.next() * 0.7))
  }

  /** The last moment a person's organization was heard from (quiet organizations), else now. */
  private horizon(person: Person) {
    return person.silentAfter ?? this.now
  }

  private canAct(person: Person, at: Date) {
    return !person.silentAfter || at <= person.silentAfter
  }

  /** A customer who works with the product and may act at `at`, other than `exclude`. */
  private pickCustomer(product: ProductKey, at: Date, exclude: string[]) {
    const fits = this.customers.filter((p) => !exclude.includes(p.id) && this.canAct(p, at))
    const focused = fits.filter((p) => p.focus.includes(product))
    const pool = focused.length && this.r.chance(0.85) ? focused : fits
    return pool.length ? this.r.pick(pool) : null
  }

  /** Who solves a problem: mostly a customer of another organization, sometimes support or the author. */
  private pickSolver(product: ProductKey, author: Person, at: Date, exclude: string[] = []): Person {
    const x = this.r.next()
    if (x < 0.15 && !exclude.includes(author.id)) return author
    if (x < 0.35) return this.r.chance(0.5) ? this.sam : this.tomas
    const elsewhere = this.customers.filter((p) => p.org !== author.org && !exclude.includes(p.id) && p.focus.includes(product) && this.canAct(p, at))
    return elsewhere.length ? this.r.pick(elsewhere) : this.tomas
  }

  /** Someone of this organization who works with the product (the demo accounts first). */
  private authorIn(org: OrgKey, product: ProductKey) {
    const members = this.customers.filter((p) => p.org === org)
    const focused = members.filter((p) => p.focus.includes(product))
    return this.r.pick(focused.length ? focused : members)
  }

  /** Sometimes another customer adds their experience with the fix (the template's own replies). */
  private experience(thread: Thread, workaroundAt: Date, horizon: Date) {
    if (!thread.text.replies.length || !this.r.chance(0.5)) return
    const at = this.after(workaroundAt, 2, 24 * 4, horizon)
    this.say(thread.post, this.pickCustomer(thread.template.product, at, [thread.author.id]), this.r.pick(thread.text.replies), at)
  }

  /** A version of the template's that was already released `age` days ago. */
  private versionFor(template: ProblemTemplate, age: number) {
    const product = this.world.products[template.product]
    const at = this.ago(age)
    const fits = template.versions.filter((v) => this.released(product, v, at))
    return fits.length ? this.r.pick(fits) : null
  }

  private released(product: Product, version: string, at: Date) {
    const found = product.versions.find((v) => v.name === version)
    return Boolean(found && found.releasedAt.getTime() + 3 * DAY <= at.getTime())
  }

  private versionId(product: Product, name: string) {
    const found = product.versions.find((v) => v.name === name)
    if (!found) throw new Error(`seed: ${product.name} has no version ${name}`)
    return found.id
  }

  private productKeyOf(productId: string): ProductKey {
    return (Object.values(this.world.products).find((p) => p.id === productId) ?? this.world.products.gateway).key
  }

  private ctx(thread: Thread): ReplyContext {
    const key = thread.template.product
    return { product: PRODUCT_NAMES[key], version: thread.version, first: thread.author.first, ticket: ticketFor(key, this.r), cli: PRODUCT_CLI[key] }
  }

  private replyContext(post: PostDraft, author: Person): ReplyContext {
    const key = this.productKeyOf(post.productId)
    return { product: PRODUCT_NAMES[key], version: '', first: author.first, ticket: ticketFor(key, this.r), cli: PRODUCT_CLI[key] }
  }
}
