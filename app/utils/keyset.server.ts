/**
 * The SQL side of keyset pagination (see keyset.ts): a list ordered by a
 * timestamp then an id, newest first, read from a cursor with a row
 * comparison that its (timestamp, id) index serves directly.
 */
import { asc, desc, sql, type SQL } from 'drizzle-orm'
import { type PgColumn } from 'drizzle-orm/pg-core'
import { type Cursor } from './keyset'

/** A timestamp as exact text (microseconds, UTC) for a cursor: a Date keeps only milliseconds. */
export const exactTime = (column: PgColumn) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/**
 * The rows past `cursor` in the list's order (older for `after`, newer for
 * `before`); undefined on the first page. `idType` names the id column's
 * type when it is not text.
 */
export function keysetWhere(at: PgColumn, id: PgColumn, cursor: Cursor | null | undefined, idType: 'text' | 'integer' = 'text'): SQL | undefined {
  if (!cursor) return undefined
  const cursorId = idType === 'integer' ? sql`${cursor.id}::integer` : sql`${cursor.id}`
  return cursor.direction === 'after'
    ? sql`(${at}, ${id}) < (${cursor.at}::timestamptz, ${cursorId})`
    : sql`(${at}, ${id}) > (${cursor.at}::timestamptz, ${cursorId})`
}

/** The order to read in: newest first, or oldest first when reading `before` a cursor (keysetPage turns it back). */
export function keysetOrder(at: PgColumn, id: PgColumn, cursor: Cursor | null | undefined): SQL[] {
  return cursor?.direction === 'before' ? [asc(at), asc(id)] : [desc(at), desc(id)]
}
