/**
 * One database handle for the process: PostgreSQL through postgres.js when a
 * URL is given, otherwise the embedded PGlite (PostgreSQL compiled to WASM)
 * stored in a directory. Both speak the same schema and migrations.
 *
 * The handle lives on `globalThis` so that every copy of this module sees the
 * same one: Vite's dev server may reload modules, and the production server
 * loads the Remix build next to its own imports. Opening PGlite twice on one
 * directory would corrupt it, so `connectDatabase` is the only opener.
 */
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from './schema'

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>
/** A transaction, or the database itself: commands accept either. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute' | 'query'>

export type DatabaseHandle = {
  db: Database
  driver: 'postgres' | 'pglite'
  /** The PGlite instance when embedded (for snapshots in tests). */
  pglite?: PGlite
  /** The postgres.js client when on PostgreSQL (for LISTEN/NOTIFY). */
  postgres?: postgres.Sql
  close(): Promise<void>
}

export type ConnectOptions =
  | { driver: 'postgres'; url: string; poolSize?: number }
  | { driver: 'pglite'; dataDir?: string; loadDataDir?: Blob }

/** Opens a connection (pool) without registering it as the process's database. */
export async function openDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.driver === 'postgres') {
    const client = postgres(options.url, {
      max: options.poolSize ?? 10,
      onnotice: () => {},
      // Dates come back as Date objects, the same as PGlite.
      connection: { application_name: 'switchboard' },
    })
    const db = drizzlePostgres({ client, schema }) as unknown as Database
    return { db, driver: 'postgres', postgres: client, close: () => client.end({ timeout: 5 }) }
  }
  const pglite = new PGlite({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
  })
  await pglite.waitReady
  const db = drizzlePglite({ client: pglite, schema }) as unknown as Database
  return { db, driver: 'pglite', pglite, close: () => pglite.close() }
}

type Global = { __switchboardDatabase?: DatabaseHandle }
const holder = globalThis as Global

/** Makes `handle` the process's database (what `db` points at). */
export function setDatabase(handle: DatabaseHandle | undefined) {
  holder.__switchboardDatabase = handle
}

/** The process's database handle; throws when none is connected yet. */
export function getDatabaseHandle(): DatabaseHandle {
  const handle = holder.__switchboardDatabase
  if (!handle) throw new Error('switchboard/db: no database connected yet (call connectDatabase first)')
  return handle
}

export function hasDatabase() {
  return holder.__switchboardDatabase !== undefined
}

/** Opens the database once per process and registers it; later calls return the same handle. */
export async function connectDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (holder.__switchboardDatabase) return holder.__switchboardDatabase
  const handle = await openDatabase(options)
  setDatabase(handle)
  return handle
}

/**
 * The process's database. Domain modules import this; it forwards to the
 * handle registered by `connectDatabase` (or a test's fresh database).
 */
export const db: Database = new Proxy({} as Database, {
  get(_target, property) {
    const target = getDatabaseHandle().db as unknown as Record<PropertyKey, unknown>
    const value = target[property]
    return typeof value === 'function' ? value.bind(target) : value
  },
})

/** True when the database answers a trivial query. */
export async function pingDatabase(handle = getDatabaseHandle()) {
  await handle.db.execute(sql`select 1`)
  return true
}
