/**
 * `npm run bench:pages [-- --posts 100000 --sizes 10000,100000 --duration 5
 *   --connections 10,50 --pages home,queue --pglite --workers 2 --compare-workers]`
 *
 * What a page costs at community scale (issue 14). For each size: a fresh
 * database with the demo world (the app's seed) and N generated posts with
 * their workarounds, replies, me-toos, migrations, notifications and audit
 * entries on top (lib/community.ts); the hub started as in production
 * (`npm run build` if needed, server/index.ts, NODE_ENV=production, request
 * log and digest timer off) on a free port; signed in through the real form
 * as a customer, several customers, support and an admin; then bounded load
 * with autocannon on every page, at 10 and 50 connections: req/s, p50/p95/p99,
 * answers that were not the page's, and CPU per request of the hub's process
 * and of its PostgreSQL backends, from /proc. In the same run, as ceilings:
 * a bare node:http server and a minimal Remix app (bench/fixtures/ceilings.tsx)
 * serving a page the size of the sign-in page. Then each page's growth
 * between the sizes and issue 14's targets, each met or not and by how much.
 *
 * A benchmark, not a test: it prints figures and never fails on one.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Presets, SingleBar } from 'cli-progress'
import { buildIfNeeded } from '../scripts/build-if-needed'
import { setDatabase } from '~/db/client.server'
import { seedCommunity, type CommunityCounts } from './lib/community'
import { measure, settle, type Measured } from './lib/load'
import { ceilingSpecs, discover, PAGE_KEYS, pageSpecs, signIn, type PageSpec, type Sessions } from './lib/pages'
import { writeImportFile } from './lib/import-file'
import { createPagesDatabase, type PagesDatabase } from './lib/pages-database'
import { processTree } from './lib/proc'
import { pageTable, targetTable, type PageResult } from './lib/report'
import { baseEnv, freePort, startServer, type ServerProcess } from './lib/server-process'
import { mb, ms, seconds, table } from './lib/stats'
import { growth, TARGETS, verdict } from './lib/targets'

const DEMO_PASSWORD = 'switchboard-demo'
const START_TIMEOUT_MS = 30 * 60 * 1000

type Options = {
  pglite: boolean
  sizes: number[]
  duration: number
  connections: number[]
  pages: string[] | null
  workers: number
  compareWorkers: boolean
  seed: number
  sessions: number
  /** Problems to import before measuring again while meanings catch up (0: not). */
  afterImport: number
}

function numbers(value: string, name: string) {
  const list = value.split(',').map((v) => Number(v.trim().replace(/_/g, '')))
  if (!list.length || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`bench: --${name} takes positive whole numbers, comma-separated (got "${value}")`)
  return list
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      pglite: { type: 'boolean', default: false },
      posts: { type: 'string' },
      sizes: { type: 'string' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '10,50' },
      pages: { type: 'string' },
      workers: { type: 'string', default: '1' },
      'compare-workers': { type: 'boolean', default: false },
      seed: { type: 'string', default: '42' },
      sessions: { type: 'string', default: '20' },
      'after-import': { type: 'boolean', default: false },
      'import-problems': { type: 'string', default: '20000' },
    },
  })
  const unknown = (values.pages ?? '').split(',').map((p) => p.trim()).filter((p) => p && !(PAGE_KEYS as readonly string[]).includes(p))
  if (unknown.length) throw new Error(`bench: unknown page ${unknown.join(', ')} in --pages (known: ${PAGE_KEYS.join(', ')})`)
  const posts = values.posts ? numbers(values.posts, 'posts')[0]! : 100_000
  const sizes = values.sizes ? numbers(values.sizes, 'sizes') : [...new Set([Math.min(10_000, posts), posts])]
  return {
    pglite: values.pglite,
    sizes: [...sizes].sort((a, b) => a - b),
    duration: numbers(values.duration, 'duration')[0]!,
    connections: numbers(values.connections, 'connections'),
    pages: values.pages ? values.pages.split(',').map((p) => p.trim()).filter(Boolean) : null,
    workers: numbers(values.workers, 'workers')[0]!,
    compareWorkers: values['compare-workers'],
    seed: numbers(values.seed, 'seed')[0]!,
    sessions: numbers(values.sessions, 'sessions')[0]!,
    afterImport: values['after-import'] ? numbers(values['import-problems'], 'import-problems')[0]! : 0,
  }
}

