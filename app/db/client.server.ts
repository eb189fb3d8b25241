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
import fs from 'node:fs'
import path from 'node:path'
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
  /** The postgres.js client when on PostgreSQL (queries and NOTIFY). */
  postgres?: postgres.Sql
  /**
   * The client to LISTEN on: `postgres`, or one of its own on
   * DATABASE_LISTEN_URL when DATABASE_URL goes through a transaction-mode
   * pooler (LISTEN needs a session of its own). One connection either way.
   */
  listener?: postgres.Sql
  close(): Promise<void>
}

export type ConnectOptions =
  | { driver: 'postgres'; url: string; poolSize?: number; listenUrl?: string }
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
    // Opens no connection until it LISTENs (postgres.js connects lazily).
    const listener = options.listenUrl
      ? postgres(options.listenUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'switchboard-listen' } })
      : client
    return {
      db,
      driver: 'postgres',
      postgres: client,
      listener,
      close: async () => {
        if (listener !== client) await listener.end({ timeout: 5 })
        await client.end({ timeout: 5 })
      },
    }
  }
  const unlock = options.dataDir && !options.dataDir.includes('://') ? lockDataDir(options.dataDir) : () => {}
  try {
    const pglite = new PGlite({
      dataDir: options.dataDir,
      loadDataDir: options.loadDataDir,
    })
    await pglite.waitReady
    const db = drizzlePglite({ client: pglite, schema }) as unknown as Database
    return {
      db,
      driver: 'pglite',
      pglite,
      close: async () => {
        await pglite.close()
        unlock()
      },
    }
  } catch (error) {
    unlock()
    throw error
  }
}

/** The embedded database is already open (in the server, an import…). */
export class DatabaseInUseError extends Error {
  constructor(directory: string, pid: number, lockFile: string) {
    super(
      `The embedded database in ${directory} is already open (process ${pid}): only one process may use it at a time. ` +
        `Stop that process (the server, an import…) and try again. If none is running, delete ${lockFile}.`,
    )
    this.name = 'DatabaseInUseError'
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the embedded database directory for this process: PGlite has no lock
 * of its own, and two processes writing one directory corrupt it. The lock
 * is a file beside the directory holding the owner's pid; one left by a
 * process that is gone is taken over. Returns the release.
 */
function lockDataDir(directory: string): () => void {
  const lockFile = `${path.resolve(directory)}.lock`
  fs.mkdirSync(path.dirname(lockFile), { recursive: true })
  const release = () => {
    try {
      if (fs.readFileSync(lockFile, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockFile)
    } catch {
      // Already gone.
    }
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' })
      process.once('exit', release)
      return release
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10)
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) throw new DatabaseInUseError(directory, owner, lockFile)
      // Left by a process that is gone.
      fs.rmSync(lockFile, { force: true })
    }
  }
  throw new Error(`switchboard/db: could not take ${lockFile}`)
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
