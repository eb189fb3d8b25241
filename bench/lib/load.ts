/**
 * Bounded load on one page with autocannon, and what it cost: requests per
 * second, latency percentiles, responses that were not what the page
 * answers, and CPU per request of the server process (with its threads and
 * children) and of the PostgreSQL backends serving it, read from /proc.
 */
import autocannon from 'autocannon'
import { setTimeout as sleep } from 'node:timers/promises'
import { CpuWindow, processTree } from './proc'
import { percentile } from './stats'

/** What to send: each request takes the next path (and headers, body) in turn. */
export type LoadTarget = {
  method: 'GET' | 'POST'
  /** Request i gets paths[i % paths.length]. */
  paths: readonly string[]
  headers: (i: number) => Record<string, string>
  body?: (i: number) => string
  /** Statuses that mean the page answered as it should (200; a form's redirect). */
  expect: readonly number[]
}

export type Measured = {
  connections: number
  durationS: number
  /** The page was too slow to answer once per connection within the run, which went on until two answers per connection. */
  extended: boolean
  requests: number
  rps: number
  p50: number
  p95: number
  p99: number
  /** Requests sent (those still waiting at the end are not answered, nor counted in `requests`). */
  sent: number
  /** Responses with another status than expected, plus connection errors and timeouts. */
  bad: number
  statuses: Record<string, number>
  errors: number
  /** CPU ms per completed request: the whole process (all threads, children). */
  appCpuMs: number
  /** CPU ms per completed request of the main (request) threads alone. */
  requestThreadCpuMs: number
  /** Null when the database runs inside the app process (PGlite). */
  pgCpuMs: number | null
}

export type Meters = {
  /** The server's pid: its CPU and its children's are counted. */
  appPid: number
  /** The pids of the PostgreSQL backends serving the server right now; null for PGlite. */
  pgPids: (() => Promise<number[]>) | null
  /** Wait for the server to go idle before and after (default); off while it is busy on purpose (a catch-up). */
  settle?: boolean
}

/**
 * Waits until the server has (nearly) stopped using CPU — at most one clock
 * tick per 200 ms twice in a row, or `maxMs` — so work left over from the
 * previous run (requests its clients gave up on, after-commit work) is not
 * charged to the next, and this run's is charged to it.
 */
export async function settle(pid: number, maxMs = 15_000) {
  const deadline = Date.now() + maxMs
  let quiet = 0
  let before = processTree(pid).cpuMs
  while (Date.now() < deadline && quiet < 2) {
    await sleep(200)
    const now = processTree(pid).cpuMs
    quiet = now - before <= 10 ? quiet + 1 : 0
    before = now
  }
}

/** Runs `target` for `duration` seconds on `connections` connections and measures it. */
export async function measure(baseUrl: string, target: LoadTarget, { connections, duration }: { connections: number; duration: number }, meters: Meters): Promise<Measured> {
  let sent = 0
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  if (meters.settle !== false) await settle(meters.appPid)
  const pg = meters.pgPids ? new CpuWindow() : null
  const samplePg = async () => {
    if (pg && meters.pgPids) pg.sample(await meters.pgPids())
  }
  await samplePg()
  const appBefore = processTree(meters.appPid)
  let sampling = true
  // Backends that open or end during the run are caught between samples.
  const sampler = (async () => {
    while (sampling) {
      await sleep(250)
      if (sampling) await samplePg()
    }
  })()
  const fire = async (limit: { duration: number } | { amount: number }) => {
    const instance = autocannon({
      url: baseUrl,
      connections,
      ...limit,
      timeout: 30,
      requests: [
        {
          setupRequest: (request) => {
            const i = sent++
            const body = target.body?.(i)
            return {
              ...request,
              method: target.method,
              path: target.paths[i % target.paths.length]!,
              // autocannon sets Content-Length itself.
              headers: { ...target.headers(i), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
              ...(body !== undefined ? { body } : {}),
            }
          },
        },
      ],
    })
    instance.on('response', (_client: unknown, status: number | undefined, _bytes: number, ms: number) => {
      // A timed-out request is reported as a response without a status; it is counted as an error (reqError).
      if (typeof status !== 'number') return
      latencies.push(ms)
      statuses[status] = (statuses[status] ?? 0) + 1
    })
    instance.on('reqError', () => errors++)
    return instance
  }
  const result = await fire({ duration })
  let durationS = result.duration
  let extended = false
  // A page slower than the run answers almost nothing within it (autocannon drops what is in flight at
  // the end): then go on until two answers per connection, so its figures exist, and say so.
  if (latencies.length < connections) {
    extended = true
    durationS += (await fire({ amount: 2 * connections })).duration
  }
  if (meters.settle !== false) await settle(meters.appPid)
  sampling = false
  await sampler
  await samplePg()
  const appAfter = processTree(meters.appPid)
  const appCpu = appAfter.cpuMs - appBefore.cpuMs
  const requestThreadCpu = appAfter.mainThreadCpuMs - appBefore.mainThreadCpuMs
  const requests = latencies.length
  // No answer within the run: every latency was longer than the run (shown as "> duration").
  const latency = (p: number) => (requests ? percentile(latencies, p) : Number.POSITIVE_INFINITY)
  const expected = target.expect.reduce((sum, status) => sum + (statuses[status] ?? 0), 0)
  return {
    connections,
    durationS,
    extended,
    requests,
    sent,
    rps: requests / (durationS || duration),
    p50: latency(50),
    p95: latency(95),
    p99: latency(99),
    bad: requests ? requests - expected + errors : sent,
    statuses,
    errors,
    appCpuMs: requests ? appCpu / requests : Number.NaN,
    requestThreadCpuMs: requests ? requestThreadCpu / requests : Number.NaN,
    pgCpuMs: pg ? (requests ? pg.total / requests : Number.NaN) : null,
  }
}
