/**
 * A fresh, migrated database for one benchmark run, filled with synthetic
 * posts by multi-row inserts, plus the PostgreSQL full-text search the
 * benchmark compares against (added to this database only, never to the
 * app's schema).
 *
 * PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (a database
 * `switchboard_bench_<pid>` is created there and dropped at the end),
 * otherwise an in-memory PGlite.
 */
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { openDatabase, setDatabase, type DatabaseHandle } from '~/db/client.server'
import { migrateDatabase } from '~/db/migrate'
import { Corpus, type GeneratedPost } from './corpus'
import { Random } from './random'

export type BenchDatabase = {
  handle: DatabaseHandle
  label: string
  drop(): Promise<void>
}

function withDatabase(base: string, name: string) {
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

/** Creates the database, migrates it and makes it the process's `db`. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const base = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL
  if (base) {
    const name = `switchboard_bench_${process.pid}`
    const admin = postgres(base, { max: 1, onnotice: () => {} })
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.unsafe(`create database "${name}"`)
    const url = withDatabase(base, name)
    const handle = await openDatabase({ driver: 'postgres', url, poolSize: 4 })
    await migrateDatabase(handle, url)
    setDatabase(handle)
    const version = (await handle.db.execute<{ v: string }>(sql`select current_setting('server_version') as v`)) as unknown as { v: string }[]
    return {
      handle,
      label: `PostgreSQL ${version[0]?.v ?? ''} (database ${name})`,
      drop: async () => {
        setDatabase(undefined)
        await handle.close()
        await admin.unsafe(`drop database if exists "${name}" with (force)`)
        await admin.end()
      },
    }
  }
  const handle = await openDatabase({ driver: 'pglite' })
  await migrateDatabase(handle)
  setDatabase(handle)
  return {
    handle,
    label: 'PGlite (in memory)',
    drop: async () => {
      setDatabase(undefined)
      await handle.close()
    },
  }
}

/** Rows of both drivers come back as an array (postgres.js) or in `.rows` (PGlite). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

/**
 * Inserts `rows` (snake_case keys) into `table`, `batch` rows per statement:
 * each statement passes its rows as one JSON parameter and expands them with
 * json_populate_recordset, so a batch costs one round trip and one parameter
 * on both drivers.
 */
async function insertRows(handle: DatabaseHandle, table: string, rows: Record<string, unknown>[], batch = 2_000) {
  if (!rows.length) return
  const columns = Object.keys(rows[0]!)
  const list = sql.raw(columns.map((c) => `"${c}"`).join(', '))
  for (let i = 0; i < rows.length; i += batch) {
    const json = JSON.stringify(rows.slice(i, i + batch))
    await handle.db.execute(sql`insert into ${sql.raw(`"${table}"`)} (${list}) select ${list} from json_populate_recordset(null::${sql.raw(`"${table}"`)}, ${json}::json)`)
  }
}

export type Seeded = {
  posts: number
  workarounds: number
  tags: number
  versions: number
  /** Product ids in the order of Corpus.products, with their version ids. */
  products: { id: string; slug: string; versionIds: string[] }[]
  customer: { id: string; role: 'customer'; organizationId: string; name: string; email: string }
}

const BENCH_NOW = Date.UTC(2025, 5, 1)
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Writes `count` generated posts (problems, stories, migrations; workarounds
 * of answered and solved problems come on top), with organizations, people,
 * products, versions and tags. Returns what the queries need.
 */
export async function seedPosts(handle: DatabaseHandle, corpus: Corpus, count: number, seed: number, onProgress?: (done: number) => void): Promise<Seeded> {
  const random = new Random(seed)
  const organizations = Array.from({ length: 200 }, (_, i) => ({ id: random.id(), name: `Bench organization ${i + 1}`, is_vendor: i === 0 }))
  await insertRows(handle, 'organizations', organizations)
  const users = Array.from({ length: 2_000 }, (_, i) => {
    const organization = i < 20 ? organizations[0]! : organizations[1 + (i % 199)]!
    return {
      id: random.id(),
      organization_id: organization.id,
      email: `bench-${i}@example.test`,
      name: `Bench Person ${i}`,
      role: i < 20 ? 'support' : 'customer',
      // Never used to sign in: the benchmark calls the search functions directly.
      password_hash: 'bench-not-a-hash',
    }
  })
  await insertRows(handle, 'users', users)
  const products = Corpus.products.map((p) => ({ id: random.id(), slug: p.slug, name: p.name, versions: p.versions.map((name, i) => ({ id: random.id(), name, sort_order: i })) }))
  await insertRows(handle, 'products', products.map(({ id, slug, name }) => ({ id, slug, name })))
  await insertRows(handle, 'product_versions', products.flatMap((p) => p.versions.map((v) => ({ id: v.id, product_id: p.id, name: v.name, sort_order: v.sort_order }))))

  const support = users.slice(0, 20)
  const customers = users.slice(20)
  let workarounds = 0
  let tags = 0
  let versions = 0
  const CHUNK = 5_000
  for (let done = 0; done < count; done += CHUNK) {
    const postRows: Record<string, unknown>[] = []
    const workaroundRows: Record<string, unknown>[] = []
    const tagRows: Record<string, unknown>[] = []
    const versionRows: Record<string, unknown>[] = []
    for (let i = done; i < Math.min(count, done + CHUNK); i++) {
      const post: GeneratedPost = corpus.post(random)
      const author = random.pick(customers)
      const product = products[post.product]!
      const createdAt = new Date(BENCH_NOW - post.ageDays * DAY_MS - random.int(0, DAY_MS))
      const id = random.id()
      const answeredAt = new Date(createdAt.getTime() + random.int(1, 72) * 60 * 60 * 1000)
      const solver = random.pick(customers)
      const row: Record<string, unknown> = {
        id,
        kind: post.kind,
        author_id: author.id,
        organization_id: author.organization_id,
        product_id: product.id,
        title: post.title,
        body: post.body,
        state: post.state,
        visibility: post.visibility,
        migration_status: post.kind === 'migration' ? random.pick(['planned', 'in_progress', 'done']) : null,
        from_version_id: post.kind === 'migration' ? product.versions[post.versions[0]!]!.id : null,
        to_version_id: post.kind === 'migration' ? product.versions.at(-1)!.id : null,
        hidden_at: post.hidden ? answeredAt.toISOString() : null,
        hidden_by_id: post.hidden ? support[0]!.id : null,
        hidden_reason: post.hidden ? 'Spam' : null,
        me_too_count: post.kind === 'problem' ? random.int(0, 6) : 0,
        reply_count: post.workarounds.length,
        first_response_at: post.workarounds.length ? answeredAt.toISOString() : null,
        created_at: createdAt.toISOString(),
        updated_at: (post.workarounds.length ? answeredAt : createdAt).toISOString(),
        last_activity_at: (post.workarounds.length ? answeredAt : createdAt).toISOString(),
      }
      postRows.push(row)
      for (const w of post.workarounds) {
        workaroundRows.push({
          id: random.id(),
          kind: 'workaround',
          author_id: solver.id,
          organization_id: solver.organization_id,
          product_id: product.id,
          problem_id: id,
          title: null,
          body: w.body,
          visibility: post.visibility,
          accepted_at: w.accepted ? answeredAt.toISOString() : null,
          accepted_by_id: w.accepted ? author.id : null,
          verified_at: w.verified ? answeredAt.toISOString() : null,
          verified_by_id: w.verified ? support[1]!.id : null,
          me_too_count: 0,
          reply_count: 0,
          created_at: answeredAt.toISOString(),
          updated_at: answeredAt.toISOString(),
          last_activity_at: answeredAt.toISOString(),
        })
      }
      for (const tag of post.tags) tagRows.push({ post_id: id, tag })
      for (const v of post.versions) versionRows.push({ post_id: id, version_id: product.versions[v]!.id })
    }
    await insertRows(handle, 'posts', postRows)
    await insertRows(handle, 'posts', workaroundRows)
    await insertRows(handle, 'post_tags', tagRows, 10_000)
    await insertRows(handle, 'post_versions', versionRows, 10_000)
    workarounds += workaroundRows.length
    tags += tagRows.length
    versions += versionRows.length
    onProgress?.(Math.min(count, done + CHUNK))
  }
  await handle.db.execute(sql`analyze`)
  const customer = customers[0]!
  return {
    posts: count,
    workarounds,
    tags,
    versions,
    products: products.map((p) => ({ id: p.id, slug: p.slug, versionIds: p.versions.map((v) => v.id) })),
    customer: { id: customer.id, role: 'customer', organizationId: customer.organization_id, name: customer.name, email: customer.email },
  }
}

/**
 * The PostgreSQL full-text search being compared: a weighted tsvector of
 * what the MiniSearch document holds (title A; tags, product and versions B;
 * body and visible workarounds C), with a GIN index.
 */
export async function addFullTextSearch(handle: DatabaseHandle) {
  await handle.db.execute(sql`alter table posts add column search_vector tsvector`)
  await handle.db.execute(sql`
    update posts p set search_vector =
      setweight(to_tsvector('english', coalesce(p.title, '')), 'A') ||
      setweight(to_tsvector('english',
        coalesce((select string_agg(tag, ' ') from post_tags where post_id = p.id), '') || ' ' ||
        (select name from products where id = p.product_id) || ' ' ||
        coalesce((select string_agg(pv.name, ' ') from post_versions x join product_versions pv on pv.id = x.version_id where x.post_id = p.id), '')), 'B') ||
      setweight(to_tsvector('english',
        left(p.body, 8000) || ' ' ||
        coalesce((select string_agg(left(c.body, 8000), ' ') from posts c where c.problem_id = p.id and c.hidden_at is null), '')), 'C')
    where p.problem_id is null and p.hidden_at is null`)
  await handle.db.execute(sql`create index posts_search_vector_idx on posts using gin (search_vector)`)
  await handle.db.execute(sql`analyze posts`)
}

export type FullTextFilters = { productId?: string; kind?: string; state?: string }

/**
 * A tsquery for a query as typed, with the app's semantics (queryOptions):
 * words AND-ed (`and`) or OR-ed, the last one a prefix while typed from 3
 * letters on, 1-letter fragments dropped. PostgreSQL drops its own stop
 * words and stems with the 'english' configuration.
 */
export function toTsquery(query: string, { prefixLast, and = false }: { prefixLast: boolean; and?: boolean }) {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}.]+/u)
    .map((w) => w.replace(/^\.+|\.+$/g, ''))
    .filter((w) => w.length >= 2 || /\d/.test(w))
  if (!words.length) return null
  const last = words.length - 1
  return words.map((w, i) => (prefixLast && i === last && w.length >= 3 ? `${w}:*` : w)).join(and ? ' & ' : ' | ')
}

/** The first page of 20 ranked matches and their total, as the search page needs. */
export async function fullTextSearch(handle: DatabaseHandle, tsquery: string, filters: FullTextFilters) {
  const conditions = [
    sql`p.search_vector @@ q.q`,
    sql`p.hidden_at is null`,
    sql`p.problem_id is null`,
    sql`p.visibility = 'community'`,
    filters.productId ? sql`p.product_id = ${filters.productId}` : undefined,
    filters.kind ? sql`p.kind = ${filters.kind}` : undefined,
    filters.state ? sql`p.state = ${filters.state}` : undefined,
  ].filter(Boolean)
  const result = await handle.db.execute(sql`
    select p.id, ts_rank_cd(p.search_vector, q.q) as rank, count(*) over () as total
    from posts p, to_tsquery('english', ${tsquery}) q(q)
    where ${sql.join(conditions, sql` and `)}
    order by rank desc
    limit 20`)
  return rowsOf<{ id: string; rank: number; total: number }>(result)
}
