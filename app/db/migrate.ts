/**
 * Applies the SQL migrations in `drizzle/` to a database. Runs at every start
 * and in tests. On PostgreSQL several app processes may start at once, so the
 * migration runs under an advisory lock held on a dedicated connection.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { type DatabaseHandle, type Executor } from './client.server'
import { type PgliteDatabase } from 'drizzle-orm/pglite'

/** The committed migrations folder, found from this file or the working directory. */
export function migrationsFolder() {
  if (process.env.MIGRATIONS_DIR) return process.env.MIGRATIONS_DIR
  try {
    const here = path.dirname(fileURLToPath(import.meta.url))
    // app/db/migrate.ts → ../../drizzle; in the production build the file is
    // bundled into build/server, so fall back to the working directory.
    if (here.endsWith(path.join('app', 'db'))) return path.resolve(here, '..', '..', 'drizzle')
  } catch {
    // import.meta.url is not a file URL in some bundles
  }
  return path.resolve(process.cwd(), 'drizzle')
}

// An arbitrary constant shared by every Switchboard process.
const MIGRATION_LOCK_KEY = 74_117_301

/**
 * Takes the migration lock for the rest of `tx` (released at its end). Work
 * that must happen once per database at start, after the migrations (the
 * demo seed), runs under it: a second process waits, then finds it done.
 * A transaction-level lock, so it also holds through a transaction-mode pooler.
 */
export async function takeMigrationLock(tx: Executor) {
  // The server's connections carry a statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS);
  // waiting for another process's seed is not a runaway query, so this
  // transaction waits as long as the seed takes.
  await tx.execute(sql`set local statement_timeout = 0`)
  await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`)
}

/** Brings `handle`'s database up to the newest migration. */
export async function migrateDatabase(handle: DatabaseHandle, url?: string) {
  const folder = migrationsFolder()
  if (handle.driver === 'pglite') {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder: folder })
    return
  }
  if (!url) throw new Error('switchboard/db: migrating PostgreSQL needs its URL')
  const client = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: folder })
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`
  } finally {
    await client.end({ timeout: 5 })
  }
}