type SizeResult = { size: number; counts: CommunityCounts; seedMs: number; startMs: number; rssStart: number; rssEnd: number; pages: PageResult[] }

const print = (line = '') => console.info(line)
/** Progress on stderr, so the printed figures stay clean tables. */
const phase = (text: string) => process.stderr.write(`… ${text}\n`)
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const n = (value: number) => value.toLocaleString('en')

/** Runs every selected spec against `server` and prints nothing; returns the runs. */
async function runPages(server: ServerProcess, specs: PageSpec[], options: Options, pgPids: PagesDatabase['backendPids'], settle = true): Promise<PageResult[]> {
  const results: PageResult[] = []
  for (const spec of specs) {
    phase(`${spec.label}: warming up`)
    // One request first: a page that is not there or fails is said at once, not hidden in a count.
    const first = spec.target
    const headers = first.headers(0)
    const body = first.body?.(1_000_000)
    const probe = await fetch(`${server.baseUrl}${first.paths[0]}`, {
      method: first.method,
      redirect: 'manual',
      headers: { ...headers, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    })
    const text = await probe.text()
    if (!first.expect.includes(probe.status)) {
      process.stderr.write(`  ! ${spec.label}: ${first.method} ${first.paths[0]} answered ${probe.status}: ${text.replace(/\s+/g, ' ').slice(0, 200)}\n`)
    }
    await measure(server.baseUrl, spec.target, { connections: 2, duration: 1 }, { appPid: server.pid, pgPids: null, settle })
    const runs: Measured[] = []
    for (const connections of options.connections) {
      phase(`${spec.label}: ${connections} connections, ${options.duration} s`)
      runs.push(await measure(server.baseUrl, spec.target, { connections, duration: options.duration }, { appPid: server.pid, pgPids, settle }))
    }
    results.push({ spec, runs })
  }
  return results
}

async function startHub(database: PagesDatabase, options: Options, workers: number, { idle = true } = {}) {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const started = Date.now()
  const server = await startServer({
    script: 'server/index.ts',
    port,
    env: {
      ...baseEnv(),
      ...database.env,
      NODE_ENV: 'production',
      PUBLIC_URL: baseUrl,
      LOG_REQUESTS: '0',
      DIGEST_TIMER: '0',
      DEMO_PASSWORD,
      WEB_CONCURRENCY: String(workers),
    },
    timeoutMs: START_TIMEOUT_MS,
    echoStderr: 'hub',
  })
  const startMs = Date.now() - started
  // The start's own work (snapshot written, meanings checked) ends before anything is measured.
  if (idle) await settle(server.pid, 120_000)
  return { server, startMs }
}

async function signInAll(baseUrl: string, options: Options): Promise<Sessions> {
  const customers: string[] = []
  for (let i = 0; i < options.sessions; i++) {
    try {
      customers.push(await signIn(baseUrl, `bench-${i}@example.test`, DEMO_PASSWORD))
    } catch (error) {
      process.stderr.write(`  ! ${error instanceof Error ? error.message : error}; going on with ${customers.length} customer sessions\n`)
      break
    }
  }
  const customer = await signIn(baseUrl, 'alice@customer-a.test', DEMO_PASSWORD)
  return {
    customer,
    customers: customers.length ? customers : [customer],
    support: await signIn(baseUrl, 'support@vendor.test', DEMO_PASSWORD),
    admin: await signIn(baseUrl, 'admin@vendor.test', DEMO_PASSWORD),
  }
}

/** The ceilings, started beside the hub, each measured like a page. */
async function runCeilings(hub: ServerProcess, options: Options, selected: (key: string) => boolean): Promise<PageResult[]> {
  const specs = ceilingSpecs().filter((s) => selected(s.key))
  if (!specs.length) return []
  const page = Buffer.from(await (await fetch(`${hub.baseUrl}/login`)).arrayBuffer())
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-ceiling-'))
  const pageFile = path.join(directory, 'login.html')
  await fs.writeFile(pageFile, page)
  const results: PageResult[] = []
  try {
    for (const spec of specs) {
      const server = await startServer({
        script: 'bench/fixtures/ceilings.tsx',
        args: [spec.key],
        env: { ...baseEnv(), NODE_ENV: 'production', PAGE_FILE: pageFile, PAGE_BYTES: String(page.length) },
        echoStderr: spec.key,
      })
      try {
        const size = (await (await fetch(server.baseUrl)).arrayBuffer()).byteLength
        phase(`${spec.label}: ${n(size)} bytes (sign-in page: ${n(page.length)} bytes)`)
        spec.label = `${spec.label} (${(size / 1024).toFixed(1)} kB)`
        results.push(...(await runPages(server, [spec], options, null)))
      } finally {
        await server.stop()
      }
    }
  } finally {
    await fs.rm(directory, { recursive: true, force: true })
  }
  return results
}

async function main() {
  const options = parseOptions(process.argv.slice(2))
  const runStarted = Date.now()
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`
  const selected = (key: string) => options.pages === null || options.pages.includes(key)
  const cleanups: (() => Promise<void>)[] = []
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => console.error('bench: cleaning up failed:', error))
  }
  // Ctrl-C: stop the hub and drop the databases too.
  const interrupted = () => void cleanUp().finally(() => process.exit(130))
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)

  print(`Switchboard page benchmark: sizes ${options.sizes.map(n).join(', ')} posts, ${options.pglite ? 'embedded PGlite' : 'PostgreSQL'}, ${options.duration} s per run at ${options.connections.join(', ')} connections, WEB_CONCURRENCY=${options.workers}, Node ${process.version}`)
  print(`Machine: ${os.cpus().length} CPUs, load average ${load()} at start (shared: other work inflates latency; CPU per request holds up better)`)
  if (options.pglite && options.workers > 1) print('Note: the embedded database allows one process; WEB_CONCURRENCY is passed through as asked.')

  try {
    if (buildIfNeeded({ label: 'bench' })) phase('built the app')
    const sizes: SizeResult[] = []
    let ceilings: PageResult[] = []
    let workerComparison: { label: string; one: number; two: number }[] = []
    let afterImport: AfterImport | null = null
    for (const size of options.sizes) {
      phase(`${n(size)} posts: creating the database`)
      const database = await createPagesDatabase({ pglite: options.pglite, size })
      cleanups.push(() => database.drop())
      setDatabase(database.handle)
      const bar = new SingleBar({ format: `Writing ${n(size)} posts [{bar}] {value}/{total} | {duration_formatted}`, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic)
      const seedStarted = Date.now()
      bar.start(size, 0)
      const counts = await seedCommunity(database.handle, { count: size, seed: options.seed, password: DEMO_PASSWORD, onProgress: (done) => bar.update(done) })
      bar.stop()
      const seedMs = Date.now() - seedStarted
      const found = await discover(database.handle)
      setDatabase(undefined)
      await database.release()

      phase(`${n(size)} posts: starting the hub (it builds its search index first)`)
      const hub = await startHub(database, options, options.workers)
      const startMs = hub.startMs
      let server = hub.server
      cleanups.push(() => server.stop())
      const rssStart = processTree(server.pid).rssBytes
      const sessions = await signInAll(server.baseUrl, options)
      if (size === options.sizes[0]) ceilings = await runCeilings(server, options, selected)
      const specs = pageSpecs({ found, sessions, baseUrl: server.baseUrl, seed: options.seed, runId }).filter((s) => selected(s.key))
      const pages = await runPages(server, specs, options, database.backendPids)
      const rssEnd = processTree(server.pid).rssBytes
      sizes.push({ size, counts, seedMs, startMs, rssStart, rssEnd, pages })

      if (options.compareWorkers && size === options.sizes.at(-1)) {
        // The same GET pages with the other worker count, at the first connection level.
        const other = options.workers === 1 ? 2 : 1
        await server.stop()
        phase(`starting the hub again with WEB_CONCURRENCY=${other}`)
        server = (await startHub(database, options, other)).server
        cleanups.push(() => server.stop())
        const otherSessions = await signInAll(server.baseUrl, options)
        const gets = pageSpecs({ found, sessions: otherSessions, baseUrl: server.baseUrl, seed: options.seed, runId: `${runId}w` }).filter((s) => selected(s.key) && s.target.method === 'GET')
        const again = await runPages(server, gets, { ...options, connections: [options.connections[0]!] }, database.backendPids)
        workerComparison = again.map(({ spec, runs }) => {
          const mine = pages.find((p) => p.spec.key === spec.key)!.runs[0]!.rps
          const theirs = runs[0]!.rps
          return { label: spec.label, one: options.workers === 1 ? mine : theirs, two: options.workers === 1 ? theirs : mine }
        })
      }
      if (options.afterImport && size === options.sizes.at(-1)) {
        await server.stop()
        afterImport = await measureAfterImport(database, options, found, runId, selected, cleanups)
      }
      await server.stop()
      await database.drop()
    }

    // Figures
    for (const result of sizes) {
      const c = result.counts
      print('')
      print(
        `== ${n(result.size)} posts on top of the demo world: ${n(c.problems)} problems, ${n(c.stories)} stories, ${n(c.migrations)} migrations; ` +
          `${n(c.workarounds)} workarounds, ${n(c.replies)} replies, ${n(c.meToos)} me-toos, ${n(c.follows)} follows, ${n(c.notifications)} notifications, ` +
          `${n(c.audit)} audit entries, ${n(c.vectors)} stored meanings (synthetic). Written in ${seconds(result.seedMs)}.`,
      )
      print(`Hub: healthy ${seconds(result.startMs)} after start (search index built from the database); RSS ${mb(result.rssStart)} after start, ${mb(result.rssEnd)} at the end.`)
      print(pageTable(result.pages))
    }
    if (ceilings.length) {
      print('')
      print('Ceilings (same run, same load): bare node:http answering the sign-in page\'s bytes; a minimal Remix v2 app (same packages, express + compression) rendering a page of its size.')
      print(pageTable(ceilings))
    }
    if (options.pglite) print('PG CPU: the embedded database runs inside the hub\'s process, so its work is in "app CPU".')
    else print('PG CPU: the PostgreSQL backends connected to the benchmark\'s database (the hub\'s pool and any parallel workers), from /proc.')

    const small = sizes[0]
    const big = sizes.at(-1)
    const totalCpu = (run: Measured | undefined) => (run ? run.appCpuMs + (run.pgCpuMs ?? 0) : Number.NaN)
    const growthRows: { label: string; key: string; value: number }[] = []
    if (small && big && small !== big) {
      print('')
      print(`Growth: CPU per request (app + PG) at ${n(big.size)} posts ÷ at ${n(small.size)}, at ${options.connections[0]} connections.`)
      const rows = big.pages.map(({ spec, runs }) => {
        const before = small.pages.find((p) => p.spec.key === spec.key)?.runs[0]
        const after = runs[0]
        const value = growth(totalCpu(before), totalCpu(after))
        growthRows.push({ label: spec.label, key: spec.key, value })
        return [spec.label, ms(totalCpu(before)), ms(totalCpu(after)), Number.isNaN(value) ? '–' : `${value.toFixed(2)}×`]
      })
      print(table(['page', `${n(small.size)}`, `${n(big.size)}`, 'growth'], rows))
    }
    if (workerComparison.length) {
      print('')
      print(`WEB_CONCURRENCY=2 against 1 at ${n(big!.size)} posts, ${options.connections[0]} connections:`)
      print(table(['page', 'req/s, 1', 'req/s, 2', 'ratio'], workerComparison.map((w) => [w.label, w.one.toFixed(w.one >= 100 ? 0 : 1), w.two.toFixed(w.two >= 100 ? 0 : 1), `${(w.two / w.one).toFixed(2)}×`])))
    }

    if (afterImport) {
      print('')
      print(
        `Right after importing ${n(afterImport.problems)} problems (${n(afterImport.posts)} posts with their workarounds and replies) with \`npm run import\` in ${seconds(afterImport.importMs)}, ` +
          `while the hub catches up on their meanings (hub healthy after ${seconds(afterImport.startMs)}; meanings pending ${afterImport.pendingBefore ?? '?'} at the first page, ${afterImport.pendingAfter ?? '?'} after the last; ` +
          `nothing waits for the hub to go idle, so "app CPU" includes the catch-up and "main thread" is what requests cost the request thread):`,
      )
      print(pageTable(afterImport.pages))
    }
    if (big) {
      print('')
      print(`Targets (issue 14), at ${n(big.size)} posts on ${options.pglite ? 'PGlite (the targets are stated for PostgreSQL)' : 'PostgreSQL'}, one process unless said:`)
      print(targetTable(big, ceilings, growthRows, workerComparison, options))
      if (afterImport) {
        const checks = (groups: string[], pick: (run: Measured) => number) =>
          afterImport!.pages.filter(({ spec }) => groups.includes(spec.group)).map(({ spec, runs }) => ({ page: spec.label, value: pick(runs[0]!) }))
        print(`- after the import, GET page main thread ≤ 8 ms/req: ${verdict(checks(['page', 'cheapest'], (r) => r.requestThreadCpuMs), TARGETS.pageAppCpu)}`)
        print(`- after the import, console page main thread ≤ 20 ms/req: ${verdict(checks(['console'], (r) => r.requestThreadCpuMs), TARGETS.consoleAppCpu)}`)
        print(`- after the import, p95 < 200 ms at ${options.connections[0]} conns: ${verdict(checks(['page', 'console', 'cheapest'], (r) => r.p95), { kind: 'below', limit: 200, unit: 'ms' })}`)
      }
    }
    print('')
    print(`Load average at the end: ${load()}. Whole run: ${seconds(Date.now() - runStarted)}.`)
  } finally {
    await cleanUp()
  }
}

