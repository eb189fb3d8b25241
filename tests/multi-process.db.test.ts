/**
 * Three processes of the real server (server/index.ts, production build) on
 * one PostgreSQL, started together on an empty database with SEED_DEMO=1,
 * each with a data directory of its own, as on three hosts (issue 16):
 * all become healthy and the demo world exists once; a problem written
 * through one is found through the others; a change committed with no
 * notification (plain SQL) reaches all three within the reconcile interval;
 * the background work is done once across them: each problem's meaning
 * vector, each person's digest, an expired introduction's expiry and its
 * announcement (decision 0015).
 *
 * PostgreSQL only (the embedded database allows one process). Builds the
 * app first when the build is older than the sources, like the browser tests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_ORGANIZATIONS, DEMO_PEOPLE, DEMO_PRODUCTS } from '~/db/demo-content'
import { DEMO_ACCOUNTS } from '~/db/seed'
import { buildIfNeeded } from '../scripts/build-if-needed'
import { databaseUrl } from './setup/urls'

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'
const PROCESSES = 3
const DEMO_PASSWORD = 'switchboard-demo-processes'
/** The reconcile interval the processes run with. */
const RECONCILE_SECONDS = 1
/**
 * The periodic jobs' period: a minute, so introduction expiry comes round
 * each minute and each runner looks for due jobs every 15 s (background.server.ts).
 */
const JOBS_PERIOD_MINUTES = 1
/** What each process logs when its first meaning catch-up ends (meaning.server.ts). */
const START_CATCH_UP = /meanings: start catch-up done, (\d+) problems encoded/
/** What the digest job logs when it ran (background.server.ts). */
const DIGEST_RAN = /\[digest\] (\d+) digest email\(s\) with (\d+) notification\(s\) queued/g

type Hub = { name: string; baseURL: string; child: ChildProcess; output: string[]; dataDir: string }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function startHub(name: string, url: string): Promise<Hub> {
  const port = await freePort()
  const baseURL = `http://localhost:${port}`
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `switchboard-${name}-`))
  const output: string[] = []
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: baseURL,
      DATA_DIR: dataDir,
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '3',
      SEED_DEMO: '1',
      DEMO_PASSWORD,
      SEARCH_RECONCILE_SECONDS: String(RECONCILE_SECONDS),
      JOBS_PERIOD_MINUTES: String(JOBS_PERIOD_MINUTES),
      // Past the digest hour from the start, whenever the test runs: today's digest is due at once.
      DIGEST_TIMER: '1',
      DIGEST_HOUR_UTC: '0',
      LOG_REQUESTS: '0',
      PASSWORD_HASH_CONCURRENCY: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  return { name, baseURL, child, output, dataDir }
}

const exited = (hub: Hub) => hub.child.exitCode !== null || hub.child.signalCode !== null
const outputOf = (hub: Hub) => hub.output.join('')
/** The hub's name in `jobs.locked_by` and `meaning_claims.holder` (`processLabel`: host and pid). */
const labelOf = (hub: Hub) => `${os.hostname()}:${hub.child.pid}`

/**
 * Polls `done` until it holds, or `ms` pass (then fails, with what the
 * processes said). Bounded waits only: no test asserts how long work took.
 */
async function waitFor(hubs: Hub[], what: string, done: () => Promise<boolean> | boolean, ms: number) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const gone = hubs.find(exited)
    if (gone) throw new Error(`${gone.name} exited while waiting for ${what}:\n${outputOf(gone).slice(-4000)}`)
    if (await done()) return
    await sleep(500)
  }
  for (const hub of hubs) console.info(`[${hub.name}] output:\n${outputOf(hub).slice(-4000)}`)
  throw new Error(`no ${what} within ${ms / 1000} s`)
}

