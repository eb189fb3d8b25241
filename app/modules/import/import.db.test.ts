/**
 * The import command against a real database: a valid file imports
 * everything (and is searchable, now and after a restart); every kind of bad
 * line is reported with its line number and nothing is written; skipping
 * invalid lines imports the rest; running a file again creates no
 * duplicates and applies what changed; a 100,000-line file is refused with a
 * clear report; the example in docs/ stays valid; people get password links
 * only when asked.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { and, count, eq, inArray, isNotNull, like } from 'drizzle-orm'
import { setTimeout } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { DEMO_PRODUCTS } from '~/db/demo-content'
import {
  auditLog,
  follows,
  notifications,
  organizations,
  outbox,
  posts,
  postTags,
  postVersions,
  productVersions,
  replies,
  users,
} from '~/db/schema'
import {
  NO_PASSWORD_HASH,
  resetPassword,
  signIn,
  type Actor,
} from '~/modules/accounts/accounts.server'
import {
  searchSettled,
  startSearchIndex,
  stopSearchIndex,
} from '~/modules/search/search-index.server'
import { searchPosts } from '~/modules/search/search.server'
import { actorOf, createOrganization, createProduct, createUser } from '#tests/factories'
import { importFile, type ImportOutcome, type ImportSummary } from './import.server'
import { MAX_RECORDS } from './import.schema'

let dir: string
let alice: Actor
let vendorSupport: Actor

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-import-'))
  for (const product of DEMO_PRODUCTS) {
    await createProduct({
      name: product.name,
      slug: product.slug,
      versions: product.versions.map((v) => v.name),
    })
  }
  const vendor = await createOrganization({ name: 'Northwind Relay', isVendor: true })
  vendorSupport = actorOf(
    await createUser({
      email: 'sam@vendor.test',
      name: 'Sam Support',
      role: 'support',
      organizationId: vendor.id,
    }),
  )
  alice = actorOf(await createUser({ email: 'alice@customer-a.test', name: 'Alice Andersen' }))
})

afterAll(async () => {
  await stopSearchIndex({ save: false })
  await fs.rm(dir, { recursive: true, force: true })
})

let fileNumber = 0
/** Writes lines (objects as JSON, strings as they are) to a fresh file. */
async function file(lines: (object | string)[]) {
  const name = path.join(dir, `import-${++fileNumber}.jsonl`)
  await fs.writeFile(
    name,
    lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
  )
  return name
}

function imported(outcome: ImportOutcome): ImportSummary {
  if (!outcome.ok)
    throw new Error(
      `${outcome.message}\n${outcome.validation?.issues.map((i) => `line ${i.line}: ${i.message}`).join('\n')}`,
    )
  return outcome.value
}

const byKey = async (key: string) =>
  (await db.select().from(posts).where(eq(posts.importKey, key)))[0]

async function tally() {
  const of = async (
    table:
      | typeof posts
      | typeof users
      | typeof organizations
      | typeof replies
      | typeof outbox
      | typeof auditLog
      | typeof notifications
      | typeof follows,
  ) => (await db.select({ value: count() }).from(table))[0]!.value
  return {
    posts: await of(posts),
    users: await of(users),
    organizations: await of(organizations),
    replies: await of(replies),
    outbox: await of(outbox),
    audit: await of(auditLog),
    notifications: await of(notifications),
    follows: await of(follows),
  }
}

const problem = (id: string, extra: object = {}) => ({
  type: 'problem',
  id,
  author: 'alice@customer-a.test',
  title: `Relay Gateway problem ${id}`,
  body: 'Requests time out after the upgrade.',
  product: 'relay-gateway',
  ...extra,
})

