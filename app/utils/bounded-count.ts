/**
 * Bounded counts (decision 0021): a list's "how many" is counted up to a
 * bound and shown as "1,000+" past it, so the count reads at most that many
 * index entries however large the hub grows. Safe for the client.
 */

/** The default bound: past this many, a count says "1,000+". */
export const COUNT_BOUND = 1000

/** A count up to `bound`: `atLeast` is true when there are more than `value`. */
export type BoundedCount = { value: number; atLeast: boolean }

/** A bounded count from the number of rows a `limit bound + 1` query found. */
export function boundedCount(found: number, bound = COUNT_BOUND): BoundedCount {
  return found > bound ? { value: bound, atLeast: true } : { value: found, atLeast: false }
}

/** "12", "1,000" or "1,000+" (past the bound). */
export function formatCount(count: BoundedCount) {
  return `${count.value.toLocaleString('en-US')}${count.atLeast ? '+' : ''}`
}
