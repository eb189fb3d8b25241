/**
 * The page benchmark's database for one size: a fresh PostgreSQL database
 * (on BENCH_DATABASE_URL or TEST_DATABASE_URL, uniquely named, dropped at
 * the end) or, with `--pglite`, the embedded database in a temporary
 * DATA_DIR, laid out where the hub looks for it (DATA_DIR/pglite).
 *
 * The benchmark writes the community through its own handle, closes it,
 * then starts the hub on the same database.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { openDatabase, type DatabaseHandle } from '~/db/client.server'
import { migrateDatabase } from '~/db/migrate'
import { rowsOf } from './bench-database'

export type PagesDatabase = {
  label: string
  /** The hub's environment for this database (DATABASE_URL, or DATA_DIR). */
  env: Record<string, string>
  /** The benchmark's own handle while it writes (closed by `release`). */
  handle: DatabaseHandle
  release(): Promise<void>
  /**
   * The pids of the PostgreSQL backends connected to this database, except
   * the benchmark's own; null on PGlite (its work is inside the hub's process).
   */
  backendPids: (() => Promise<number[]>) | null
  /** Visible problems whose stored meaning is missing or older than the post (what the hub's catch-up still has to encode); null on PGlite, which the hub holds. */
  pendingMeanings: (() => Promise<number>) | null
  drop(): Promise<void>
}

/** The server URL to create databases on, or undefined (then only --pglite works). */
export const postgresBase = () => process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined

function withDatabase(base: string, name: string) {
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

/** Creates and migrates the database for `size` posts. */
export async function createPagesDatabase({ pglite, size }: { pglite: boolean; size: number }): Promise<PagesDatabase> {
  if (pglite) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-pages-'))
    const handle = await openDatabase({ driver: 'pglite', dataDir: path.join(dataDir, 'pglite') })
    await migrateDatabase(handle)
    let open = true
    return {
      label: `PGlite (embedded, ${dataDir})`,
      env: { DATA_DIR: dataDir },
      handle,
      release: async () => {
        if (open) await handle.close()
        open = false
      },
      backendPids: null,
      pendingMeanings: null,
      drop: async () => {
        if (open) await handle.close()
        open = false
        await fs.rm(dataDir, { recursive: true, force: true })
      },
    }
  }
  const base = postgresBase()
  if (!base) throw new Error('bench: set BENCH_DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server where databases may be created), or pass --pglite')
  const name = `switchboard_pages_${process.pid}_${size}_${Date.now().toString(36)}`
  // The benchmark's own connections name themselves, so they are never counted as the hub's.
  const admin = postgres(base, { max: 1, onnotice: () => {}, connection: { application_name: 'switchboard-bench' } })
  await admin.unsafe(`create database "${name}"`)
  const url = withDatabase(base, name)
  const handle = await openDatabase({ driver: 'postgres', url, poolSize: 4 })
  await migrateDatabase(handle, url)
  const version = rowsOf<{ v: string }>(await handle.db.execute(sql`select current_setting('server_version') as v`))[0]?.v ?? ''
  let open = true
  let dropped = false
  let reader: postgres.Sql | null = null
  return {
    label: `PostgreSQL ${version} (database ${name})`,
    env: { DATABASE_URL: url },
    handle,
    release: async () => {
      if (open) await handle.close()
      open = false
    },
    backendPids: async () => {
      const rows = await admin<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = ${name} and coalesce(application_name, '') <> 'switchboard-bench' and pid <> pg_backend_pid()`
      return rows.map((r) => r.pid)
    },
    pendingMeanings: async () => {
      reader ??= postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'switchboard-bench' } })
      const [row] = await reader<{ count: number }[]>`
        select count(*)::int as count from posts p left join post_meanings m on m.post_id = p.id
        where p.kind = 'problem' and p.hidden_at is null and (m.post_id is null or m.post_updated_at < p.updated_at)`
      return row?.count ?? 0
    },
    drop: async () => {
      if (dropped) return
      dropped = true
      await reader?.end().catch(() => {})
      if (open) await handle.close().catch(() => {})
      open = false
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end()
    },
  }
}