describe('a valid file', () => {
  it('imports people, problems with workarounds and replies, stories and migrations, with their dates, tags and versions', async () => {
    await startSearchIndex({ snapshotDir: null })
    const before = await tally()
    const name = await file([
      {
        type: 'person',
        email: 'Noor.Haddad@Lantern.test',
        name: 'Noor Haddad',
        organization: 'Lantern Analytics',
      },
      {
        type: 'person',
        email: 'alice@customer-a.test',
        name: 'Someone Else',
        organization: 'Another Org',
      },
      {
        type: 'story',
        id: 'S-1',
        author: 'noor.haddad@lantern.test',
        title: 'Certificate rotation without dropped sessions',
        body: 'We rotate every 30 days now and nobody notices.',
        product: 'Relay Gateway',
        versions: ['5.1'],
        tags: ['TLS', '#rotation'],
        related: { type: 'problem', id: 'V-1' },
        replies: [{ id: 1, author: 'sam@vendor.test', body: 'Lovely write-up, thanks!' }],
      },
      '',
      problem('V-1', {
        author: 'noor.haddad@lantern.test',
        title: 'Websocket clients disconnect when the certificate rotates',
        body: 'Every websocket client drops at rotation time.',
        versions: ['5.0', '5.1'],
        tags: ['websocket', 'tls'],
        visibility: 'staff',
        createdAt: '2025-03-01T09:00:00Z',
        workarounds: [
          {
            id: 'V-1-a',
            author: 'alice@customer-a.test',
            body: 'Enable graceful_reload before rotating the certificate.',
            createdAt: '2025-03-02',
            accepted: true,
            verified: true,
          },
          {
            id: 'V-1-b',
            author: 'noor.haddad@lantern.test',
            body: 'Rotate at night.',
            createdAt: '2025-03-01T12:00:00+02:00',
          },
        ],
        replies: [
          {
            id: 'r1',
            author: 'alice@customer-a.test',
            body: 'Same for us on 5.0.',
            createdAt: '2025-03-01T10:00:00Z',
          },
        ],
      }),
      {
        type: 'migration',
        id: 'M-1',
        author: 'alice@customer-a.test',
        product: 'relay-sync',
        from: '2.8',
        to: '3.0',
        windowStart: '2026-12-01',
        windowEnd: '2026-12-03',
        status: 'in_progress',
      },
    ])

    const summary = imported(await importFile(name))
    expect(summary).toMatchObject({
      dryRun: false,
      skipped: 0,
      people: { created: 1, existing: 1 },
      organizationsCreated: 1,
      posts: { created: 3, updated: 0, unchanged: 0 },
      workarounds: { created: 2, updated: 0, unchanged: 0 },
      replies: { created: 2, updated: 0, unchanged: 0 },
      invitations: 0,
    })
    expect(summary.validation).toMatchObject({ records: 5, valid: 5, invalid: 0, issues: [] })

    // People: the new one without a password, in a new organization; the existing account untouched.
    const [noor] = await db.select().from(users).where(eq(users.email, 'noor.haddad@lantern.test'))
    expect(noor).toMatchObject({
      name: 'Noor Haddad',
      role: 'customer',
      active: true,
      passwordHash: NO_PASSWORD_HASH,
    })
    const [lantern] = await db
      .select()
      .from(organizations)
      .where(eq(organizations.id, noor!.organizationId))
    expect(lantern).toMatchObject({ name: 'Lantern Analytics', isVendor: false })
    const [aliceRow] = await db.select().from(users).where(eq(users.id, alice.id))
    expect(aliceRow).toMatchObject({ name: 'Alice Andersen', organizationId: alice.organizationId })

    // The problem: dated as in the file, solved by its accepted workaround, answered first by Alice's reply.
    const p = (await byKey('problem:V-1'))!
    expect(p).toMatchObject({
      kind: 'problem',
      authorId: noor!.id,
      organizationId: noor!.organizationId,
      title: 'Websocket clients disconnect when the certificate rotates',
      visibility: 'staff',
      state: 'solved',
      replyCount: 1,
    })
    expect(p.createdAt.toISOString()).toBe('2025-03-01T09:00:00.000Z')
    expect(p.firstResponseAt?.toISOString()).toBe('2025-03-01T10:00:00.000Z')
    expect(p.lastActivityAt.toISOString()).toBe('2025-03-02T00:00:00.000Z')
    expect(p.updatedAt.getTime()).toBeGreaterThan(Date.now() - 60_000)
    const tags = await db
      .select({ tag: postTags.tag })
      .from(postTags)
      .where(eq(postTags.postId, p.id))
    expect(tags.map((t) => t.tag).sort()).toEqual(['tls', 'websocket'])
    const versions = await db
      .select({ name: productVersions.name })
      .from(postVersions)
      .innerJoin(productVersions, eq(productVersions.id, postVersions.versionId))
      .where(eq(postVersions.postId, p.id))
    expect(versions.map((v) => v.name).sort()).toEqual(['5.0', '5.1'])

    const a = (await byKey('workaround:V-1-a'))!
    const b = (await byKey('workaround:V-1-b'))!
    expect(a).toMatchObject({
      problemId: p.id,
      authorId: alice.id,
      visibility: 'staff',
      acceptedById: null,
      verifiedById: null,
    })
    expect(a.acceptedAt?.toISOString()).toBe('2025-03-02T00:00:00.000Z')
    expect(a.verifiedAt?.toISOString()).toBe('2025-03-02T00:00:00.000Z')
    expect(b).toMatchObject({ problemId: p.id, acceptedAt: null, verifiedAt: null })
    expect(b.createdAt.toISOString()).toBe('2025-03-01T10:00:00.000Z')
    const [reply] = await db.select().from(replies).where(eq(replies.postId, p.id))
    expect(reply).toMatchObject({ authorId: alice.id, body: 'Same for us on 5.0.' })

    // The story links the problem that came after it in the file; tags normalised as the forms do.
    const story = (await byKey('story:S-1'))!
    expect(story).toMatchObject({
      kind: 'story',
      relatedPostId: p.id,
      replyCount: 1,
      visibility: 'community',
    })
    const storyTags = await db
      .select({ tag: postTags.tag })
      .from(postTags)
      .where(eq(postTags.postId, story.id))
    expect(storyTags.map((t) => t.tag).sort()).toEqual(['rotation', 'tls'])

    const migration = (await byKey('migration:M-1'))!
    expect(migration).toMatchObject({
      kind: 'migration',
      title: 'Relay Sync 2.8 → 3.0',
      windowStart: '2026-12-01',
      windowEnd: '2026-12-03',
      migrationStatus: 'in_progress',
      body: '',
    })

    // Authors, workaround authors and repliers follow; nobody is notified or emailed.
    const followers = await db
      .select({ userId: follows.userId })
      .from(follows)
      .where(eq(follows.postId, p.id))
    expect(followers.map((f) => f.userId).sort()).toEqual([alice.id, noor!.id].sort())
    const after = await tally()
    expect(after.notifications).toBe(before.notifications)
    expect(after.outbox).toBe(before.outbox)
    expect(after.audit).toBe(before.audit + 1)
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.action, 'import.run'))
    expect(audit).toMatchObject({ actorId: null, subjectId: path.basename(name) })

    // Searchable at once: the problem by its workaround's text (staff-only: support finds it, a customer does not).
    await searchSettled()
    const found = (actor: Actor, query: string) => {
      const outcome = searchPosts(actor, query)
      return outcome.status === 'ok' ? outcome.results.map((r) => r.id) : []
    }
    expect(found(vendorSupport, 'graceful_reload rotating')).toContain(p.id)
    expect(found(alice, 'graceful_reload rotating')).not.toContain(p.id)
    expect(found(alice, 'certificate rotation sessions')).toContain(story.id)
    await stopSearchIndex({ save: false })
  })

  it('is found by a server that starts after the import, from a snapshot saved before it (watermark catch-up)', async () => {
    // A server starts (building its index and saving a snapshot) and stops before the import.
    const snapshotDir = path.join(dir, 'snapshot')
    await startSearchIndex({ snapshotDir })
    const saved = async () =>
      (await fs.readdir(snapshotDir).catch(() => [])).some((f) => !f.endsWith('.tmp'))
    for (let i = 0; i < 1000 && !(await saved()); i++) await setTimeout(10)
    expect(await saved()).toBe(true)
    await stopSearchIndex({ save: false })

    // Old dates on purpose: the catch-up must not depend on when the posts were first written.
    const name = await file([
      problem('W-1', {
        title: 'Quarantined messages pile up in the dead-letter store',
        body: 'The dead-letter store grows without bound.',
        createdAt: '2019-06-01T00:00:00Z',
        workarounds: [
          {
            id: 'W-1-a',
            author: 'sam@vendor.test',
            body: 'Schedule purge_deadletters nightly.',
            createdAt: '2019-06-02T00:00:00Z',
          },
        ],
      }),
    ])
    imported(await importFile(name))

    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    await startSearchIndex({ snapshotDir })
    expect(info.mock.calls.map((c) => String(c[0])).join('\n')).toContain(
      'loaded from snapshot and caught up',
    )
    info.mockRestore()
    const outcome = searchPosts(alice, 'purge_deadletters')
    const id = (await byKey('problem:W-1'))!.id
    expect(outcome.status === 'ok' && outcome.results.map((r) => r.id)).toContain(id)
    await stopSearchIndex({ save: false })
  })
})

