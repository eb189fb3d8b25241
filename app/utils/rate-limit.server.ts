/**
 * A small in-memory sliding-window limiter for cheap, frequent requests
 * (suggestions as you type). Per process; sign-in throttling, which must hold
 * across processes, lives in the database instead (auth/throttle.server.ts).
 */
const buckets = new Map<string, number[]>()
let lastSweep = Date.now()

/** True when `key` may make another request: at most `limit` per `windowMs`. */
export function allowRequest(key: string, limit: number, windowMs: number, now = Date.now()) {
  if (now - lastSweep > 60_000) {
    for (const [k, times] of buckets) if (!times.length || times[times.length - 1]! < now - windowMs) buckets.delete(k)
    lastSweep = now
  }
  const times = (buckets.get(key) ?? []).filter((t) => t > now - windowMs)
  if (times.length >= limit) {
    buckets.set(key, times)
    return false
  }
  times.push(now)
  buckets.set(key, times)
  return true
}
