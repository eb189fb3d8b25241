/**
 * How changes reach the index (docs/decisions/0016): a change written
 * without any notification (plain SQL, standing in for a writer that forgot)
 * is applied by the periodic reconcile; the log is read by transaction, so
 * an old timestamp or a transaction that commits late is not passed over;
 * a burst is applied in bounded chunks that let the event loop run between
 * them, each post once; the snapshot records how far behind it is and a
 * stop never leaves half of one.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as EmailModule from '~/modules/email/email.server'
import { actorOf, createProduct, createUser } from '#tests/factories'
import { databaseUrl } from '#tests/setup/urls'
import { db, openDatabase } from '~/db/client.server'
import { settings } from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import { logProblem } from '~/modules/posts/posts.server'
import {
  APPLY_CHUNK,
  pruneChangeLog,
  reconcileSearchIndex,
  saveSnapshot,
  searchIndexCounters,
  searchIndexPosition,
  searchSettled,
  snapshotPath,
  startSearchIndex,
  stopSearchIndex,
} from './search-index.server'
import { searchPosts } from './search.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'

let alice: Actor
let support: Actor
let productId: string

const found = (query: string, actor = support) => {
  const outcome = searchPosts(actor, query)
  return outcome.status === 'ok' ? outcome.results.map((r) => r.id) : []
}

async function problem(title: string) {
  const result = await logProblem(alice, { title, body: 'Seen on every node.', productId, versionIds: [], tags: [] })
  if (!result.ok) throw new Error(result.message)
  await searchSettled()
  return result.value.id
}

/** Polls until `query` finds `id`, for at most `ms`. */
async function eventuallyFound(query: string, id: string, ms = 10_000) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (found(query).includes(id)) return true
    await sleep(50)
  }
  return false
}

beforeAll(async () => {
  alice = actorOf(await createUser({ name: 'Alice' }))
  support = actorOf(await createUser({ role: 'support', name: 'Sam' }))
  productId = (await createProduct({ name: 'Relay Sync', slug: `sync-${Date.now()}`, versions: ['3.0'] })).id
})

afterEach(async () => {
  await stopSearchIndex({ save: false })
})

describe('the reconcile', () => {
  it('applies a change committed with no notification (plain SQL, an old timestamp) within its interval', async () => {
    await startSearchIndex({ snapshotDir: null, reconcileMs: 200 })
    const id = await problem('Numbat scheduler skips the first run')
    // No command, no NOTIFY, no local event; and a timestamp years in the past.
    await db.execute(sql`update posts set title = 'Wombat scheduler skips the first run', updated_at = '2019-01-01' where id = ${id}`)
    // Only the reconcile timer can bring it: nothing else was told.
    expect(await eventuallyFound('wombat scheduler', id)).toBe(true)
    expect(found('numbat')).not.toContain(id)
  })

  it('moves its position as changes are applied, not only when it catches up', async () => {
    await startSearchIndex({ snapshotDir: null, reconcileMs: 60_000 })
    const before = searchIndexPosition()!
    await problem('Dingo exporter writes empty files')
    await reconcileSearchIndex()
    const after = searchIndexPosition()!
    expect(after).toBeGreaterThanOrEqual(before)
    // On the embedded database nothing else runs: the write's transaction is behind the position now.
    if (!onPostgres) expect(after).toBeGreaterThan(before)
  })

  it.skipIf(!onPostgres)('is not passed over by a transaction that started earlier and commits late', async () => {
    await startSearchIndex({ snapshotDir: null, reconcileMs: 60_000 })
    const id = await problem('Kiwi agent leaks file handles')
    const [row] = (await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[]
    const other = postgres(databaseUrl(process.env.TEST_DATABASE_URL!, row!.name), { max: 1, onnotice: () => {} })
    try {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      let written: () => void = () => {}
      const updated = new Promise<void>((resolve) => (written = resolve))
      const late = other.begin(async (tx) => {
        await tx`update posts set title = 'Kakapo agent leaks file handles' where id = ${id}`
        written()
        // Held open while others write and the log is read past this moment.
        await gate
      })
      await updated
      await problem('Tuatara agent is unrelated')
      await reconcileSearchIndex()
      expect(found('kakapo')).not.toContain(id)
      release()
      await late
      await reconcileSearchIndex()
      expect(found('kakapo agent')).toContain(id)
    } finally {
      await other.end()
    }
  })
})

describe('a burst of changes', () => {
  it(`is applied in chunks of at most ${APPLY_CHUNK} posts with the event loop running between them, each post once`, async () => {
    await startSearchIndex({ snapshotDir: null, reconcileMs: 60_000 })
    // 2,500 posts written and then all edited: 5,000 changes in the log.
    await db.execute(sql`insert into posts (id, kind, author_id, organization_id, product_id, title, body, state)
      select 'burst-' || i, 'problem', ${alice.id}, ${alice.organizationId}, ${productId}, 'Burst problem ' || i, 'Seen once.', 'open'
      from generate_series(1, 2500) as i`)
    await db.execute(sql`update posts set title = 'Quokka burst problem ' || substr(id, 7) where id like 'burst-%'`)
    const before = searchIndexCounters()
    // What the event loop saw while the burst was applied: other requests are answered between chunks.
    const seen = new Set<number>()
    let ticking = true
    const ticker = (async () => {
      while (ticking) {
        seen.add(searchIndexCounters().applied - before.applied)
        await nextTurn()
      }
    })()
    await reconcileSearchIndex()
    ticking = false
    await ticker
    const after = searchIndexCounters()
    expect(after.applied - before.applied).toBe(2500)
    expect(after.chunks - before.chunks).toBe(Math.ceil(2500 / APPLY_CHUNK))
    expect(after.largestChunk).toBeLessThanOrEqual(APPLY_CHUNK)
    const between = [...seen].filter((n) => n > 0 && n < 2500)
    expect(between.length).toBeGreaterThanOrEqual(Math.ceil(2500 / APPLY_CHUNK) - 1)
    expect(found('quokka burst problem 1234')).toContain('burst-1234')
  })

  it.skipIf(!onPostgres)('of 5,000 notifications is read from the log a few times, not 5,000', async () => {
    await startSearchIndex({ snapshotDir: null, reconcileMs: 60_000 })
    const id = await problem('Platypus relay drops acks')
    const before = searchIndexCounters()
    await db.transaction(async (tx) => {
      await tx.execute(sql`update posts set title = 'Echidna relay drops acks' where id = ${id}`)
      await tx.execute(sql`select pg_notify('switchboard_post_changes', i::text) from generate_series(1, 5000) as i`)
    })
    expect(await eventuallyFound('echidna relay', id)).toBe(true)
    await sleep(500)
    await searchSettled()
    const after = searchIndexCounters()
    expect(after.pulls - before.pulls).toBeLessThan(100)
    expect(after.applied - before.applied).toBe(1)
  })
})

describe('the change log', () => {
  it('keeps a week of changes: older rows are pruned, newer ones stay', async () => {
    await db.execute(sql`insert into post_changes (post_id, at) values ('pruned-old', now() - interval '8 days'), ('pruned-new', now() - interval '6 days')`)
    expect(await pruneChangeLog()).toBeGreaterThanOrEqual(1)
    const rows = (await db.execute(sql`select post_id from post_changes where post_id like 'pruned-%'`)) as unknown as { post_id: string }[] | { rows: { post_id: string }[] }
    const left = (Array.isArray(rows) ? rows : rows.rows).map((r) => r.post_id)
    expect(left).toEqual(['pruned-new'])
  })

  it.skipIf(!onPostgres)('is listened to on DATABASE_LISTEN_URL\'s own connection when one is given', async () => {
    const [row] = (await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[]
    const url = databaseUrl(process.env.TEST_DATABASE_URL!, row!.name)
    const handle = await openDatabase({ driver: 'postgres', url, poolSize: 1, listenUrl: url })
    try {
      expect(handle.listener).not.toBe(handle.postgres)
      let hear: (payload: string) => void = () => {}
      const heard = new Promise<string>((resolve) => (hear = resolve))
      await handle.listener!.listen('switchboard_post_changes', (payload) => hear(payload))
      await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_notify('switchboard_post_changes', 'hello')`)
      })
      expect(await heard).toBe('hello')
      const listening = (await db.execute(
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'switchboard-listen' and query ilike 'listen%'`,
      )) as unknown as { n: number }[]
      expect(listening[0]!.n).toBe(1)
    } finally {
      await handle.close()
    }
  })
})