describe('an invalid file', () => {
  it('reports every bad line with its number and writes nothing', async () => {
    await createUser({ email: 'inactive@customer-b.test', active: false })
    const before = await tally()
    const name = await file([
      {
        type: 'person',
        email: 'new.person@customer-b.test',
        name: 'New Person',
        organization: 'Birchwood Health',
      },
      '{"type": "problem", "id": "X-1",',
      problem('X-2', { foo: 1, severity: 'high' }),
      { type: 'problem', id: 'X-3', author: 'alice@customer-a.test', product: 'relay-gateway' },
      problem('X-4', { body: 'x'.repeat(50_001) }),
      problem('X-5', { product: 'relay-mesh' }),
      problem('X-6', { versions: ['9.9'] }),
      problem('X-7', { author: 'nobody@nowhere.test' }),
      problem('X-2b'),
      problem('X-2b'),
      {
        type: 'story',
        id: 'Y-1',
        author: 'alice@customer-a.test',
        title: 'A good story',
        body: 'It went well.',
        product: 'relay-sync',
        related: { type: 'migration', id: 'gone' },
      },
      { type: 'question', id: 1 },
      '[1, 2, 3]',
      problem('X-8', { createdAt: '2999-01-01T00:00:00Z', tags: ['two words'] }),
      {
        type: 'migration',
        id: 'M-bad',
        author: 'alice@customer-a.test',
        product: 'relay-sync',
        from: '2.8',
        to: '2.8',
        windowStart: '2026-01-01',
      },
      {
        type: 'person',
        email: 'staff@customer-b.test',
        name: 'Not Staff',
        organization: 'Birchwood Health',
        role: 'support',
      },
      problem('X-9', {
        author: 'inactive@customer-b.test',
        workarounds: [
          { id: 'w', author: 'alice@customer-a.test', body: 'ok', accepted: true },
          { id: 'w2', author: 'alice@customer-a.test', body: 'also', accepted: true },
        ],
      }),
      problem('X-10', { author: 'new.person@customer-b.test' }),
    ])

    const outcome = await importFile(name)
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.reason).toBe('invalid')
    expect(outcome.message).toBe('15 of 18 lines have problems; nothing was imported.')
    const lines = outcome.validation!.issues.map((i) => `line ${i.line}: ${i.message}`)
    expect(lines[0]).toMatch(/^line 2: invalid JSON \(.+\)$/)
    expect(lines.slice(1)).toEqual([
      'line 3: unknown field "foo"',
      'line 3: unknown field "severity"',
      'line 4: title: required',
      'line 4: body: required',
      'line 5: body: too long: 50,001 characters (max 50,000)',
      'line 6: product: unknown product "relay-mesh" (known: relay-gateway, relay-insight, relay-sync)',
      'line 7: versions[0]: relay-gateway has no version "9.9" (known: 4.2, 4.3, 5.0, 5.1)',
      'line 8: author "nobody@nowhere.test": no account has this email and no person line in the file gives it',
      'line 10: id: duplicate problem id "X-2b" (first on line 9)',
      'line 11: related: migration "gone" is neither in this file nor imported before',
      'line 12: type: must be one of person, problem, story, migration (got "question")',
      'line 13: expected a JSON object ({…}) on each line',
      'line 14: tags[0]: a tag is one word (letters and digits, with - . + # _)',
      'line 14: createdAt: is in the future',
      'line 15: to: must differ from "from"',
      `line 16: role: support is only for people of the vendor's own organization, and "Birchwood Health" is not it`,
      'line 17: workarounds: at most one workaround can be accepted',
    ])
    expect(outcome.validation).toMatchObject({ records: 18, valid: 3, invalid: 15, tooMany: false })
    expect(await tally()).toEqual(before)
  })

  it('reports a line longer than the limit and text that is not UTF-8, and reads on', async () => {
    const name = path.join(dir, 'long-line.jsonl')
    const long = JSON.stringify(problem('L-1', { body: 'y'.repeat(3 * 1024 * 1024) }))
    await fs.writeFile(
      name,
      Buffer.concat([
        Buffer.from(`${long}\n`),
        Buffer.from([0xc3, 0x28, 0x0a]),
        Buffer.from(`${JSON.stringify(problem('L-2', { foo: 1 }))}\n`),
      ]),
    )
    const outcome = await importFile(name)
    expect(!outcome.ok && outcome.validation!.issues).toEqual([
      {
        line: 1,
        message: 'longer than 2 MiB; split its workarounds or replies, or shorten its text',
      },
      { line: 2, message: 'not valid UTF-8 text; save the file as UTF-8' },
      { line: 3, message: 'unknown field "foo"' },
    ])
  })

  it(`refuses a 100,000-line file (more than ${MAX_RECORDS.toLocaleString('en')} records) with a clear report and writes nothing`, async () => {
    const before = await tally()
    const name = path.join(dir, 'huge.jsonl')
    const handle = await fs.open(name, 'w')
    const lines: string[] = []
    for (let i = 0; i < 100_000; i++) {
      lines.push(
        `{"type":"problem","id":"H-${i}","author":"alice@customer-a.test","title":"Huge file problem ${i}","body":"b","product":"relay-gateway"}`,
      )
      if (lines.length === 10_000) {
        await handle.write(lines.join('\n') + '\n')
        lines.length = 0
      }
    }
    await handle.close()
    const outcome = await importFile(name, { skipInvalid: true })
    expect(outcome).toMatchObject({
      ok: false,
      reason: 'too_many',
      message:
        'The file has more than 50,000 records; nothing was imported. Split it into files of at most 50,000 records and import them one after the other (a later file may refer to ids and people of an earlier one).',
    })
    expect(await tally()).toEqual(before)
  })

  it('answers a missing file with a message, not an exception', async () => {
    expect(await importFile(path.join(dir, 'nope.jsonl'))).toMatchObject({
      ok: false,
      reason: 'unreadable',
      message: `There is no file ${path.join(dir, 'nope.jsonl')}.`,
    })
  })
})

