import { describe, expect, it } from 'vitest'
import { processTerm } from './search-options'
import { WordCounter, words } from './words'

const TEXTS = [
  'The gateway returns 504 after the upgrade to 5.0.1; max_connections=200, see __init__ and ...dots...',
  'Ünïcödé Wörter, naïve café: Grüße aus Köln! ПРИВЕТ мир, 東京 ２０２６ and Ⅻ',
  'Math letters 𝒜𝒷𝒸 and emoji 🚀🔥 between words; a lone \ud800 surrogate and \udc00 too 😀x',
  'gateway Gateway GATEWAY gateway. .gateway _gateway_ gate_way 5.0 5.0.',
  '',
  '   ...   ___ --- !!!',
  'x y z 1 2 a1 A1 ab AB Ab the THE and',
]

/** The rule words() implements, as a regular expression. */
const reference = (text: string) => text.split(/[^\p{L}\p{N}._]+/u).filter(Boolean)

describe('words', () => {
  it('splits like the regular expression it replaces, on every script, emoji and lone surrogates', () => {
    for (const text of TEXTS) expect(words(text)).toEqual(reference(text))
  })
})

describe('WordCounter', () => {
  it('counts distinct words as written, and each term as processTerm makes it, in order of first appearance', () => {
    const ids = new Map<string, number>()
    const asked: string[] = []
    const counter = new WordCounter((word) => {
      asked.push(word)
      const term = processTerm(word)
      if (!term) return -1
      if (!ids.has(term)) ids.set(term, ids.size)
      return ids.get(term)!
    })
    const names = () => [...ids.keys()]
    for (const text of [...TEXTS, ...TEXTS]) {
      const tokens = reference(text)
      const expected = new Map<string, number>()
      for (const token of tokens) {
        const term = processTerm(token)
        if (term) expected.set(term, (expected.get(term) ?? 0) + 1)
      }
      expect(counter.count(text)).toBe(new Set(tokens).size)
      const counted = Array.from({ length: counter.size }, (_, i) => [names()[counter.termIds[i]!], counter.counts[i]])
      expect(counted).toEqual([...expected.entries()])
    }
    // An ASCII word is looked up once in any case, with its dots and underscores trimmed.
    expect(asked.filter((word) => word === 'gateway')).toHaveLength(1)
    expect(asked).not.toContain('Gateway')
  })

  it('hashes a field by its words as written: spacing and punctuation between them do not count, order and case do', () => {
    const counter = new WordCounter((word) => (processTerm(word) ? 1 : -1))
    const hashOf = (text: string) => (counter.count(text), counter.wordsHash)
    const base = hashOf('Gateway returns 504 after upgrade')
    expect(hashOf('  Gateway, returns 504 -- after upgrade!')).toBe(base)
    expect(hashOf('Gateway returns 502 after upgrade')).not.toBe(base)
    expect(hashOf('returns Gateway 504 after upgrade')).not.toBe(base)
    expect(hashOf('gateway returns 504 after upgrade')).not.toBe(base)
    expect(hashOf('Grüße aus Köln')).not.toBe(hashOf('Grüsse aus Köln'))
  })

  it('keeps counting right in long texts, past its first table sizes', () => {
    const counter = new WordCounter((word) => (processTerm(word) ? word.length : -1))
    const text = Array.from({ length: 5_000 }, (_, i) => `word${i} Word${i % 7}`).join(' ')
    expect(counter.count(text)).toBe(new Set(reference(text)).size)
  })
})
