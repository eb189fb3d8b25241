/**
 * Bulk writes for the benchmarks: rows typed by the app's drizzle schema,
 * sent a few thousand at a time as one JSON parameter expanded by
 * `json_populate_recordset`, so a batch costs one round trip and one
 * parameter on PostgreSQL and PGlite alike (drizzle's own multi-row insert
 * binds one parameter per cell and tops out at a few hundred rows).
 *
 * Rows are the schema's `$inferInsert` objects (camelCase keys), so a
 * column the app renames or makes required breaks the benchmark at
 * typecheck, not with a wrong figure.
 */
import { getTableColumns, getTableName, sql } from 'drizzle-orm'
import { type PgTable } from 'drizzle-orm/pg-core'
import { type DatabaseHandle, type Executor } from '~/db/client.server'

type Row = Record<string, unknown>

function cell(value: unknown): unknown {
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`
  return value
}

/**
 * Inserts `rows` into `table`, `batch` rows per statement. Every row must
 * have the keys of the first (the factories' drafts do); columns left out
 * take their defaults. `onConflictDoNothing` skips rows that collide with
 * a unique key (follows written twice).
 */
export async function insertRows<T extends PgTable>(
  handle: Pick<DatabaseHandle, 'db'>,
  table: T,
  rows: readonly T['$inferInsert'][],
  { batch = 2_000, onConflictDoNothing = false }: { batch?: number; onConflictDoNothing?: boolean } = {},
) {
  if (!rows.length) return
  const columns = getTableColumns(table) as Record<string, { name: string }>
  const keys = Object.keys(rows[0] as Row).filter((key) => columns[key])
  const names = keys.map((key) => columns[key]!.name)
  const list = sql.raw(names.map((name) => `"${name}"`).join(', '))
  const tableName = sql.raw(`"${getTableName(table)}"`)
  const conflict = onConflictDoNothing ? sql` on conflict do nothing` : sql``
  for (let i = 0; i < rows.length; i += batch) {
    const slice = rows.slice(i, i + batch).map((row) => {
      const out: Row = {}
      keys.forEach((key, k) => (out[names[k]!] = cell((row as Row)[key])))
      return out
    })
    await handle.db.execute(sql`insert into ${tableName} (${list}) select ${list} from json_populate_recordset(null::${tableName}, ${JSON.stringify(slice)}::json)${conflict}`)
  }
}

/** What a factories batch would have written, table by table. */
export type Collected = Map<PgTable, Row[]>

/**
 * An executor that records inserts instead of sending them: the factories'
 * `PostBatch.flush` runs against it, so the benchmark's rows follow exactly
 * the rules the factories (and the commands) keep — counters, states, last
 * activity, follows — and are then written with `insertRows`. Only
 * `insert(...).values(...)` (optionally `.onConflictDoNothing()`) is
 * supported: a batch without adopted posts issues nothing else.
 */
export function collectingExecutor(): { executor: Executor; collected: Collected } {
  const collected: Collected = new Map()
  const insert = (table: PgTable) => ({
    values(values: Row | Row[]) {
      const list = collected.get(table) ?? []
      list.push(...(Array.isArray(values) ? values : [values]))
      collected.set(table, list)
      const done = Promise.resolve()
      return Object.assign(done, { onConflictDoNothing: () => done })
    },
  })
  const refuse = () => {
    throw new Error('bench: the collecting executor records inserts only')
  }
  const executor = { insert, select: refuse, update: refuse, delete: refuse, execute: refuse, query: undefined } as unknown as Executor
  return { executor, collected }
}