describe('--skip-invalid', () => {
  it('imports the valid lines and leaves out the bad ones and those that depend on them', async () => {
    const name = await file([
      { type: 'person', email: 'broken@customer-c.test', name: '', organization: 'Cobalt' },
      problem('K-1', { author: 'broken@customer-c.test' }),
      problem('K-2'),
      {
        type: 'story',
        id: 'K-3',
        author: 'alice@customer-a.test',
        title: 'Depends on a bad line',
        body: 'x',
        product: 'relay-gateway',
        related: { type: 'problem', id: 'K-1' },
      },
      problem('K-4', { product: 'nothing' }),
    ])
    const outcome = imported(await importFile(name, { skipInvalid: true }))
    expect(outcome).toMatchObject({
      skipped: 4,
      posts: { created: 1 },
      people: { created: 0, existing: 0 },
    })
    expect(outcome.validation.issues.map((i) => `line ${i.line}: ${i.message}`)).toEqual([
      'line 1: name: is empty',
      'line 2: author "broken@customer-c.test": the person line for it (line 1) has problems',
      'line 4: related: problem "K-1" (line 2) has problems',
      'line 5: product: unknown product "nothing" (known: relay-gateway, relay-insight, relay-sync)',
    ])
    expect(await byKey('problem:K-2')).toBeDefined()
    const written = await db
      .select({ key: posts.importKey })
      .from(posts)
      .where(inArray(posts.importKey, ['problem:K-1', 'story:K-3', 'problem:K-4']))
    expect(written).toEqual([])
    expect(await db.select().from(users).where(eq(users.email, 'broken@customer-c.test'))).toEqual(
      [],
    )
  })

  it('--dry-run validates and counts, writing nothing', async () => {
    const before = await tally()
    const name = await file([
      problem('D-1'),
      problem('K-2'),
      { type: 'person', email: 'dry@run.test', name: 'Dry Run', organization: 'Dry' },
    ])
    const summary = imported(await importFile(name, { dryRun: true }))
    expect(summary).toMatchObject({
      dryRun: true,
      validation: { valid: 3, alreadyImported: 1, byType: { person: 1, problem: 2 } },
    })
    expect(await tally()).toEqual(before)
  })
})

