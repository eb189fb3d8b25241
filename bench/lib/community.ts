/**
 * A community at scale for the page benchmark: the demo world, seeded by the
 * app's own seed function, with N generated posts on top — problems,
 * stories and migration plans from the seeded corpus (`corpus.ts`), their
 * workarounds, replies, "me too"s and follows, the notifications and audit
 * entries the commands would have left, people who signed in, and a stored
 * meaning vector for every visible problem.
 *
 * The rows go through the factories' `PostBatch` (tests/factories.ts, which
 * the demo seed uses too), so counters, states, first responses and last
 * activity are what the commands leave; they are then written with
 * multi-row JSON inserts (`bulk-insert.ts`), a few thousand per statement.
 *
 * Meaning vectors: encoding 100,000 problems takes most of an hour, so
 * each generated problem gets a synthetic unit vector (its topic's
 * direction plus noise: problems of one topic mean nearly the same), stored
 * as the app stores them (model, hash of the text it came from, the post's
 * `updated_at`), so the app's catch-up finds nothing to do and similar
 * problems read real rows. The demo world's problems are encoded for real.
 * The hub is thus measured in its steady state; `--after-import` measures
 * it while vectors catch up.
 */
import { createHash } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { PostBatch, type PostDraft } from '#tests/factories'
import { type DatabaseHandle } from '~/db/client.server'
import { seedDemoIfEmpty } from '~/db/seed'
import { auditLog, follows, meToos, notifications, organizations, postMeanings, posts, postTags, postVersions, products, productVersions, replies, revisions, users } from '~/db/schema'
import { hashPassword } from '~/modules/auth/password.server'
import { embed, MEANING_MODEL, meaningText } from '~/modules/search/meaning.server'
import { collectingExecutor, insertRows } from './bulk-insert'
import { Corpus } from './corpus'
import { Random } from './random'

const DAY_MS = 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
/** Posts gathered and written per batch (a batch's rows are all in memory at once). */
const CHUNK = 2_000
/** Bench people besides the demo world's, in this many customer organizations. */
const PEOPLE = 2_000
const ORGANIZATIONS = 200
/** Share of organizations that went quiet: nothing written nor signed in for the last QUIET_FOR_DAYS. */
const QUIET_SHARE = 0.1
const QUIET_FOR_DAYS = 120
/** Share of posts written by each of the demo customers alice, bob and carol (their pages grow with N). */
const DEMO_AUTHOR_SHARE = 0.005

export type CommunityCounts = {
  posts: number
  problems: number
  stories: number
  migrations: number
  workarounds: number
  replies: number
  meToos: number
  follows: number
  notifications: number
  audit: number
  vectors: number
}

type Person = { id: string; organizationId: string; quiet: boolean }

/** The same text hash the app keeps beside a vector (meaning.server.ts), so a stored vector counts as current. */
const textHash = (text: string) => createHash('sha256').update(`${MEANING_MODEL}\n${text}`).digest('base64url')

function gaussian(random: Random) {
  const u = Math.max(random.next(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next())
}

function unit(vector: Float32Array) {
  let sum = 0
  for (const v of vector) sum += v * v
  const length = Math.sqrt(sum) || 1
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / length
  return vector
}

const bytes = (vector: Float32Array) => new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength)

/**
 * Seeds the demo world (the app's seed, `password` for its accounts) and
 * `count` generated posts with everything around them into `handle`, which
 * must be migrated and registered as the process's database. Bench people
 * (bench-<i>@example.test) get the same password. Returns what was written.
 */
