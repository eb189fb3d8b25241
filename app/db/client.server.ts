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
import { sql, type Logger } from 'drizzle-orm'
import { type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from './schema'

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>
/** A transaction, or the database itself: commands accept either. */
export type Executor = Pick<
  Database,
  'select' | 'insert' | 'update' | 'delete' | 'execute' | 'query'
>

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
  /** On PostgreSQL, the health check's own connection (pingDatabase). */
  pinger?: postgres.Sql
  close(): Promise<void>
}

export type ConnectOptions = (
  | {
      driver: 'postgres'
      url: string
      poolSize?: number
      /** A direct connection for LISTEN when `url` goes through a transaction-mode pooler (DATABASE_LISTEN_URL). */
      listenUrl?: string
      /**
       * Seconds to wait for a new connection before failing (default 2): a
       * database that is away makes requests fail fast instead of queueing.
       */
      connectTimeoutSeconds?: number
      /** Seconds an unused pooled connection stays open (default 60); dead ones are dropped sooner. */
      idleTimeoutSeconds?: number
      /**
       * PostgreSQL `statement_timeout` of every pooled connection, in ms
       * (default: none). The server sets it so that no query outlives the
       * request that asked for it by much; scripts (imports, reindex) do not.
       */
      statementTimeoutMs?: number
    }
  | { driver: 'pglite'; dataDir?: string; loadDataDir?: Blob }
) & {
  /** Sees every statement sent (tests count the queries a piece of work issues). */
  logger?: Logger
}

/** Opens a connection (pool) without registering it as the process's database. */
export async function openDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.driver === 'postgres') {
    const client = postgres(options.url, {
      max: options.poolSize ?? 10,
      onnotice: () => {},
      connect_timeout: options.connectTimeoutSeconds ?? 2,
      idle_timeout: options.idleTimeoutSeconds ?? 60,
      // postgres.js waits up to 20 s between attempts to reconnect after
      // repeated failures (its default backoff), so that requests queued
      // after an outage waited 5–10 s each. At most 1 s here: the health
      // gate already keeps requests off a database that is away.
      backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1),
      // Dates come back as Date objects, the same as PGlite.
      connection: {
        application_name: 'switchboard',
        ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      },
    })
    // A request whose client left is not cancelled in the database: postgres.js's
    // query.cancel() on pipelined queries left pooled connections stuck mid-protocol
    // under load (every later request hung). The statement timeout bounds the work instead.
    const db = drizzlePostgres({ client, schema, logger: options.logger }) as unknown as Database
    // The health check's own connection: a ping queued behind a busy pool
    // would measure the queue, and a hub under load would call itself down.
    // Opens no connection until the first ping (postgres.js connects lazily).
    const pinger = postgres(options.url, {
      max: 1,
      onnotice: () => {},
      connect_timeout: options.connectTimeoutSeconds ?? 2,
      idle_timeout: options.idleTimeoutSeconds ?? 60,
      backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1),
      connection: { application_name: 'switchboard-health' },
    })
    // Opens no connection until it LISTENs (postgres.js connects lazily).
    const listener = options.listenUrl
      ? postgres(options.listenUrl, {
          max: 1,
          onnotice: () => {},
          connect_timeout: options.connectTimeoutSeconds ?? 2,
          connection: { application_name: 'switchboard-listen' },
        })
      : client
    return {
      db,
      driver: 'postgres',
      postgres: client,
      listener,
      pinger,
      close: async () => {
        await pinger.end({ timeout: 1 })
        if (listener !== client) await listener.end({ timeout: 5 })
        await client.end({ timeout: 5 })
      },
    }
  }
  const unlock =
    options.dataDir && !options.dataDir.includes('://') ? lockDataDir(options.dataDir) : () => {}
  try {
    const pglite = new PGlite({
      dataDir: options.dataDir,
      loadDataDir: options.loadDataDir,
    })
    await pglite.waitReady
    const db = drizzlePglite({
      client: pglite,
      schema,
      logger: options.logger,
    }) as unknown as Database
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

/**
 * True when `error` says the database could not be reached (refused, timed
 * out, connection lost, server shutting down) rather than that a query was
 * wrong: the server answers those with 503 "database unreachable".
 */
export function isDatabaseUnreachableError(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : undefined
    if (!code) continue
    if (UNREACHABLE_CODES.has(code)) return true
    // Class 08 — connection exception; 57P01–57P03 — the server is shutting down or starting.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
      return true
  }
  return false
}

const UNREACHABLE_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
])

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
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner))
        throw new DatabaseInUseError(directory, owner, lockFile)
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
  if (!handle)
    throw new Error('switchboard/db: no database connected yet (call connectDatabase first)')
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

/**
 * True when the database answers a trivial query within `timeoutMs`
 * (default: no bound of its own); throws otherwise.
 */
export async function pingDatabase(handle = getDatabaseHandle(), timeoutMs?: number) {
  const ping = handle.pinger
    ? handle.pinger`select 1`.then(() => undefined)
    : handle.db.execute(sql`select 1`)
  if (!timeoutMs) {
    await ping
    return true
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    )
  })
  try {
    await Promise.race([ping, timeout])
  } finally {
    clearTimeout(timer)
    // A ping that lost the race settles later; nobody waits for it.
    Promise.resolve(ping).catch(() => {})
  }
  return true
}
