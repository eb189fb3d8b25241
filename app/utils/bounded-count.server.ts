/**
 * Counting up to a bound in the database (decision 0021): the rows are
 * counted through `limit bound + 1`, so the count stops reading the index
 * after that many, however large the table grows.
 */
import { count } from 'drizzle-orm'
import { type PgSelect } from 'drizzle-orm/pg-core'
import { db } from '~/db/client.server'
import { boundedCount, COUNT_BOUND, type BoundedCount } from './bounded-count'

/**
 * How many rows `query` (a `.$dynamic()` select of the rows to count, any
 * columns) finds, up to `bound`; `atLeast` past it.
 */
export async function countUpTo(query: PgSelect, bound = COUNT_BOUND): Promise<BoundedCount> {
  const [row] = await db.select({ value: count() }).from(query.limit(bound + 1).as('bounded'))
  return boundedCount(row?.value ?? 0, bound)
}