export async function seedCommunity(
  handle: DatabaseHandle,
  options: { count: number; seed: number; password: string; now?: Date; onProgress?: (done: number) => void },
): Promise<CommunityCounts> {
  const now = options.now ?? new Date()
  const random = new Random(options.seed)
  const threads = random.fork(1)
  const corpus = new Corpus(options.seed)
  await seedDemoIfEmpty({ password: options.password, now })
  const { db } = handle

  // Demo world: the vendor, its support team, the demo customers and products.
  const [vendor] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.isVendor, true)).limit(1)
  const demoPeople = await db.select({ id: users.id, email: users.email, role: users.role, organizationId: users.organizationId }).from(users)
  const staff = demoPeople.filter((p) => p.role !== 'customer')
  const demoAuthors = ['alice@customer-a.test', 'bob@customer-b.test', 'carol@customer-c.test']
    .map((email) => demoPeople.find((p) => p.email === email))
    .filter((p) => p !== undefined)
    .map((p) => ({ id: p.id, organizationId: p.organizationId, quiet: false }))

  // Bench organizations and people; one password hash for all (argon2 is slow on purpose).
  const passwordHash = await hashPassword(options.password)
  const orgs = Array.from({ length: ORGANIZATIONS - 1 }, (_, i) => ({ id: random.id(), name: `Bench organization ${i + 1}`, quiet: i < Math.round(QUIET_SHARE * ORGANIZATIONS) }))
  await insertRows(handle, organizations, orgs.map(({ id, name }) => ({ id, name, isVendor: false, createdAt: new Date(now.getTime() - 4 * 365 * DAY_MS) })))
  const supportTeam = Array.from({ length: 18 }, (_, i) => ({ id: random.id(), email: `bench-support-${i}@vendor.test`, name: `Bench Support ${i}`, role: 'support' as const, organizationId: vendor!.id }))
  const people = Array.from({ length: PEOPLE }, (_, i) => {
    const org = orgs[i % orgs.length]!
    const signedIn = !org.quiet && random.chance(0.8)
    return {
      id: random.id(),
      organizationId: org.id,
      email: `bench-${i}@example.test`,
      name: `Bench Person ${i}`,
      role: 'customer' as const,
      quiet: org.quiet,
      lastSignInAt: signedIn ? new Date(now.getTime() - random.int(0, 60) * DAY_MS) : null,
    }
  })
  const joined = new Date(now.getTime() - 4 * 365 * DAY_MS)
  await insertRows(handle, users, [
    ...supportTeam.map((p) => ({ ...p, passwordHash, lastSignInAt: new Date(now.getTime() - random.int(0, 3) * DAY_MS), createdAt: joined, updatedAt: joined })),
    ...people.map(({ quiet: _quiet, ...p }) => ({ ...p, passwordHash, createdAt: joined, updatedAt: joined })),
  ])
  const supporters: Person[] = [...staff.map((p) => ({ ...p, quiet: false })), ...supportTeam.map((p) => ({ ...p, quiet: false }))]
  const customers: Person[] = people

  // The corpus's products; one the demo world has already (same slug) is shared, with its versions.
  const existing = await db.select({ id: products.id, slug: products.slug }).from(products)
  const existingVersions = await db.select({ id: productVersions.id, productId: productVersions.productId, name: productVersions.name, sortOrder: productVersions.sortOrder }).from(productVersions)
  const catalog: { id: string; name: string; versions: { id: string; name: string }[] }[] = []
  for (const product of Corpus.products) {
    const shared = existing.find((p) => p.slug === product.slug)
    const id = shared?.id ?? random.id()
    if (!shared) await insertRows(handle, products, [{ id, slug: product.slug, name: product.name, description: `${product.name} (benchmark corpus).` }])
    const versions = product.versions.map((name, i) => {
      const known = existingVersions.find((v) => v.productId === id && v.name === name)
      return { id: known?.id ?? random.id(), name, sortOrder: known?.sortOrder ?? 100 + i, known: Boolean(known) }
    })
    await insertRows(handle, productVersions, versions.filter((v) => !v.known).map((v) => ({ id: v.id, productId: id, name: v.name, sortOrder: v.sortOrder })))
    catalog.push({ id, name: product.name, versions })
  }

  // A direction per topic: generated problems of one topic get vectors close to it.
  const [demoVector] = await embed(['dimension probe'])
  const dimension = demoVector!.length
  const topicVectors = corpus.topics.map(() => unit(Float32Array.from({ length: dimension }, () => gaussian(random))))
  await encodeDemoProblems(handle)

  const counts: CommunityCounts = { posts: 0, problems: 0, stories: 0, migrations: 0, workarounds: 0, replies: 0, meToos: 0, follows: 0, notifications: 0, audit: 0, vectors: 0 }
  const author = (ageDays: number): Person => {
    const roll = random.next()
    if (roll < DEMO_AUTHOR_SHARE * demoAuthors.length) return demoAuthors[Math.floor(roll / DEMO_AUTHOR_SHARE)]!
    for (;;) {
      const person = random.pick(customers)
      // Quiet organizations wrote nothing lately.
      if (!person.quiet || ageDays > QUIET_FOR_DAYS) return person
    }
  }
  const other = (not: string, ageDays: number) => {
    for (;;) {
      const person = author(ageDays)
      if (person.id !== not) return person
    }
  }

  for (let done = 0; done < options.count; done += CHUNK) {
    const batch = new PostBatch({ now, products: catalog })
    const notificationRows: (typeof notifications.$inferInsert)[] = []
    const auditRows: (typeof auditLog.$inferInsert)[] = []
    const vectorRows: { post: PostDraft; text: string; topic: number }[] = []
    const notify = (userId: string, event: string, post: PostDraft, actorId: string, at: Date, summary: string, key: string) => {
      if (userId === actorId && event !== 'problem_acknowledged') return
      notificationRows.push({
        id: random.id(),
        userId,
        event,
        actorId,
        postId: post.id,
        summary,
        path: `/posts/${post.id}`,
        delivery: 'immediately',
        readAt: at.getTime() < now.getTime() - 14 * DAY_MS ? new Date(at.getTime() + DAY_MS) : null,
        dedupeKey: `${key}:${userId}`,
        createdAt: at,
      })
    }
    for (let i = done; i < Math.min(options.count, done + CHUNK); i++) {
      const generated = corpus.post(random)
      const thread = corpus.thread(threads, generated)
      const product = catalog[generated.product]!
      const writer = author(generated.ageDays)
      const createdAt = new Date(now.getTime() - generated.ageDays * DAY_MS - random.int(0, DAY_MS - 1))
      const versionIds = generated.versions.map((v) => product.versions[v]!.id)
      const kind = generated.kind
      const migration =
        kind === 'migration'
          ? (() => {
              const from = Math.min(generated.versions[0]!, product.versions.length - 2)
              const status = generated.ageDays < 60 ? random.pick(['planned', 'planned', 'in_progress'] as const) : random.pick(['done', 'done', 'done', 'postponed', 'rolled_back'] as const)
              const windowStart = new Date(createdAt.getTime() + random.int(7, 120) * DAY_MS).toISOString().slice(0, 10)
              return { fromVersionId: product.versions[from]!.id, toVersionId: product.versions.at(-1)!.id, migrationStatus: status, windowStart }
            })()
          : {}
      const hidden = generated.hidden ? { hiddenById: random.pick(supporters).id, hiddenReason: 'Spam' } : {}
      const post = batch.post({
        id: random.id(),
        kind,
        authorId: writer.id,
        organizationId: writer.organizationId,
        productId: product.id,
        title: generated.title,
        body: generated.body,
        tags: kind === 'migration' ? [] : generated.tags,
        versionIds,
        visibility: generated.visibility,
        createdAt,
        ...migration,
        ...hidden,
      })
      counts.posts++
      counts[kind === 'problem' ? 'problems' : kind === 'story' ? 'stories' : 'migrations']++
      if (post.hiddenAt) auditRows.push({ actorId: post.hiddenById, action: 'post.hide', subjectType: 'post', subjectId: post.id, details: { reason: 'Spam' }, at: post.hiddenAt })
      if (kind === 'problem') notify(writer.id, 'problem_acknowledged', post, writer.id, createdAt, `We received your problem “${post.title}”`, `problem:${post.id}`)

      // Workarounds (answered and solved problems), the first accepted when solved.
      let at = createdAt
      for (const w of generated.workarounds) {
        at = new Date(at.getTime() + random.int(1, 72) * HOUR_MS)
        if (at > now) at = now
        // Only staff and the author see a staff-only problem: support answers those.
        const solver = post.visibility === 'staff' ? random.pick(supporters) : other(writer.id, generated.ageDays)
        const verifier = w.verified ? random.pick(supporters) : null
        const workaround = batch.post({
          id: random.id(),
          kind: 'workaround',
          authorId: solver.id,
          organizationId: solver.organizationId,
          problemId: post.id,
          body: w.body,
          createdAt: at,
          ...(w.accepted ? { acceptedAt: at, acceptedById: writer.id } : {}),
          ...(verifier ? { verifiedById: verifier.id, verifiedAt: at } : {}),
        })
        counts.workarounds++
        notify(writer.id, 'workaround', post, solver.id, at, `Someone posted a workaround for “${post.title}”`, `workaround:${workaround.id}`)
        if (w.accepted) auditRows.push({ actorId: writer.id, action: 'workaround.accept', subjectType: 'post', subjectId: workaround.id, details: { problemId: post.id, replaced: [] }, at })
        if (verifier) auditRows.push({ actorId: verifier.id, action: 'workaround.verify', subjectType: 'post', subjectId: workaround.id, details: {}, at })
      }
      // Replies: the author following up, others (support, peers) on anything but an open problem.
      let replyAt = createdAt
      for (const r of thread.replies) {
        replyAt = new Date(replyAt.getTime() + random.int(1, 96) * HOUR_MS)
        if (replyAt > now) replyAt = now
        const replier =
          r.byAuthor || post.state === 'open' ? writer : random.chance(0.4) || post.visibility === 'staff' ? random.pick(supporters) : other(writer.id, generated.ageDays)
        const reply = batch.reply({ postId: post.id, authorId: replier.id, body: r.body, createdAt: replyAt })
        counts.replies++
        notify(writer.id, 'reply', post, replier.id, replyAt, `New reply on “${post.title}”`, `reply:${reply.id}`)
      }
      const pressed = new Set<string>([writer.id])
      for (let m = 0; m < (post.visibility === 'staff' ? 0 : thread.meToos); m++) {
        const person = other(writer.id, generated.ageDays)
        if (pressed.has(person.id)) continue
        pressed.add(person.id)
        batch.meToo({ postId: post.id, userId: person.id, createdAt: new Date(createdAt.getTime() + random.int(1, 240) * HOUR_MS) })
        counts.meToos++
      }
      if (kind === 'problem' && !post.hiddenAt) vectorRows.push({ post, text: meaningText(post.title, post.body), topic: generated.topic })
    }

    const { executor, collected } = collectingExecutor()
    await batch.flush(executor)
    const rowsOf = (table: Parameters<typeof collected.get>[0]) => (collected.get(table) ?? []) as never[]
    await insertRows(handle, posts, rowsOf(posts), { batch: 1_000 })
    await insertRows(handle, postVersions, rowsOf(postVersions), { batch: 10_000 })
    await insertRows(handle, postTags, rowsOf(postTags), { batch: 10_000 })
    await insertRows(handle, revisions, rowsOf(revisions))
    await insertRows(handle, replies, rowsOf(replies))
    await insertRows(handle, meToos, rowsOf(meToos), { batch: 10_000 })
    await insertRows(handle, follows, rowsOf(follows), { batch: 10_000, onConflictDoNothing: true })
    await insertRows(handle, notifications, notificationRows, { batch: 5_000 })
    await insertRows(handle, auditLog, auditRows, { batch: 5_000 })
    counts.follows += rowsOf(follows).length
    counts.notifications += notificationRows.length
    counts.audit += auditRows.length

    // Stored meanings, as current as the app's catch-up would leave them.
    const written = new Map((collected.get(posts) ?? []).map((row) => [row.id as string, row.updatedAt as Date]))
    await insertRows(
      handle,
      postMeanings,
      vectorRows.map(({ post, text, topic }) => {
        const vector = Float32Array.from(topicVectors[topic]!, (v) => v + 0.06 * gaussian(random))
        return { postId: post.id, model: MEANING_MODEL, textHash: textHash(text), vector: bytes(unit(vector)), postUpdatedAt: written.get(post.id)! }
      }),
      { batch: 500 },
    )
    counts.vectors += vectorRows.length
    options.onProgress?.(Math.min(options.count, done + CHUNK))
  }
  await db.execute(sql`analyze`)
  return counts
}

/** The demo world's problems are few: encode them for real, as the app's catch-up would. */
async function encodeDemoProblems(handle: DatabaseHandle) {
  const rows = await handle.db
    .select({ id: posts.id, title: posts.title, body: posts.body, updatedAt: posts.updatedAt })
    .from(posts)
    .where(sql`${posts.kind} = 'problem' and ${posts.hiddenAt} is null`)
  for (let i = 0; i < rows.length; i += 16) {
    const slice = rows.slice(i, i + 16)
    const texts = slice.map((r) => meaningText(r.title, r.body))
    const vectors = await embed(texts)
    await insertRows(
      handle,
      postMeanings,
      slice.map((r, k) => ({ postId: r.id, model: MEANING_MODEL, textHash: textHash(texts[k]!), vector: bytes(vectors[k]!), postUpdatedAt: r.updatedAt })),
    )
  }
}