describe('the snapshot', () => {
  let dir: string
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-snapshot-'))
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('says at start how far behind it was, and a save that does not fit the budget leaves the earlier one whole', async () => {
    const file = snapshotPath(dir, onPostgres ? 'postgres' : 'pglite')
    await startSearchIndex({ snapshotDir: dir })
    const id = await problem('Wallaby importer stalls at midnight')
    expect(await saveSnapshot()).toBe(true)
    const saved = await fs.readFile(file)
    await stopSearchIndex({ save: false })

    await db.execute(sql`update posts set title = 'Bilby importer stalls at midnight' where id = ${id}`)
    await db.execute(sql`update posts set body = 'Seen on two nodes.' where id = ${id}`)
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    await startSearchIndex({ snapshotDir: dir })
    const logged = info.mock.calls.map((c) => String(c[0])).join('\n')
    info.mockRestore()
    expect(logged).toMatch(/snapshot saved .* ago \(database time\), [\d,]+ change\(s\) behind/)
    expect(Number(/([\d,]+) change\(s\) behind/.exec(logged)![1]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(2)
    expect(logged).toContain('loaded from snapshot and caught up')
    expect(found('bilby importer')).toContain(id)

    // A stop with no time left: the save is abandoned, the earlier snapshot stays as it was, no temporary file.
    await problem('Bandicoot loader ignores retries')
    const stopped = vi.spyOn(console, 'info').mockImplementation(() => {})
    await stopSearchIndex({ budgetMs: 0 })
    expect(stopped.mock.calls.map((c) => String(c[0])).join('\n')).toContain('did not fit the 0 ms stop budget')
    stopped.mockRestore()
    expect((await fs.readFile(file)).equals(saved)).toBe(true)
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('is not used against another database: its position would mean nothing there', async () => {
    await startSearchIndex({ snapshotDir: dir })
    await problem('Quoll gateway forgets routes')
    expect(await saveSnapshot()).toBe(true)
    await stopSearchIndex({ save: false })
    // As if DATA_DIR were kept and DATABASE_URL pointed elsewhere.
    await db.update(settings).set({ value: 'another-database' }).where(sql`${settings.key} = 'search.database_id'`)
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    await startSearchIndex({ snapshotDir: dir })
    const logged = info.mock.calls.map((c) => String(c[0])).join('\n')
    info.mockRestore()
    expect(logged).toContain('saved against another database')
    expect(logged).toContain('built from the database')
  })
})