async function waitForHealthy(hub: Hub, ms = 120_000) {
  const until = Date.now() + ms
  let last = 'no answer yet'
  while (Date.now() < until) {
    if (exited(hub)) throw new Error(`${hub.name} exited (${hub.child.exitCode ?? hub.child.signalCode}):\n${hub.output.join('')}`)
    try {
      const response = await fetch(`${hub.baseURL}/healthz`, { signal: AbortSignal.timeout(5000) })
      if (response.status === 200) return
      last = `${response.status} ${await response.text()}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await sleep(250)
  }
  throw new Error(`${hub.name} was not healthy within ${ms / 1000} s (last: ${last}):\n${hub.output.join('')}`)
}

async function stopHub(hub: Hub) {
  if (!exited(hub)) {
    const gone = new Promise<void>((resolve) => hub.child.once('exit', () => resolve()))
    hub.child.kill('SIGTERM')
    const timer = setTimeout(() => hub.child.kill('SIGKILL'), 15_000)
    await gone
    clearTimeout(timer)
  }
  await fs.rm(hub.dataDir, { recursive: true, force: true })
}

/**
 * fetch, tried again when the connection drops: a kept-alive connection the
 * server closes as it is reused gives ECONNRESET. Only for requests that are
 * safe to repeat (reads, sign-in, a form with a submission key).
 */
async function request(url: string, init: RequestInit = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init)
    } catch (error) {
      if (attempt >= 3) throw error
      await sleep(200)
    }
  }
}

/** A form post as a browser on the hub's own page sends it (the CSRF check reads Origin). */
function post(hub: Hub, pathname: string, fields: Record<string, string>, cookie = '') {
  return request(`${hub.baseURL}${pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: hub.baseURL, 'Sec-Fetch-Site': 'same-origin', Cookie: cookie },
    body: new URLSearchParams(fields),
  })
}

async function signIn(hub: Hub, email: string) {
  const response = await post(hub, '/login', { email, password: DEMO_PASSWORD, redirectTo: '' })
  expect(response.status).toBe(302)
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
}

