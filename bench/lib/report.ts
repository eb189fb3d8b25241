/**
 * The page benchmark's printed tables: one per size (or for the ceilings,
 * or after an import) and the verdicts on issue 14's targets.
 */
import { type Measured } from './load'
import { type PageSpec } from './pages'
import { ms, table } from './stats'
import { TARGETS, verdict, type Bound, type Check } from './targets'

/** A page and its runs, one per connection level. */
export type PageResult = { spec: PageSpec; runs: Measured[] }

const cpu = (value: number | null) => (value === null ? 'in app' : ms(value))

function badCell(run: Measured, spec: PageSpec) {
  if (!run.requests) return `none of ${run.sent} answered`
  if (!run.bad) return '0'
  const other = Object.entries(run.statuses)
    .filter(([status]) => !spec.target.expect.includes(Number(status)))
    .map(([status, count]) => `${count}×${status}`)
  if (run.errors) other.push(`${run.errors} errors`)
  return `${run.bad} (${other.join(', ')})`
}

/** A latency, or "> 5 s" when nothing was answered within the run. */
const latency = (value: number, run: Measured) => (Number.isFinite(value) ? ms(value) : `> ${run.durationS.toFixed(0)} s`)

/** One row per page and connection level: req/s, latency, answers that were not the page, CPU per request. */
export function pageTable(results: PageResult[]) {
  const rows = results.flatMap(({ spec, runs }) =>
    runs.map((run, i) => [
      i === 0 ? spec.label : '',
      String(run.connections),
      `${run.rps.toFixed(run.rps >= 100 ? 0 : 1)}${run.extended ? '*' : ''}`,
      latency(run.p50, run),
      latency(run.p95, run),
      latency(run.p99, run),
      badCell(run, spec),
      ms(run.appCpuMs),
      ms(run.requestThreadCpuMs),
      spec.group === 'ceiling' ? '–' : cpu(run.pgCpuMs),
    ]),
  )
  const extended = results.some(({ runs }) => runs.some((r) => r.extended))
  return (
    table(['page', 'conns', 'req/s', 'p50', 'p95', 'p99', 'not the page', 'app CPU/req', 'main thread', 'PG CPU/req'], rows) +
    (extended ? '\n* slower than the run: fewer answers than connections within it, so it went on until two answers per connection.' : '')
  )
}

/**
 * Issue 14's targets against the big size's pages, one line each: "met"
 * with the worst page, or "NOT met" with every page that misses and by how much.
 */
export function targetTable(
  big: { pages: PageResult[] },
  ceilings: PageResult[],
  growthRows: { label: string; value: number }[],
  workers: { label: string; one: number; two: number }[],
  options: { pglite: boolean; connections: number[] },
) {
  const at = (pages: PageResult[], index: number) => pages.flatMap(({ spec, runs }) => (runs[index] ? [{ spec, run: runs[index] }] : []))
  const first = at(big.pages, 0)
  const heavy = options.connections.length > 1 ? at(big.pages, options.connections.length - 1) : []
  const gets = first.filter(({ spec }) => spec.target.method === 'GET')
  const of = (group: string[], pick: (run: Measured) => number | null, list = gets): Check[] =>
    list.filter(({ spec }) => group.includes(spec.group)).map(({ spec, run }) => ({ page: spec.label, value: pick(run) ?? Number.NaN }))
  const pgIn = (run: Measured) => (run.pgCpuMs === null ? Number.NaN : run.pgCpuMs)
  const login = gets.find(({ spec }) => spec.group === 'cheapest')
  const remix = ceilings.find(({ spec }) => spec.key === 'remix')?.runs[0]
  const c0 = options.connections[0]
  const cLast = options.connections.at(-1)
  const row = (name: string, checks: Check[], bound: Bound) => `- ${name}: ${verdict(checks, bound)}`
  const rows = [
    row('GET page: app CPU ≤ 8 ms/req', of(['page'], (r) => r.appCpuMs), TARGETS.pageAppCpu),
    row('GET page: PG CPU ≤ 5 ms/req', options.pglite ? [] : of(['page'], pgIn), TARGETS.pagePgCpu),
    row('console page: app CPU ≤ 20 ms/req', of(['console'], (r) => r.appCpuMs), TARGETS.consoleAppCpu),
    row('console page: PG CPU ≤ 10 ms/req', options.pglite ? [] : of(['console'], pgIn), TARGETS.consolePgCpu),
    row('cheapest page (sign-in): app CPU ≤ 4 ms', of(['cheapest'], (r) => r.appCpuMs), TARGETS.cheapestAppCpu),
    row('cheapest page ≤ 2× the minimal Remix app', login && remix ? [{ page: `sign-in ${ms(login.run.appCpuMs)} vs minimal Remix ${ms(remix.appCpuMs)}:`, value: login.run.appCpuMs / remix.appCpuMs }] : [], TARGETS.cheapestVsRemix),
    row(`growth ≤ 1.5× (CPU/req)`, growthRows.map((g) => ({ page: g.label, value: g.value })), TARGETS.growth),
    row(`GET page p95 < 100 ms at ${c0} conns`, of(['page', 'console', 'cheapest'], (r) => r.p95), TARGETS.p95At10),
    row(`GET page ≥ 100 req/s at ${c0} conns`, of(['page', 'cheapest'], (r) => r.rps), TARGETS.pageRps),
    row(`console page ≥ 40 req/s at ${c0} conns`, of(['console'], (r) => r.rps), TARGETS.consoleRps),
    row(`no errors at ${cLast} conns`, heavy.length ? of(['page', 'console', 'cheapest', 'form'], (r) => r.bad, heavy) : [], TARGETS.errorsAt50),
    row(`p95 < 1 s at ${cLast} conns`, heavy.length ? of(['page', 'console', 'cheapest', 'form'], (r) => r.p95, heavy) : [], TARGETS.p95At50),
    ...(options.pglite
      ? [row(`embedded database: home, search and problem page p95 < 150 ms at ${c0} conns`, of(['page'], (r) => r.p95).filter((c) => /^(home|search|problem page)/.test(c.page)), { kind: 'below', limit: 150, unit: 'ms' })]
      : []),
    row('WEB_CONCURRENCY=2 ≥ 1.7× one process', workers.map((w) => ({ page: w.label, value: w.two / w.one })), TARGETS.workers2),
  ]
  return rows.join('\n')
}

