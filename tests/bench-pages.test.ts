/**
 * The pure parts of `npm run bench:pages` (bench/): reading CPU from
 * /proc, the targets' verdicts, the corpus's threads, and the rows the
 * factories' rules produce through the collecting executor. The benchmark
 * itself prints figures and is never a test.
 */
import { describe, expect, it } from 'vitest'
import { PostBatch } from '#tests/factories'
import { follows, meToos, posts, replies } from '~/db/schema'
import { collectingExecutor } from '../bench/lib/bulk-insert'
import { Corpus } from '../bench/lib/corpus'
import { ceilingSpecs, PAGE_KEYS, pageSpecs } from '../bench/lib/pages'
import { CpuWindow, descendants, parseProcStat } from '../bench/lib/proc'
import { Random } from '../bench/lib/random'
import { growth, miss, TARGETS, verdict } from '../bench/lib/targets'

// A real line's shape: the command name holds a space and a parenthesis.
const statLine = (pid: number, ppid: number, utime: number, stime: number, start = 5000, rssPages = 2560) =>
  `${pid} (node (worker) x) S ${ppid} ${pid} ${pid} 0 -1 4194304 100 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 ${start} 1234567 ${rssPages} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`

describe('parseProcStat', () => {
  it('reads pid, parent, CPU (all threads, ticks to ms), start and RSS, counting fields after the last parenthesis', () => {
    expect(parseProcStat(statLine(4242, 1, 250, 30, 777, 2560))).toEqual({
      pid: 4242,
      comm: 'node (worker) x',
      state: 'S',
      ppid: 1,
      cpuMs: 2800,
      startTicks: 777,
      rssBytes: 2560 * 4096,
    })
  })

  it('returns null for text that is not a stat line', () => {
    expect(parseProcStat('')).toBeNull()
    expect(parseProcStat('12 (x) S 1 2')).toBeNull()
  })
})

describe('descendants', () => {
  it('finds a primary and its workers, not its siblings', () => {
    const stats = [statLine(10, 1, 1, 0), statLine(11, 10, 2, 0), statLine(12, 10, 3, 0), statLine(13, 11, 4, 0), statLine(20, 1, 5, 0)].map((l) => parseProcStat(l)!)
    expect(descendants(10, stats).map((s) => s.pid).sort()).toEqual([10, 11, 12, 13])
  })
})

describe('CpuWindow', () => {
  it('counts a backend running before the window from its first reading, and one started during it from zero', () => {
    const window = new CpuWindow(1_000)
    window.record({ pid: 1, cpuMs: 500, startTicks: 10 })
    window.record({ pid: 2, cpuMs: 40, startTicks: 1_500 })
    window.record({ pid: 1, cpuMs: 530, startTicks: 10 })
    window.record({ pid: 2, cpuMs: 70, startTicks: 1_500 })
    expect(window.total).toBe(30 + 70)
  })
})

describe('target verdicts', () => {
  it('says met with the worst page', () => {
    expect(verdict([{ page: 'home', value: 3 }, { page: 'search', value: 7.5 }], TARGETS.pageAppCpu)).toBe('met (worst 7.50 ms, search)')
  })

  it('lists each page that misses a maximum, worst first, with the distance and the ratio', () => {
    expect(verdict([{ page: 'home', value: 12 }, { page: 'queue', value: 40 }, { page: 'search', value: 2 }], TARGETS.pageAppCpu)).toBe(
      'NOT met by 2 of 3: queue 40.0 ms, +32.0 ms (5.00×); home 12.0 ms, +4.00 ms (1.50×)',
    )
  })

  it('says by how much a minimum is missed', () => {
    expect(verdict([{ page: 'queue', value: 25 }], TARGETS.consoleRps)).toBe('NOT met by 1 of 1: queue 25.0 req/s, −15.0 req/s (0.63×)')
  })

  it('treats a strict bound at its limit as missed, and no answer within the run as a miss', () => {
    expect(verdict([{ page: 'home', value: 100 }], TARGETS.p95At10)).toMatch(/^NOT met/)
    expect(miss(Number.POSITIVE_INFINITY, TARGETS.p95At10)).toBe('no answer within the run')
  })

  it('says "not measured" when the pages were not run', () => {
    expect(verdict([], TARGETS.growth)).toBe('not measured')
    expect(verdict([{ page: 'home', value: Number.NaN }], TARGETS.growth)).toBe('not measured')
  })

  it('computes growth only from two figures', () => {
    expect(growth(4, 6)).toBe(1.5)
    expect(growth(0, 6)).toBeNaN()
    expect(growth(4, Number.NaN)).toBeNaN()
  })
})

