/**
 * Percentiles, timing, heap and table helpers for the benchmarks.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * The p-th percentile (0–100) of `values` by linear interpolation between
 * closest ranks (the same definition as NumPy's default and PostgreSQL's
 * percentile_cont). NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const position = (p / 100) * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.ceil(position)
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below)
}

export type Summary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number }

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN,
  }
}

/** Milliseconds since an arbitrary origin, sub-millisecond precision. */
export const now = () => performance.now()

let gcFunction: (() => void) | null | undefined
/**
 * A full garbage collection, so heap figures count live objects only.
 * The scripts run through tsx without --expose-gc, so the flag is set at run
 * time and `gc` taken from a fresh context (a documented V8 behaviour).
 */
export function collectGarbage() {
  if (gcFunction === undefined) {
    try {
      setFlagsFromString('--expose-gc')
      gcFunction = runInNewContext('gc') as () => void
    } catch {
      gcFunction = null
    }
  }
  if (gcFunction) {
    gcFunction()
    gcFunction()
  }
}

/** V8 heap in use after a full collection, in bytes. */
export function liveHeap() {
  collectGarbage()
  return process.memoryUsage().heapUsed
}

/**
 * The process's memory after a full collection: V8 heap in use, memory
 * outside the heap held by JavaScript objects (`external`, which includes
 * `arrayBuffers`: the typed arrays' backing stores) and the resident set.
 */
export function liveMemory(): { heapUsed: number; external: number; arrayBuffers: number; rss: number } {
  collectGarbage()
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage()
  return { heapUsed, external, arrayBuffers, rss }
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
export const ms = (value: number) => (Number.isNaN(value) ? '–' : value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`)
export const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`

/** A plain-text table with right-aligned columns after the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