type AfterImport = { problems: number; posts: number; importMs: number; startMs: number; pendingBefore: number | null; pendingAfter: number | null; pages: PageResult[] }

/** Runs `npm run import` (scripts/import.ts) on `file` against the benchmark's database; throws with its output when it fails. */
async function runImport(file: string, database: PagesDatabase) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', file], {
    cwd: process.cwd(),
    env: { ...baseEnv(), ...database.env, NODE_ENV: 'production' } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`bench: npm run import exited with ${code}:\n${output.join('').slice(-3000)}`)
}

/**
 * Imports `options.afterImport` problems with the real import command while
 * the hub is stopped, starts it again and measures the GET pages at the
 * first connection level at once, while it encodes the imported problems'
 * meanings (issue 14 item 5).
 */
async function measureAfterImport(
  database: PagesDatabase,
  options: Options,
  found: Parameters<typeof pageSpecs>[0]['found'],
  runId: string,
  selected: (key: string) => boolean,
  cleanups: (() => Promise<void>)[],
): Promise<AfterImport> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-import-'))
  cleanups.push(() => fs.rm(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'knowledge.jsonl')
  phase(`writing ${n(options.afterImport)} problems to import`)
  const posts = await writeImportFile(file, { count: options.afterImport, seed: options.seed })
  phase(`npm run import (${n(posts)} posts)`)
  const started = Date.now()
  await runImport(file, database)
  const importMs = Date.now() - started
  phase('starting the hub after the import (no waiting for it to go idle)')
  const { server, startMs } = await startHub(database, options, options.workers, { idle: false })
  cleanups.push(() => server.stop())
  const pendingBefore = (await database.pendingMeanings?.()) ?? null
  const sessions = await signInAll(server.baseUrl, options)
  const gets = pageSpecs({ found, sessions, baseUrl: server.baseUrl, seed: options.seed, runId: `${runId}i` }).filter((s) => selected(s.key) && s.target.method === 'GET')
  const pages = await runPages(server, gets, { ...options, connections: [options.connections[0]!] }, database.backendPids, false)
  const pendingAfter = (await database.pendingMeanings?.()) ?? null
  await server.stop()
  return { problems: options.afterImport, posts, importMs, startMs, pendingBefore, pendingAfter, pages }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
