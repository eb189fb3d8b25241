/**
 * CPU time and memory of processes, read from Linux's /proc: what a request
 * costs holds up on a shared host where its latency does not.
 *
 * `/proc/<pid>/stat` of a process counts all its threads (worker threads
 * included) in utime and stime, in clock ticks (USER_HZ, 100 per second on
 * Linux: 10 ms resolution, fine over thousands of requests).
 */
import fs from 'node:fs'

/** Linux's USER_HZ: the unit of utime/stime in /proc (fixed at 100 for userspace ABI). */
export const CLOCK_TICKS_PER_SECOND = 100
const PAGE_BYTES = 4096

export type ProcStat = {
  pid: number
  /** The command name, as in `(name)`. */
  comm: string
  state: string
  ppid: number
  /** User and system CPU of all the process's threads, in ms. */
  cpuMs: number
  /** When the process started, in clock ticks after boot. */
  startTicks: number
  /** Resident set size in bytes. */
  rssBytes: number
}

/**
 * Parses one `/proc/<pid>/stat` line. The command name is in parentheses
 * and may itself contain spaces and parentheses, so fields are counted from
 * the last `)`. Returns null for text that is not a stat line.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const pid = Number(text.slice(0, open).trim())
  const rest = text.slice(close + 2).trim().split(/\s+/)
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const field = (n: number) => Number(rest[n - 3])
  const utime = field(14)
  const stime = field(15)
  if (!Number.isInteger(pid) || !Number.isFinite(utime) || !Number.isFinite(stime) || rest.length < 22) return null
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0]!,
    ppid: field(4),
    cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND,
    startTicks: field(22),
    rssBytes: field(24) * PAGE_BYTES,
  }
}

/** The stat of `pid`, or null when it is gone. */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null
  }
}

/** Every process's stat (for finding children). */
function allStats(): ProcStat[] {
  const out: ProcStat[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readProcStat(Number(entry))
    if (stat) out.push(stat)
  }
  return out
}

/** `root` and its descendants among `stats` (a cluster's workers are children of its primary). */
export function descendants(root: number, stats: readonly ProcStat[]): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>()
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s])
  const out: ProcStat[] = []
  const queue = stats.filter((s) => s.pid === root)
  while (queue.length) {
    const next = queue.shift()!
    out.push(next)
    queue.push(...(byParent.get(next.pid) ?? []))
  }
  return out
}

/**
 * CPU ms and RSS of a process with all its descendants, right now, and the
 * CPU of their main threads alone (`/proc/<pid>/task/<pid>/stat`: the
 * thread that serves requests, without worker threads such as an encoder's).
 */
export function processTree(root: number): { cpuMs: number; mainThreadCpuMs: number; rssBytes: number; pids: number[] } {
  const tree = descendants(root, allStats())
  let mainThreadCpuMs = 0
  for (const s of tree) {
    try {
      mainThreadCpuMs += parseProcStat(fs.readFileSync(`/proc/${s.pid}/task/${s.pid}/stat`, 'utf8'))?.cpuMs ?? 0
    } catch {
      // Gone meanwhile.
    }
  }
  return { cpuMs: tree.reduce((a, s) => a + s.cpuMs, 0), mainThreadCpuMs, rssBytes: tree.reduce((a, s) => a + s.rssBytes, 0), pids: tree.map((s) => s.pid) }
}

/**
 * CPU used by a changing set of processes over a window (PostgreSQL
 * backends come and go: a pool opens connections lazily, parallel workers
 * live for one query). `sample` is called with the pids that exist now;
 * `total` sums, per pid, its CPU since the window began: from its first
 * reading when it was already running then, from zero when it started
 * during the window, up to its last reading (a process that exits between
 * readings loses its last few ms).
 */
export class CpuWindow {
  private readonly first = new Map<number, number>()
  private readonly last = new Map<number, number>()

  constructor(private readonly startTicks = uptimeTicks()) {}

  sample(pids: Iterable<number>) {
    for (const pid of pids) {
      const stat = readProcStat(pid)
      if (stat) this.record(stat)
    }
  }

  /** Records one reading (exposed for tests). */
  record(stat: Pick<ProcStat, 'pid' | 'cpuMs' | 'startTicks'>) {
    if (!this.first.has(stat.pid)) this.first.set(stat.pid, stat.startTicks >= this.startTicks ? 0 : stat.cpuMs)
    this.last.set(stat.pid, stat.cpuMs)
  }

  get total(): number {
    let sum = 0
    for (const [pid, last] of this.last) sum += last - (this.first.get(pid) ?? last)
    return sum
  }
}

/** Seconds since boot, in clock ticks (the unit of a process's start time). */
export function uptimeTicks(): number {
  try {
    return Math.floor(Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * CLOCK_TICKS_PER_SECOND)
  } catch {
    return 0
  }
}
