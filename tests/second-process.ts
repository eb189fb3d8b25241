/**
 * A second "process" on the test file's database, for tests that race two
 * job runners: on PostgreSQL a separate pool (its own connections, as
 * another app process has); on PGlite, which one process opens, the same
 * handle (two runners in one process, as the embedded database allows).
 */
import { sql } from 'drizzle-orm'
import { getDatabaseHandle, openDatabase, type Database } from '~/db/client.server'
import { databaseUrl } from './setup/urls'

export async function secondProcessDatabase(): Promise<{ database: Database; close(): Promise<void> }> {
  const handle = getDatabaseHandle()
  if (handle.driver === 'pglite') return { database: handle.db, close: async () => {} }
  const [row] = await handle.db.select({ name: sql<string>`current_database()` }).from(sql`(select 1) as one`)
  const other = await openDatabase({ driver: 'postgres', url: databaseUrl(process.env.TEST_DATABASE_URL!, row!.name), poolSize: 2 })
  return { database: other.db, close: () => other.close() }
}
