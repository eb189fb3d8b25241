/**
 * Issue 14's targets for the page benchmark, and the verdicts it prints:
 * "met", or "NOT met" with the pages that miss and by how much. Pure, so
 * the wording is unit-tested; the benchmark itself never fails on a figure.
 */

/** A figure of one page against a bound: at most (`max`) or at least (`min`). */
export type Check = { page: string; value: number }

export type Bound = { kind: 'max' | 'min' | 'below'; limit: number; unit: string }

const format = (value: number, unit: string) => {
  if (Number.isNaN(value)) return '–'
  if (!Number.isFinite(value)) return 'no answer'
  if (unit === 'bad') return String(Math.round(value))
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  return `${value.toFixed(digits)}${unit === '×' ? '×' : ` ${unit}`}`
}

/** True when `value` keeps `bound` (NaN — not measured — never does). */
export function meets(value: number, bound: Bound): boolean {
  if (Number.isNaN(value)) return false
  if (bound.kind === 'max') return value <= bound.limit
  if (bound.kind === 'below') return value < bound.limit
  return value >= bound.limit
}

/** How far one figure misses: "12.0 ms, +4.0 ms (1.5×)" for a maximum, "61.0 req/s, −39 req/s (0.61×)" for a minimum. */
export function miss(value: number, bound: Bound): string {
  if (!Number.isFinite(value)) return 'no answer within the run'
  const difference = value - bound.limit
  const sign = difference >= 0 ? '+' : '−'
  const ratio = bound.limit ? ` (${(value / bound.limit).toFixed(value / bound.limit >= 10 ? 0 : 2)}×)` : ''
  return `${format(value, bound.unit)}, ${sign}${format(Math.abs(difference), bound.unit)}${ratio}`
}

/**
 * The verdict on one target over several pages: "met" when every page
 * keeps it, otherwise "NOT met" and each page that misses with its figure
 * and distance, worst first. "not measured" when nothing was run.
 */
export function verdict(checks: readonly Check[], bound: Bound): string {
  if (!checks.length) return 'not measured'
  const measured = checks.filter((c) => !Number.isNaN(c.value))
  if (!measured.length) return 'not measured'
  const missing = measured.filter((c) => !meets(c.value, bound))
  if (!missing.length) return `met (worst ${format(worst(measured, bound).value, bound.unit)}, ${worst(measured, bound).page})`
  const distance = (c: Check) => (bound.kind === 'min' ? bound.limit / Math.max(c.value, 1e-9) : c.value / bound.limit)
  const listed = [...missing].sort((a, b) => distance(b) - distance(a)).map((c) => `${c.page} ${miss(c.value, bound)}`)
  return `NOT met by ${missing.length} of ${measured.length}: ${listed.join('; ')}`
}

function worst(checks: readonly Check[], bound: Bound): Check {
  return checks.reduce((a, b) => (bound.kind === 'min' ? (b.value < a.value ? b : a) : b.value > a.value ? b : a))
}

/** The growth of a cost from the small size to the big one (NaN when either is missing). */
export function growth(small: number, big: number): number {
  if (!(small > 0) || Number.isNaN(big)) return Number.NaN
  return big / small
}

/** Issue 14's targets (figures of `npm run bench:pages` at 100,000 posts on PostgreSQL). */
export const TARGETS = {
  pageAppCpu: { kind: 'max', limit: 8, unit: 'ms' },
  pagePgCpu: { kind: 'max', limit: 5, unit: 'ms' },
  consoleAppCpu: { kind: 'max', limit: 20, unit: 'ms' },
  consolePgCpu: { kind: 'max', limit: 10, unit: 'ms' },
  cheapestAppCpu: { kind: 'max', limit: 4, unit: 'ms' },
  cheapestVsRemix: { kind: 'max', limit: 2, unit: '×' },
  growth: { kind: 'max', limit: 1.5, unit: '×' },
  p95At10: { kind: 'below', limit: 100, unit: 'ms' },
  pageRps: { kind: 'min', limit: 100, unit: 'req/s' },
  consoleRps: { kind: 'min', limit: 40, unit: 'req/s' },
  errorsAt50: { kind: 'max', limit: 0, unit: 'bad' },
  p95At50: { kind: 'below', limit: 1_000, unit: 'ms' },
  workers2: { kind: 'min', limit: 1.7, unit: '×' },
} as const satisfies Record<string, Bound>
