import { describe, expect, it } from 'vitest'
import { MAX_ALL_TERMS, processTerm, queryOptions } from './search-options'

describe('queryOptions', () => {
  it('requires every word of a short typed query, the last one as a prefix', () => {
    const options = queryOptions(['gateway', 'timeo'])
    expect(options.combineWith).toBe('AND')
    expect(options.terms.map((t) => t.prefix)).toEqual([false, true])
  })

  it('forgives one typo from five letters on, never in words with digits', () => {
    const options = queryOptions(['gatway', 'cert', '5.0.1'], { prefixLast: false })
    expect(options.terms.map((t) => t.fuzzy)).toEqual([1, 0, 0])
  })

  it('matches any word of a longer typed query, forgiving typos only in words the index does not know', () => {
    const words = ['certificate', 'rotation', 'breaks', 'gateway', 'restart', 'sequnce']
    expect(words.length).toBeGreaterThan(MAX_ALL_TERMS)
    const options = queryOptions(words, { isKnown: (term) => term !== 'sequnce' })
    expect(options.combineWith).toBe('OR')
    expect(options.terms.map((t) => t.fuzzy)).toEqual([0, 0, 0, 0, 0, 1])
  })

  it('keeps fuzzy matching for every long word of a similar-posts text', () => {
    const words = ['certificate', 'rotation', 'breaks', 'gateway', 'restart', 'sequence']
    const options = queryOptions(words, { prefixLast: false, isKnown: () => true })
    expect(options.terms.every((t) => t.fuzzy === 1 && !t.prefix)).toBe(true)
  })

  it('weighs earlier words a little more', () => {
    const boosts = queryOptions(['a1', 'b2', 'c3']).terms.map((t) => t.boost)
    expect(boosts[0]).toBeGreaterThan(boosts[1]!)
    expect(boosts[1]).toBeGreaterThan(boosts[2]!)
  })
})

describe('processTerm', () => {
  it('lower-cases, trims punctuation and drops stop words and single letters', () => {
    expect(processTerm('Gateway,')).toBe('gateway')
    expect(processTerm('«Zürich»')).toBe('zürich')
    expect(processTerm('the')).toBeNull()
    expect(processTerm('x')).toBeNull()
    expect(processTerm('7')).toBe('7')
  })
})