describe('running again', () => {
  const lines = () => [
    {
      type: 'person',
      email: 'rerun@customer-d.test',
      name: 'Re Run',
      organization: 'Dunmore Logistics',
    },
    problem('R-1', {
      author: 'rerun@customer-d.test',
      createdAt: '2025-05-01T08:00:00Z',
      tags: ['retry'],
      workarounds: [
        {
          id: 'R-1-a',
          author: 'alice@customer-a.test',
          body: 'First fix.',
          createdAt: '2025-05-02T08:00:00Z',
          accepted: true,
        },
        {
          id: 'R-1-b',
          author: 'sam@vendor.test',
          body: 'Second fix.',
          createdAt: '2025-05-03T08:00:00Z',
        },
      ],
      replies: [
        {
          id: 'c1',
          author: 'alice@customer-a.test',
          body: 'Seen it too.',
          createdAt: '2025-05-01T09:00:00Z',
        },
      ],
    }),
    {
      type: 'story',
      id: 'R-2',
      author: 'alice@customer-a.test',
      title: 'A story to keep',
      body: 'Unchanged.',
      product: 'relay-insight',
    },
  ]

  it('creates no duplicates and counts everything unchanged', async () => {
    const name = await file(lines())
    imported(await importFile(name))
    const before = await tally()
    const p = (await byKey('problem:R-1'))!

    const again = imported(await importFile(name))
    expect(again).toMatchObject({
      people: { created: 0, existing: 1 },
      posts: { created: 0, updated: 0, unchanged: 2 },
      workarounds: { created: 0, updated: 0, unchanged: 2 },
      replies: { created: 0, updated: 0, unchanged: 1 },
    })
    expect({ ...(await tally()), audit: 0 }).toEqual({ ...before, audit: 0 })
    expect((await byKey('problem:R-1'))!.updatedAt).toEqual(p.updatedAt)
  })

  it('applies what changed in the file: text, the accepted workaround, new replies; keeps the rest', async () => {
    const changed = lines()
    const p = changed[1] as ReturnType<typeof problem> & {
      workarounds: { accepted?: boolean; body: string }[]
      replies: object[]
    }
    p.title = 'Relay Gateway problem R-1, retitled'
    p.workarounds[0]!.accepted = false
    p.workarounds[1]!.accepted = true
    p.workarounds[1]!.body = 'Second fix, refined.'
    p.replies.push({
      id: 'c2',
      author: 'sam@vendor.test',
      body: 'Fixed in 5.1.1.',
      createdAt: '2025-05-04T08:00:00Z',
    })
    const before = await tally()
    const storyBefore = (await byKey('story:R-2'))!

    const summary = imported(await importFile(await file(changed)))
    expect(summary).toMatchObject({
      posts: { created: 0, updated: 1, unchanged: 1 },
      workarounds: { created: 0, updated: 2, unchanged: 0 },
      replies: { created: 1, updated: 0, unchanged: 1 },
    })
    const after = await tally()
    expect(after.posts).toBe(before.posts)
    expect(after.replies).toBe(before.replies + 1)

    const problemRow = (await byKey('problem:R-1'))!
    expect(problemRow).toMatchObject({
      title: 'Relay Gateway problem R-1, retitled',
      state: 'solved',
      replyCount: 2,
    })
    expect(problemRow.lastActivityAt.toISOString()).toBe('2025-05-04T08:00:00.000Z')
    const accepted = await db
      .select({ key: posts.importKey, body: posts.body })
      .from(posts)
      .where(and(eq(posts.problemId, problemRow.id), isNotNull(posts.acceptedAt)))
    expect(accepted).toEqual([{ key: 'workaround:R-1-b', body: 'Second fix, refined.' }])
    expect((await byKey('story:R-2'))!.updatedAt).toEqual(storyBefore.updatedAt)
  })
})

