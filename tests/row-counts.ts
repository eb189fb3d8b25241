/**
 * Row counts of chosen tables in one query, for tests that check a refused
 * command wrote nothing:
 *
 *   const TABLES = { posts, notifications, outbox, auditLog }
 *   const before = await countRows(TABLES)
 *   // … the refused command …
 *   expect(await countRows(TABLES)).toEqual(before)
 */
import { sql } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import { db } from '~/db/client.server'

/** How many rows each of `tables` holds, under the same keys. */
export async function countRows<T extends Record<string, PgTable>>(tables: T): Promise<Record<keyof T, number>> {
  const columns = Object.entries(tables).map(([name, table]) => sql`(select count(*) from ${table})::int as ${sql.identifier(name)}`)
  const result = await db.execute(sql`select ${sql.join(columns, sql`, `)}`)
  // postgres.js answers an array of rows, PGlite an object with `rows`.
  const rows = (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as Record<keyof T, number>[]
  return { ...rows[0]! }
}
