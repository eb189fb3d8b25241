/**
 * `npm run bench:search:scale [-- --n 300000 --queries 400 --seed 42]`
 *
 * What one search index per process costs as the hub grows, and the
 * PostgreSQL search behind the same seam side by side, in the same run
 * (docs/decisions/0018-search-at-a-million-posts.md):
 * - the in-process index's whole memory (V8 heap + ArrayBuffers, and the
 *   process RSS) built from memory, built by the app from the database, and
 *   loaded from its snapshot; its start times and the snapshot's size;
 * - the PostgreSQL backend (postgres-backend.server.ts): its build time and
 *   its tables' and indexes' size on disk;
 * - both answering the same queries through the app's functions (searchPosts
 *   and searchPostsPostgres, similarPosts and similarPostsPostgres) as a
 *   customer: p50/p95 per query type, and CPU per query of this process and
 *   of the PostgreSQL backends (from /proc), which hold up on a shared host
 *   where latency does not.
 *
 * PostgreSQL only (BENCH_DATABASE_URL or TEST_DATABASE_URL). Prints figures,
 * never fails on one. Load average at the start and the end.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { loadDocumentPage } from '~/modules/search/documents.server'
import { indexDocument, newIndex, rebuildIndex, saveSnapshotTo, snapshotPath, startSearchIndex, stopSearchIndex, type SearchIndex } from '~/modules/search/search-index.server'
import { type SearchDocument } from '~/modules/search/search-options'
import { installPostgresSearch, indexPostgresDocuments, refreshPostgresTerms, searchPostsPostgres, similarPostsPostgres } from '~/modules/search/postgres-backend.server'
import { searchPosts, similarPosts, type SearchFilters } from '~/modules/search/search.server'
import { createBenchDatabase, rowsOf, seedPosts, type Seeded } from './lib/bench-database'
import { Corpus } from './lib/corpus'
import { Random } from './lib/random'
import { collectGarbage, mb, ms, now, seconds, summarize, table } from './lib/stats'

function option(name: string, fallback: number) {
  const args = process.argv.slice(2)
  const at = args.indexOf(`--${name}`)
  if (at < 0) return fallback
  const value = Number(args[at + 1]?.replace(/_/g, ''))
  if (!Number.isFinite(value) || value <= 0) throw new Error(`bench: --${name} needs a positive number`)
  return Math.floor(value)
}

type Category = 'full' | 'full + filter' | 'prefix' | 'prefix + filter' | 'typo'
const CATEGORIES: Category[] = ['full', 'full + filter', 'prefix', 'prefix + filter', 'typo']
type BenchQuery = { category: Category; text: string; filters: SearchFilters }

/** One letter of a word of 5+ letters changed: a typo the engine's one-edit tolerance should forgive. */
function misspelt(random: Random, text: string) {
  const words = text.split(' ')
  const long = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 5 && !/\d/.test(w))
  if (!long.length) return text
  const [word, i] = random.pick(long)
  const at = random.int(1, word.length - 2)
  words[i] = `${word.slice(0, at)}${word[at + 1]}${word[at]}${word.slice(at + 2)}`
  return words.join(' ')
}

function makeQueries(corpus: Corpus, random: Random, count: number, seeded: Seeded): BenchQuery[] {
  return Array.from({ length: count }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length]!
    let text = corpus.query(random)
    if (category.startsWith('prefix')) {
      const words = text.split(' ')
      const last = words.at(-1)!
      if (last.length >= 2) words[words.length - 1] = last.slice(0, random.int(1, last.length - 1))
      text = words.join(' ')
    }
    if (category === 'typo') text = misspelt(random, text)
    const filters: SearchFilters = {}
    if (category.endsWith('filter')) {
      const choice = random.int(0, 2)
      if (choice === 0) filters.productSlug = random.pick(seeded.products).slug
      else if (choice === 1) filters.kind = random.pick(['problem', 'story', 'migration'] as const)
      else filters.state = random.pick(['open', 'answered', 'solved'] as const)
    }
    return { category, text, filters }
  })
}