describe('invitations', () => {
  it('only with --invite: a password link for each person without a password, once; the link lets them sign in', async () => {
    const name = await file([
      {
        type: 'person',
        email: 'invitee@customer-e.test',
        name: 'In Vitee',
        organization: 'Elmhurst Energy',
      },
      {
        type: 'person',
        email: 'alice@customer-a.test',
        name: 'Alice Andersen',
        organization: 'Acme',
      },
    ])
    const setupMails = () =>
      db.select().from(outbox).where(like(outbox.dedupeKey, 'password-setup:%'))
    imported(await importFile(name))
    expect(await setupMails()).toEqual([])

    const first = imported(await importFile(name, { invite: true }))
    expect(first.invitations).toBe(1)
    const mails = await setupMails()
    expect(mails).toHaveLength(1)
    expect(mails[0]).toMatchObject({
      toAddress: 'invitee@customer-e.test',
      subject: 'Your Switchboard account is ready',
    })

    expect(imported(await importFile(name, { invite: true })).invitations).toBe(0)
    expect(await setupMails()).toHaveLength(1)

    const token = /\/reset-password\/([A-Za-z0-9_-]+)/.exec(mails[0]!.text)?.[1]
    const password = 'a long and unusual passphrase 42'
    expect((await resetPassword(token, password)).ok).toBe(true)
    expect((await signIn({ email: 'invitee@customer-e.test', password })).ok).toBe(true)
  })
})