describe('Corpus.thread', () => {
  const corpus = new Corpus(42)
  const random = new Random(1)
  const threads = new Random(2)
  const sample = Array.from({ length: 2_000 }, () => {
    const post = corpus.post(random)
    return { post, thread: corpus.thread(threads, post) }
  })

  it('gives each post its topic, whose product it is about', () => {
    for (const { post } of sample.slice(0, 200)) expect(post.product).toBe(corpus.topics[post.topic]!.product)
  })

  it('keeps open problems open: only their authors reply', () => {
    const open = sample.filter(({ post }) => post.state === 'open')
    expect(open.length).toBeGreaterThan(300)
    expect(open.flatMap(({ thread }) => thread.replies).every((r) => r.byAuthor)).toBe(true)
  })

  it('draws replies and me-toos in a forum\'s proportions', () => {
    const replyCounts = sample.map(({ thread }) => thread.replies.length)
    const mean = replyCounts.reduce((a, b) => a + b, 0) / sample.length
    expect(mean).toBeGreaterThan(1)
    expect(mean).toBeLessThan(2.5)
    expect(replyCounts.filter((c) => c === 0).length / sample.length).toBeGreaterThan(0.25)
    const problems = sample.filter(({ post }) => post.kind === 'problem')
    const meanMeToos = problems.reduce((a, { thread }) => a + thread.meToos, 0) / problems.length
    expect(meanMeToos).toBeGreaterThan(1)
    expect(meanMeToos).toBeLessThan(2.5)
    expect(sample.filter(({ post }) => post.kind !== 'problem').every(({ thread }) => thread.meToos === 0)).toBe(true)
  })
})

describe('collectingExecutor', () => {
  it('records what a factories batch writes, with the counters and states its rules keep', async () => {
    const batch = new PostBatch({ now: new Date('2025-06-01T00:00:00Z') })
    const at = new Date('2025-05-01T00:00:00Z')
    const problem = batch.post({ id: 'p1', kind: 'problem', authorId: 'alice', organizationId: 'o1', productId: 'x', title: 'Timeouts', createdAt: at })
    batch.reply({ postId: problem.id, authorId: 'alice', createdAt: new Date('2025-05-02T00:00:00Z') })
    batch.reply({ postId: problem.id, authorId: 'sam', createdAt: new Date('2025-05-03T00:00:00Z') })
    batch.meToo({ postId: problem.id, userId: 'bob', createdAt: at })
    const { executor, collected } = collectingExecutor()
    await batch.flush(executor)
    const [row] = collected.get(posts)!
    expect(row).toMatchObject({ id: 'p1', state: 'answered', replyCount: 2, meTooCount: 1, firstResponseAt: new Date('2025-05-03T00:00:00Z'), lastActivityAt: new Date('2025-05-03T00:00:00Z') })
    expect(collected.get(replies)).toHaveLength(2)
    expect(collected.get(meToos)).toHaveLength(1)
    expect(new Set(collected.get(follows)!.map((f) => f.userId))).toEqual(new Set(['alice', 'sam', 'bob']))
  })
})

describe('pageSpecs', () => {
  const found = { productSlug: 'relay-gateway', productId: 'prod', versionIds: ['v1', 'v2'], problemIds: ['p1', 'p2'], replyIds: ['r1'], personId: 'bob' }
  const sessions = { customer: 'sid=alice', customers: ['sid=c1', 'sid=c2'], support: 'sid=sam', admin: 'sid=ada' }
  const specs = pageSpecs({ found, sessions, baseUrl: 'http://127.0.0.1:1', seed: 42, runId: 'run' })

  it('has every page the --pages option names, and only those', () => {
    expect([...specs, ...ceilingSpecs()].map((s) => s.key)).toEqual([...PAGE_KEYS])
  })

  it('posts valid forms as a browser would: same-origin, each with a fresh submission key, customers in turn', () => {
    const reply = specs.find((s) => s.key === 'post-reply')!.target
    expect(reply.headers(0)).toMatchObject({ origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-origin', cookie: 'sid=c1' })
    expect(reply.headers(1).cookie).toBe('sid=c2')
    const [first, second] = [new URLSearchParams(reply.body!(0)), new URLSearchParams(reply.body!(1))]
    expect(first.get('intent')).toBe('reply')
    expect(first.get('body')!.length).toBeGreaterThan(0)
    expect(first.get('submissionKey')).not.toBe(second.get('submissionKey'))
    const problem = new URLSearchParams(specs.find((s) => s.key === 'post-problem')!.target.body!(3))
    expect(problem.get('productId')).toBe('prod')
    expect(problem.getAll('versionIds')).toEqual(['v2'])
    expect(problem.get('title')!.length).toBeGreaterThanOrEqual(3)
  })

  it('asks the console as support and the audit log as an admin', () => {
    expect(specs.find((s) => s.key === 'queue')!.target.headers(0).cookie).toBe('sid=sam')
    expect(specs.find((s) => s.key === 'audit')!.target.headers(0).cookie).toBe('sid=ada')
    expect(specs.find((s) => s.key === 'login')!.target.headers(0).cookie).toBeUndefined()
  })
})
