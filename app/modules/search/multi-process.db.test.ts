/**
 * Several app processes sharing one PostgreSQL: a post written through this
 * process is found by a second process (LISTEN/NOTIFY), and a process whose
 * connection was cut catches up when it reconnects. PostgreSQL only.
 */
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as EmailModule from '~/modules/email/email.server'
import { actorOf, createProduct, createUser } from '#tests/factories'
import { databaseUrl } from '#tests/setup/urls'
import { db, getDatabaseHandle } from '~/db/client.server'
import { type Actor } from '~/modules/accounts/accounts.server'
import { logProblem } from '~/modules/posts/posts.server'
import { startSearchIndex, stopSearchIndex } from './search-index.server'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'

describe.skipIf(!onPostgres)('search across processes (PostgreSQL)', () => {
  let peer: ChildProcess
  let author: Actor
  let productId: string
  let nextId = 1
  const pending = new Map<number, (value: { ids: string[] }) => void>()

  const ask = (query: string) =>
    new Promise<string[]>((resolve) => {
      const id = nextId++
      pending.set(id, (answer) => resolve(answer.ids))
      peer.send({ id, query })
    })

  /** Asks the peer until it finds `postId` or `ms` pass. */
  async function peerFinds(query: string, postId: string, ms = 8000) {
    const until = Date.now() + ms
    while (Date.now() < until) {
      if ((await ask(query)).includes(postId)) return true
      await new Promise((r) => setTimeout(r, 100))
    }
    return false
  }

  beforeAll(async () => {
    author = actorOf(await createUser())
    productId = (await createProduct({ name: 'Relay Sync', slug: `sync-${Date.now()}`, versions: ['3.0'] })).id
    // This process broadcasts its changes with NOTIFY once its index runs.
    await startSearchIndex({ snapshotDir: null })
    const [row] = await db.select({ name: sql<string>`current_database()` }).from(sql`(select 1) as one`)
    peer = fork(path.resolve('tests/search/search-peer.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PEER_DATABASE_URL: databaseUrl(process.env.TEST_DATABASE_URL!, row!.name), NODE_ENV: 'test' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    await new Promise<void>((resolve, reject) => {
      peer.once('error', reject)
      peer.on('message', (message: { ready?: boolean; id?: number; ids?: string[] }) => {
        if (message.ready) resolve()
        else if (message.id) pending.get(message.id)?.({ ids: message.ids ?? [] })
      })
    })
  }, 60_000)

  afterAll(async () => {
    if (peer?.connected) {
      await new Promise<void>((resolve) => {
        peer.once('exit', () => resolve())
        peer.send({ id: 0, stop: true })
        setTimeout(() => peer.kill(), 5000).unref()
      })
    }
    await stopSearchIndex({ save: false })
  })

  it('a post written through one process is found through the other', async () => {
    const result = await logProblem(author, { title: 'Pangolin replication slot fills the disk', body: 'The slot never advances.', productId, versionIds: [], tags: [] })
    if (!result.ok) throw new Error(result.message)
    expect(await peerFinds('pangolin replication slot', result.value.id)).toBe(true)
  })

  it('a process whose connection was cut catches up when it reconnects', async () => {
    // Cut every other connection to this database that is listening (the peer's).
    await getDatabaseHandle().db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`,
    )
    // Written while the peer may be disconnected: its NOTIFY can be lost.
    const result = await logProblem(author, { title: 'Axolotl connector forgets its offsets', body: 'After a restart it starts from zero.', productId, versionIds: [], tags: [] })
    if (!result.ok) throw new Error(result.message)
    expect(await peerFinds('axolotl connector offsets', result.value.id, 15_000)).toBe(true)
  })
})