describe('the example in docs/', () => {
  it('imports cleanly and again without changes', async () => {
    const example = path.resolve('docs/import-example.jsonl')
    const summary = imported(await importFile(example))
    expect(summary).toMatchObject({
      skipped: 0,
      people: { created: 2 },
      posts: { created: 3 },
      workarounds: { created: 2 },
      replies: { created: 1 },
    })
    expect(summary.validation.byType).toEqual({
      person: 2,
      problem: 1,
      story: 1,
      migration: 1,
      workaround: 2,
      reply: 1,
    })
    const p = (await byKey('problem:KB-1042'))!
    expect(p.state).toBe('solved')
    expect((await byKey('story:ST-17'))!.relatedPostId).toBe(p.id)
    expect(imported(await importFile(example)).posts).toEqual({
      created: 0,
      updated: 0,
      unchanged: 3,
    })
  })
})

describe('the command line', () => {
  it.skipIf(process.env.TEST_DB_DRIVER === 'postgres')(
    'prints each bad line with its number and exits with 1',
    async () => {
      const name = await file([
        { type: 'person', email: 'cli@example.test', name: 'Cli', organization: 'Cli Org' },
        '{oops',
      ])
      const run = promisify(execFile)
      const failure = await run(
        path.resolve('node_modules/.bin/tsx'),
        ['scripts/import.ts', name],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            NODE_ENV: 'production',
            DATA_DIR: path.join(dir, 'cli-data'),
          },
        },
      ).catch((error: { code: number; stdout: string; stderr: string }) => error)
      expect('code' in failure && failure.code).toBe(1)
      expect(failure.stdout).toMatch(/^line 2: invalid JSON \(.+\)$/m)
      expect(failure.stderr).toContain('1 of 2 lines have problems; nothing was imported.')
      expect(failure.stderr).toContain(
        'add --skip-invalid to import the 1 valid line and leave these out',
      )
    },
    60_000,
  )
})
