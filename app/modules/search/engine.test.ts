import { describe, expect, it } from 'vitest'
import { SearchEngine, type EngineOptions, type TermSpec } from './engine'
import { processTerm } from './search-options'

type Stored = { id: string; solved: boolean; at?: number }

const OPTIONS: EngineOptions<Stored> = {
  fields: ['title', 'body'],
  boosts: { title: 3, body: 1 },
  processTerm,
  bm25: { k: 1.2, b: 0.7, d: 0.5 },
  weights: { fuzzy: 0.45, prefix: 0.6 },
  maxPrefixVariants: 2,
  columns: { solved: 'category', at: 'number' },
  documentBoost: (s) => (s.solved ? 100 : 1),
}

const exact = (...terms: string[]): TermSpec[] => terms.map((term) => ({ term, fuzzy: 0, prefix: false, boost: 1 }))

function engineWith(documents: [string, string, string][]) {
  const engine = new SearchEngine<Stored>(OPTIONS)
  for (const [id, title, body] of documents) engine.add(id, [title, body], { id, solved: false })
  return engine
}

const ids = (result: { hits: { id: string }[] }) => result.hits.map((h) => h.id)

describe('SearchEngine', () => {
  const engine = () =>
    engineWith([
      ['a', 'Gateway timeout after upgrade', 'The gateway returns 504 after the upgrade to 5.0.'],
      ['b', 'Certificate rotation', 'Rotating the certificate makes the gateway restart.'],
      ['c', 'Slow dashboard', 'The dashboard loads slowly on Mondays.'],
    ])

  it('ranks title matches above body matches, and requires every term with AND', () => {
    const e = engine()
    expect(ids(e.search({ terms: exact('gateway'), combineWith: 'OR', limit: 10 }))).toEqual(['a', 'b'])
    expect(ids(e.search({ terms: exact('gateway', 'certificate'), combineWith: 'AND', limit: 10 }))).toEqual(['b'])
    expect(ids(e.search({ terms: exact('gateway', 'dashboard'), combineWith: 'OR', limit: 10 }))).toHaveLength(3)
    expect(e.search({ terms: exact('gateway', 'nowhere'), combineWith: 'AND', limit: 10 }).total).toBe(0)
  })

  it('counts every match but returns only the requested page, best first', () => {
    const e = engine()
    const page = e.search({ terms: exact('gateway', 'dashboard'), combineWith: 'OR', offset: 1, limit: 1 })
    expect(page.total).toBe(3)
    expect(page.hits).toHaveLength(1)
    const all = e.search({ terms: exact('gateway', 'dashboard'), combineWith: 'OR', limit: 3 })
    expect(page.hits[0]!.id).toBe(all.hits[1]!.id)
    expect(all.hits.map((h) => h.score)).toEqual([...all.hits.map((h) => h.score)].sort((a, b) => b - a))
  })

  it('matches one typo and typed prefixes, reporting the index word the prefix matched', () => {
    const e = engine()
    expect(ids(e.search({ terms: [{ term: 'gatway', fuzzy: 1, prefix: false, boost: 1 }], combineWith: 'AND', limit: 10 }))).toEqual(['a', 'b'])
    const typed = e.search({ terms: [{ term: 'certif', fuzzy: 0, prefix: true, boost: 1 }], combineWith: 'AND', limit: 10 })
    expect(ids(typed)).toEqual(['b'])
    expect(typed.hits[0]!.lastTerm).toBe('certificate')
  })

  it('filters on columns and stored fields, and boosts by the document boost, kept up to date in place', () => {
    const e = engine()
    const filtered = e.search({ terms: exact('gateway'), combineWith: 'OR', filter: (s) => s.id !== 'a', limit: 10 })
    expect(ids(filtered)).toEqual(['b'])
    expect(filtered.total).toBe(1)
    expect(ids(e.search({ terms: exact('gateway'), combineWith: 'OR', limit: 10 }))).toEqual(['a', 'b'])
    e.replace('b', ['Certificate rotation', 'Rotating the certificate makes the gateway restart.'], { id: 'b', solved: true, at: 20 })
    e.replace('a', ['Gateway timeout after upgrade', 'The gateway returns 504 after the upgrade to 5.0.'], { id: 'a', solved: false, at: 10 })
    expect(ids(e.search({ terms: exact('gateway'), combineWith: 'OR', limit: 10 }))).toEqual(['b', 'a'])
    const solved = e.search({ terms: exact('gateway'), combineWith: 'OR', where: { solved: { in: [true] } }, limit: 10 })
    expect([ids(solved), solved.total]).toEqual([['b'], 1])
    expect(ids(e.search({ terms: exact('gateway'), combineWith: 'OR', where: { at: { max: 15 } }, limit: 10 }))).toEqual(['a'])
    expect(ids(e.search({ terms: exact('gateway'), combineWith: 'OR', where: { at: { min: 11, max: 20 } }, limit: 10 }))).toEqual(['b'])
    expect(e.search({ terms: exact('gateway'), combineWith: 'OR', where: { solved: { in: ['unknown'] } }, limit: 10 }).total).toBe(0)
    expect(() => e.search({ terms: exact('gateway'), combineWith: 'OR', where: { nothing: { in: [1] } }, limit: 10 })).toThrow(/no column/)
  })

  it('forgets discarded documents at once and replaced text, and keeps stored-only changes in place', () => {
    const e = engine()
    e.discard('a')
    expect(ids(e.search({ terms: exact('gateway'), combineWith: 'OR', limit: 10 }))).toEqual(['b'])
    e.replace('b', ['Certificate rotation', 'Rotating the certificate works now.'], { id: 'b', solved: false })
    expect(e.search({ terms: exact('gateway'), combineWith: 'OR', limit: 10 }).total).toBe(0)
    expect(ids(e.search({ terms: exact('works'), combineWith: 'OR', limit: 10 }))).toEqual(['b'])
    e.replace('c', ['Slow dashboard', 'The dashboard loads slowly on Mondays.'], { id: 'c', solved: true })
    expect(e.search({ terms: exact('dashboard'), combineWith: 'OR', limit: 10 }).hits[0]!.stored.solved).toBe(true)
    expect(e.documentCount).toBe(2)
  })

  it('compacts dead postings without changing results', () => {
    const e = engineWith(Array.from({ length: 3000 }, (_, i) => [`d${i}`, `title ${i % 7 ? 'alpha' : 'beta'}`, 'body text'] as [string, string, string]))
    const before = e.search({ terms: exact('beta'), combineWith: 'OR', limit: 5000 }).total
    for (let i = 0; i < 1500; i++) e.discard(`d${i}`)
    const after = e.search({ terms: exact('beta'), combineWith: 'OR', limit: 5000 })
    expect(after.total).toBe(before - Array.from({ length: 1500 }, (_, i) => i).filter((i) => i % 7 === 0).length)
    expect(after.hits.every((h) => Number(h.id.slice(1)) >= 1500)).toBe(true)
  })

  it('survives a snapshot round trip with the same results, and refuses foreign bytes', async () => {
    const e = engine()
    e.discard('c')
    e.replace('b', ['Certificate rotation', 'Rotating the certificate makes the gateway restart.'], { id: 'b', solved: true, at: 5 })
    let pauses = 0
    const bytes = await e.serialize(async () => pauses++)
    const copy = (await SearchEngine.deserialize<Stored>(bytes, OPTIONS, async () => pauses++))!
    expect(pauses).toBeGreaterThan(1)
    expect(copy.documentCount).toBe(2)
    const query = { terms: exact('gateway', 'upgrade'), combineWith: 'OR' as const, limit: 10 }
    expect(copy.search(query)).toEqual(e.search(query))
    expect(ids(copy.search(query))[0]).toBe('b')
    const solved = { ...query, where: { solved: { in: [true] }, at: { min: 5, max: 5 } } }
    expect(ids(copy.search(solved))).toEqual(['b'])
    copy.add('d', ['Gateway again', ''], { id: 'd', solved: false })
    expect(copy.search(query).total).toBe(3)
    expect(await SearchEngine.deserialize(Buffer.from('not a snapshot at all, clearly'), OPTIONS)).toBeNull()
    expect(await SearchEngine.deserialize(bytes.subarray(0, bytes.length - 1), OPTIONS)).toBeNull()
    expect(await SearchEngine.deserialize(bytes, { ...OPTIONS, fields: ['title'] })).toBeNull()
  })

  it('builds the same index in bulk as a document at a time, and keeps working after', () => {
    const documents: [string, string, string][] = Array.from({ length: 300 }, (_, i) => [`d${i}`, `title ${['alpha', 'beta', 'gamma'][i % 3]} ${i % 7}`, `body ${i % 5 ? 'gateway' : 'timeout'} text ${i}`])
    const one = engineWith(documents)
    const bulk = new SearchEngine<Stored>(OPTIONS)
    one.discard('d7')
    bulk.startBulk()
    for (const [id, title, body] of documents) bulk.add(id, [title, body], { id, solved: false })
    bulk.discard('d7')
    expect(bulk.search({ terms: exact('alpha'), combineWith: 'OR', limit: 5 }).total).toBe(0)
    bulk.finishBulk()
    for (const terms of [exact('alpha'), exact('gateway', 'beta'), exact('timeout', '3')]) {
      for (const combineWith of ['AND', 'OR'] as const) expect(bulk.search({ terms, combineWith, limit: 50 })).toEqual(one.search({ terms, combineWith, limit: 50 }))
    }
    bulk.add('late', ['alpha late', 'gateway'], { id: 'late', solved: false })
    expect(ids(bulk.search({ terms: exact('late'), combineWith: 'AND', limit: 5 }))).toEqual(['late'])
    // A second bulk load appends to the lists the first one made.
    bulk.startBulk()
    bulk.add('later', ['alpha later', 'gateway'], { id: 'later', solved: false })
    bulk.finishBulk()
    expect(bulk.search({ terms: exact('alpha'), combineWith: 'AND', limit: 500 }).total).toBe(1 + 100 + 1)
    expect(ids(bulk.search({ terms: exact('later'), combineWith: 'AND', limit: 5 }))).toEqual(['later'])
  })

  it('builds the same index in bulk past the bulk buffer\'s first chunk (a million postings)', () => {
    // 101 distinct words per body times 10,500 documents: more postings than one chunk holds.
    const vocabulary = Array.from({ length: 100 }, (_, w) => `word${w}`).join(' ')
    const documents: [string, string, string][] = Array.from({ length: 10_500 }, (_, i) => [`d${i}`, '', `${vocabulary} unique${i}`])
    const one = engineWith(documents)
    const bulk = new SearchEngine<Stored>(OPTIONS)
    bulk.startBulk()
    for (const [id, title, body] of documents) bulk.add(id, [title, body], { id, solved: false })
    bulk.finishBulk()
    for (const terms of [exact('word42'), exact('unique10499'), exact('unique0', 'word7')]) {
      expect(bulk.search({ terms, combineWith: 'OR', limit: 20 })).toEqual(one.search({ terms, combineWith: 'OR', limit: 20 }))
    }
    expect(bulk.search({ terms: exact('word99'), combineWith: 'AND', limit: 0 }).total).toBe(10_500)
    expect(ids(bulk.search({ terms: exact('unique10499'), combineWith: 'AND', limit: 5 }))).toEqual(['d10499'])
  })

  it('caps prefix variants at the most frequent words', () => {
    const e = engineWith([
      ['1', 'config', ''],
      ['2', 'configuration', ''],
      ['3', 'configuration configured', ''],
      ['4', 'configured', ''],
      ['5', 'configurable', ''],
    ])
    expect(e.completions('config', 10).map((c) => c.term)).toEqual(['configuration', 'configured', 'config', 'configurable'])
    const result = e.search({ terms: [{ term: 'confi', fuzzy: 0, prefix: true, boost: 1 }], combineWith: 'AND', limit: 10 })
    expect(ids(result).sort()).toEqual(['2', '3', '4'])
    expect(e.similarTerms('configuraton', 1)[0]!.term).toBe('configuration')
  })
})