/** The post ids on the hub's search page for `q`. */
async function searchIds(hub: Hub, cookie: string, q: string) {
  const response = await request(`${hub.baseURL}/search?${new URLSearchParams({ q })}`, { headers: { Cookie: cookie } })
  const html = await response.text()
  return new Set([...html.matchAll(/href="\/posts\/([^"?/#]+)/g)].map((m) => m[1]!))
}

/** Polls every hub until each finds `id` for `q`, or `ms` pass; returns the hubs that did not. */
async function notFoundOn(hubs: Hub[], cookie: string, q: string, id: string, ms: number) {
  const until = Date.now() + ms
  let missing = hubs
  while (missing.length && Date.now() < until) {
    const found = await Promise.all(missing.map(async (hub) => (await searchIds(hub, cookie, q)).has(id)))
    missing = missing.filter((_, i) => !found[i])
    if (missing.length) await sleep(200)
  }
  // What the processes said, to see why.
  for (const hub of missing) console.info(`[${hub.name}] output:\n${hub.output.join('').slice(-4000)}`)
  return missing.map((hub) => hub.name)
}

describe.skipIf(!onPostgres)('three app processes on one PostgreSQL', () => {
  const hubs: Hub[] = []
  let sql: postgres.Sql
  let admin: postgres.Sql
  let name: string
  let cookie: string

  beforeAll(async () => {
    buildIfNeeded({ label: 'multi-process' })
    const base = process.env.TEST_DATABASE_URL!
    name = `switchboard_processes_${process.pid}_${Date.now().toString(36)}`
    admin = postgres(base, { max: 1, onnotice: () => {} })
    // Empty, not from the migrated template: the three processes migrate it themselves, at once.
    await admin.unsafe(`create database "${name}"`)
    const url = databaseUrl(base, name)
    sql = postgres(url, { max: 1, onnotice: () => {} })
    // Started in the same moment.
    hubs.push(...(await Promise.all(['A', 'B', 'C'].slice(0, PROCESSES).map((n) => startHub(n, url)))))
  }, 600_000)

  afterAll(async () => {
    await Promise.all(hubs.map(stopHub))
    await sql?.end()
    await admin?.unsafe(`drop database if exists "${name}" with (force)`)
    await admin?.end()
  }, 60_000)

  it('all become healthy, and the demo world exists once', async () => {
    await Promise.all(hubs.map((hub) => waitForHealthy(hub)))
    const [counts] = await sql<{ organizations: number; users: number; products: number }[]>`select
      (select count(*)::int from organizations) as organizations,
      (select count(*)::int from users) as users,
      (select count(*)::int from products) as products`
    expect(counts).toEqual({
      organizations: DEMO_ORGANIZATIONS.length,
      users: DEMO_ACCOUNTS.length + DEMO_PEOPLE.length,
      products: DEMO_PRODUCTS.length,
    })
    const seeded = hubs.filter((hub) => hub.output.join('').includes('Demo world seeded'))
    expect(seeded).toHaveLength(1)
    cookie = await signIn(hubs[0]!, 'support@vendor.test')
  }, 180_000)

  // Before anything is written, so every vector so far is the demo world's, made by the start catch-ups.
  it('a meaning vector is computed once per problem', async () => {
    // Each process catches up at start; each logs when its own catch-up ends (having encoded what it claimed).
    await waitFor(hubs, 'end of every start catch-up', () => hubs.every((hub) => START_CATCH_UP.test(outputOf(hub))), 300_000)
    const encoded = hubs.map((hub) => Number(START_CATCH_UP.exec(outputOf(hub))![1]))
    const [counts] = await sql<{ problems: number; vectors: number }[]>`select
      (select count(*)::int from posts where kind = 'problem' and hidden_at is null) as problems,
      (select count(*)::int from post_meanings m join posts p on p.id = m.post_id where p.kind = 'problem' and p.hidden_at is null) as vectors`
    expect(counts!.problems).toBeGreaterThan(0)
    // Every problem has its vector (one row each: post_id is the key)…
    expect(counts!.vectors).toBe(counts!.problems)
    // …and the three made them between them, none twice (each encoding each process made is in its count).
    expect(encoded.reduce((a, b) => a + b, 0)).toBe(counts!.problems)
    const holders = await sql<{ holder: string }[]>`select distinct holder from meaning_claims`
    expect(holders.length).toBeGreaterThan(0)
    for (const { holder } of holders) expect(hubs.map(labelOf)).toContain(holder)
  }, 330_000)

  it('a problem written through one process is found through the others', async () => {
    const [product] = await sql<{ id: string }[]>`select id from products order by name limit 1`
    const alice = await signIn(hubs[1]!, 'alice@customer-a.test')
    const response = await post(hubs[1]!, '/problems/new', {
      title: 'Narwhal bridge loses its lease after failover',
      body: 'After a failover the bridge never takes its lease back.',
      productId: product!.id,
      tags: '',
      submissionKey: `processes-${Date.now()}`,
    }, alice)
    expect(response.status).toBe(302)
    const id = /\/posts\/([^?]+)/.exec(response.headers.get('location') ?? '')?.[1]
    expect(id).toBeTruthy()
    // Generous: on a busy machine each search page itself may take seconds.
    expect(await notFoundOn(hubs, cookie, 'narwhal bridge lease', id!, 60_000)).toEqual([])
  }, 180_000)

  it('a change committed with no notification (plain SQL) reaches every process within the reconcile interval', async () => {
    const [post] = await sql<{ id: string }[]>`select id from posts where kind = 'problem' and hidden_at is null and visibility = 'community' order by created_at limit 1`
    await sql`update posts set title = 'Beluga exporter stops after a schema change' where id = ${post!.id}`
    // Nothing but the reconcile (every RECONCILE_SECONDS) can bring it; the
    // margin is for a busy machine, where a search page itself takes seconds.
    expect(await notFoundOn(hubs, cookie, 'beluga exporter schema', post!.id, 60_000)).toEqual([])
  }, 120_000)

  it('with three processes running past the digest hour, each person gets one digest', async () => {
    const [today] = await sql<{ day: string }[]>`select to_char(now() at time zone 'utc', 'YYYY-MM-DD') as day`
    const day = today!.day
    const key = `digest:${day}`
    const digestState = async () => (await sql<{ state: string }[]>`select state from jobs where key = ${key}`)[0]?.state
    const digestLines = (marks: number[]) => hubs.flatMap((hub, i) => [...outputOf(hub).slice(marks[i]).matchAll(DIGEST_RAN)])
    // Past the digest hour from the start: today's digest ran as they started, with nothing to send, in one of them.
    await waitFor(hubs, `${key} done at start`, async () => (await digestState()) === 'done' && digestLines([0, 0, 0]).length > 0, 120_000)
    expect(digestLines([0, 0, 0])).toHaveLength(1)

    // Three people with two digest notifications each…
    const people = await sql<{ id: string; email: string }[]>`select id, email from users where role = 'customer' and active order by email limit 3`
    expect(people).toHaveLength(3)
    for (const person of people) {
      for (const n of [1, 2]) {
        await sql`insert into notifications (id, user_id, event, summary, path, delivery, dedupe_key)
          values (${`mp-digest-${n}-${person.id}`}, ${person.id}, 'migration_status', ${`Migration update ${n}`}, '/migrations', 'daily', ${`mp-digest-${n}:${person.id}`})`
      }
    }
    // …and today's digest not yet scheduled, as on a morning before the digest hour: each runner asks for it at its next round.
    const marks = hubs.map((hub) => outputOf(hub).length)
    await sql`delete from jobs where key = ${key}`
    await waitFor(hubs, `${key} done again`, async () => (await digestState()) === 'done' && digestLines(marks).length > 0, 120_000)

    // One job, run once, by one of the three…
    const jobRows = await sql<{ state: string; attempts: number; locked_by: string }[]>`select state, attempts, locked_by from jobs where key = ${key}`
    expect(jobRows).toHaveLength(1)
    expect(jobRows[0]).toMatchObject({ state: 'done', attempts: 1 })
    expect(hubs.map(labelOf)).toContain(jobRows[0]!.locked_by)
    // …which queued the three emails; no other process ran a digest.
    expect(digestLines(marks).map((m) => [m[1], m[2]])).toEqual([['3', '6']])
    const digests = await sql<{ to_address: string; dedupe_key: string }[]>`select to_address, dedupe_key from outbox where dedupe_key like 'digest:%' order by to_address`
    expect(digests).toEqual(people.map((p) => ({ to_address: p.email, dedupe_key: `digest:${p.id}:${day}` })))
    const [left] = await sql<{ n: number }[]>`select count(*)::int as n from notifications where id like 'mp-digest-%' and digested_at is null`
    expect(left!.n).toBe(0)
  }, 300_000)

  it('an expired introduction is expired once and announced once', async () => {
    // A problem's customer author and a customer of another organization, not introduced yet.
    const [pair] = await sql<{ problem_id: string; asker_id: string; asker_email: string; solver_id: string; solver_email: string }[]>`
      select p.id as problem_id, a.id as asker_id, a.email as asker_email, s.id as solver_id, s.email as solver_email
      from posts p
      join users a on a.id = p.author_id and a.role = 'customer' and a.active
      join users s on s.role = 'customer' and s.active and s.organization_id <> a.organization_id
      where p.kind = 'problem' and p.hidden_at is null and not exists (select 1 from introductions i where i.problem_id = p.id)
      order by p.id, s.id limit 1`
    const [staff] = await sql<{ id: string; email: string }[]>`select id, email from users where email = 'support@vendor.test'`
    expect(pair && staff).toBeTruthy()
    // Proposed two weeks ago and never answered: its expiry has passed.
    const id = `mp-intro-${Date.now().toString(36)}`
    await sql`insert into introductions (id, problem_id, asker_id, solver_id, proposed_by_id, asker_note, solver_note, expires_at, created_at, updated_at)
      values (${id}, ${pair!.problem_id}, ${pair!.asker_id}, ${pair!.solver_id}, ${staff!.id}, 'Someone solved this', 'Someone has your old problem',
        now() - interval '1 minute', now() - interval '14 days', now() - interval '14 days')`
    // The next period's expiry job (every JOBS_PERIOD_MINUTES) takes it, in whichever process claims it.
    const state = async () => (await sql<{ state: string }[]>`select state::text from introductions where id = ${id}`)[0]?.state
    await waitFor(hubs, `expiry of ${id}`, async () => (await state()) === 'expired', 180_000)

    const [audits] = await sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'introduction.expire' and subject_id = ${id}`
    expect(audits!.n).toBe(1)
    // One notification each: the two customers (nothing about each other), and support who proposed it.
    const notes = await sql<{ user_id: string; dedupe_key: string; delivery: string; id: string }[]>`
      select user_id, dedupe_key, delivery::text, id from notifications where path = ${`/introductions/${id}`} order by dedupe_key`
    expect(notes.map((n) => n.dedupe_key).sort()).toEqual(
      [`intro-closed:${id}:${pair!.asker_id}`, `intro-closed:${id}:${pair!.solver_id}`, `intro-closed-staff:${id}:${staff!.id}`].sort(),
    )
    // Each told by email once (introduction results are emailed at once by default).
    const emails = await sql<{ to_address: string }[]>`select to_address from outbox where dedupe_key in ${sql(notes.map((n) => `notification:${n.id}`))} `
    expect(emails.map((e) => e.to_address).sort()).toEqual([pair!.asker_email, pair!.solver_email, staff!.email].sort())
  }, 240_000)
})