/** Whole memory of the process: V8 heap, ArrayBuffers (the index's typed arrays), RSS; after a full GC. */
function memory() {
  collectGarbage()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss }
}
type Memory = ReturnType<typeof memory>
const indexMemory = (after: Memory, before: Memory) =>
  `${mb(after.heap - before.heap + after.arrayBuffers - before.arrayBuffers)} (heap ${mb(after.heap - before.heap)} + buffers ${mb(after.arrayBuffers - before.arrayBuffers)}); RSS ${mb(after.rss)}`

/** CPU of this process and of the PostgreSQL backends serving the bench database, in ms. */
async function cpuNow(database: Awaited<ReturnType<typeof createBenchDatabase>>) {
  const own = process.cpuUsage()
  const pids = rowsOf<{ pid: number }>(await database.handle.db.execute(sql`select pid from pg_stat_activity where datname = current_database()`))
  let ticks = 0
  for (const { pid } of pids) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
    if (!stat) continue
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100 a second).
    ticks += Number(fields[11]) + Number(fields[12])
  }
  return { app: (own.user + own.system) / 1000, pg: ticks * 10 }
}

async function main() {
  if (!process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) throw new Error('bench:search:scale needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL')
  const n = option('n', 100_000)
  const seed = option('seed', 42)
  const queryCount = option('queries', 500)
  const corpus = new Corpus(seed)
  const database = await createBenchDatabase()
  const snapshotDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-scale-'))
  const interrupted = () => void database.drop().finally(() => process.exit(130))
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  const print = (line = '') => console.info(line)
  const phase = (text: string) => process.stderr.write(`… ${new Date().toISOString().slice(11, 19)} ${text}\n`)
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ')
  try {
    print(`Switchboard search at scale: ${n.toLocaleString('en')} posts, seed ${seed}, ${database.label}, Node ${process.version}`)
    print(`Machine: ${os.cpus().length} CPUs, ${mb(os.totalmem())} memory, load average ${load()} at start`)

    phase('generating posts')
    let started = now()
    const seeded = await seedPosts(database.handle, corpus, n, seed + 1)
    print(`Data: ${seeded.posts.toLocaleString('en')} posts + ${seeded.workarounds.toLocaleString('en')} workarounds, inserted in ${seconds(now() - started)}`)
    const rows: string[][] = []

    // 1. Built from rows already in memory.
    phase('in-process index: load documents, build from memory')
    const base = memory()
    started = now()
    let documents: SearchDocument[] = []
    for (let after: string | null = null; ; ) {
      const page = await loadDocumentPage(after, 1_000)
      if (!page.length) break
      documents.push(...page)
      after = page.at(-1)!.id
    }
    const loadMs = now() - started
    const documentCount = documents.length
    started = now()
    let built: SearchIndex | null = newIndex()
    built.startBulk()
    for (const document of documents) indexDocument(built, document)
    built.finishBulk()
    const buildMs = now() - started
    documents = []
    const afterBuild = memory()
    started = now()
    const snapshotBytes = (await built.serialize()).length
    const serializeMs = now() - started
    const terms = built.termCount
    built = null
    rows.push(['documents / distinct terms', `${documentCount.toLocaleString('en')} / ${terms.toLocaleString('en')}`])
    rows.push(['load documents from DB (pages of 1,000)', seconds(loadMs)])
    rows.push(['build from memory', seconds(buildMs)])
    rows.push(['index memory, built from memory', indexMemory(afterBuild, base)])
    rows.push(['snapshot size / serialize', `${mb(snapshotBytes)} / ${seconds(serializeMs)}`])

    // 2. The app's own paths: build from the database, snapshot, start from the snapshot.
    phase('in-process index: app build from DB (rebuildIndex)')
    const base2 = memory()
    started = now()
    await rebuildIndex()
    const appBuildMs = now() - started
    const afterAppBuild = memory()
    rows.push(['build from DB, app path (rebuildIndex)', seconds(appBuildMs)])
    rows.push(['index memory, app build', indexMemory(afterAppBuild, base2)])
    const file = snapshotPath(snapshotDir, database.handle.driver)
    started = now()
    await saveSnapshotTo(file)
    const writeMs = now() - started
    const fileBytes = (await fs.stat(file)).size
    await stopSearchIndex({ save: false })
    phase('in-process index: start from the snapshot (startSearchIndex)')
    const base3 = memory()
    started = now()
    await startSearchIndex({ snapshotDir })
    const startMs = now() - started
    const afterStart = memory()
    rows.push(['snapshot file: size / write (app)', `${mb(fileBytes)} / ${seconds(writeMs)}`])
    rows.push(['start from snapshot, app path (load + catch-up)', seconds(startMs)])
    rows.push(['index memory, loaded from snapshot', indexMemory(afterStart, base3)])

    // 3. The PostgreSQL backend: built from the same documents.
    phase('PostgreSQL backend: build')
    started = now()
    await installPostgresSearch()
    let pgDocuments = 0
    for (let after: string | null = null; ; ) {
      const page = await loadDocumentPage(after, 1_000)
      if (!page.length) break
      await indexPostgresDocuments(page)
      pgDocuments += page.length
      after = page.at(-1)!.id
    }
    const pgBuildMs = now() - started
    started = now()
    await refreshPostgresTerms()
    const termsMs = now() - started
    const sizes = rowsOf<{ name: string; bytes: string }>(
      await database.handle.db.execute(
        sql`select relname as name, pg_total_relation_size(oid)::text as bytes from pg_class where relname in ('search_pg_documents', 'search_pg_terms', 'posts')`,
      ),
    )
    const size = (name: string) => mb(Number(sizes.find((s) => s.name === name)?.bytes ?? 0))
    rows.push(['PG backend: build from DB (documents + GIN)', `${seconds(pgBuildMs)} (${pgDocuments.toLocaleString('en')} documents)`])
    rows.push(['PG backend: word list for typos (ts_stat)', seconds(termsMs)])
    rows.push(['PG backend: on disk, documents / words (posts table)', `${size('search_pg_documents')} / ${size('search_pg_terms')} (${size('posts')})`])
    print('')
    print(table(['start and memory', 'figure'], rows))

    // 4. The same queries through both backends, as a customer.
    phase('queries')
    const queries = makeQueries(corpus, new Random(seed + 2), queryCount, seeded)
    for (const q of makeQueries(corpus, new Random(seed + 3), 50, seeded)) {
      searchPosts(seeded.customer, q.text, q.filters)
      await searchPostsPostgres(seeded.customer, q.text, q.filters)
    }
    const times = { memory: new Map<Category, number[]>(), postgres: new Map<Category, number[]>() }
    const found = { memory: 0, postgres: 0 }
    const cpu: Record<'memory' | 'postgres', { app: number; pg: number }> = { memory: { app: 0, pg: 0 }, postgres: { app: 0, pg: 0 } }
    const overlap: number[] = []
    for (const backend of ['memory', 'postgres'] as const) {
      const before = await cpuNow(database)
      for (const q of queries) {
        const t = now()
        const outcome = backend === 'memory' ? searchPosts(seeded.customer, q.text, q.filters) : await searchPostsPostgres(seeded.customer, q.text, q.filters)
        const list = times[backend].get(q.category) ?? []
        list.push(now() - t)
        times[backend].set(q.category, list)
        if (outcome.status === 'ok' && outcome.total) found[backend]++
      }
      const after = await cpuNow(database)
      cpu[backend] = { app: (after.app - before.app) / queries.length, pg: (after.pg - before.pg) / queries.length }
    }
    // How much the two first pages agree (top 10), outside the timed loops.
    for (const q of queries.slice(0, 200)) {
      const a = searchPosts(seeded.customer, q.text, q.filters)
      const b = await searchPostsPostgres(seeded.customer, q.text, q.filters)
      if (a.status !== 'ok' || b.status !== 'ok' || !a.results.length) continue
      const top = new Set(a.results.slice(0, 10).map((r) => r.id))
      overlap.push(b.results.slice(0, 10).filter((r) => top.has(r.id)).length / Math.min(10, a.results.length))
    }

    const similar = { memory: [] as number[], postgres: [] as number[] }
    const similarCpu: Record<'memory' | 'postgres', { app: number; pg: number }> = { memory: { app: 0, pg: 0 }, postgres: { app: 0, pg: 0 } }
    const textRandom = new Random(seed + 4)
    const texts = Array.from({ length: 100 }, () => corpus.post(textRandom))
    for (const backend of ['memory', 'postgres'] as const) {
      const before = await cpuNow(database)
      for (const post of texts) {
        const t = now()
        if (backend === 'memory') await similarPosts(seeded.customer, `${post.title} ${post.body}`, { limit: 5 })
        else await similarPostsPostgres(seeded.customer, `${post.title} ${post.body}`, { limit: 5 })
        similar[backend].push(now() - t)
      }
      const after = await cpuNow(database)
      similarCpu[backend] = { app: (after.app - before.app) / texts.length, pg: (after.pg - before.pg) / texts.length }
    }

    const line = (name: string, a: number[], b: number[]) => {
      const x = summarize(a)
      const y = summarize(b)
      return [name, String(x.count), ms(x.p50), ms(x.p95), ms(y.p50), ms(y.p95), y.p95 && x.p95 ? `${(y.p95 / x.p95).toFixed(1)}×` : '–']
    }
    const all = (m: Map<Category, number[]>) => [...m.values()].flat()
    const queryRows = CATEGORIES.map((c) => line(c, times.memory.get(c) ?? [], times.postgres.get(c) ?? []))
    queryRows.push(line('all searchPosts', all(times.memory), all(times.postgres)))
    queryRows.push(line('similarPosts (by words)', similar.memory, similar.postgres))
    print('')
    print(`Queries as a customer, first page of 20 with the total; found something: memory ${found.memory}, PostgreSQL ${found.postgres} of ${queries.length}.`)
    print(table(['query type', 'n', 'memory p50', 'memory p95', 'PG p50', 'PG p95', 'PG/memory p95'], queryRows))
    print(
      table(
        ['CPU per query (ms)', 'app process', 'PostgreSQL', 'total'],
        [
          ['searchPosts, memory', cpu.memory.app.toFixed(2), cpu.memory.pg.toFixed(2), (cpu.memory.app + cpu.memory.pg).toFixed(2)],
          ['searchPosts, PostgreSQL', cpu.postgres.app.toFixed(2), cpu.postgres.pg.toFixed(2), (cpu.postgres.app + cpu.postgres.pg).toFixed(2)],
          ['similarPosts, memory', similarCpu.memory.app.toFixed(2), similarCpu.memory.pg.toFixed(2), (similarCpu.memory.app + similarCpu.memory.pg).toFixed(2)],
          ['similarPosts, PostgreSQL', similarCpu.postgres.app.toFixed(2), similarCpu.postgres.pg.toFixed(2), (similarCpu.postgres.app + similarCpu.postgres.pg).toFixed(2)],
        ],
      ),
    )
    const meanOverlap = overlap.reduce((a, b) => a + b, 0) / (overlap.length || 1)
    print(`Top-10 agreement (PostgreSQL's top 10 that are in memory's top 10), ${overlap.length} queries: ${(meanOverlap * 100).toFixed(0)}%`)
    print('PostgreSQL CPU is read from /proc for the backends of the bench database (10 ms ticks), app CPU from process.cpuUsage, each over the whole loop ÷ queries.')
    print(`Load average at the end: ${load()}`)
  } finally {
    await stopSearchIndex({ save: false })
    await database.drop()
    await fs.rm(snapshotDir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
