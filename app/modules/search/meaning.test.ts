import { describe, expect, it } from 'vitest'
import { blend, MEANING_WEIGHT, meaningText } from './meaning.server'

const unit = (...values: number[]) => {
  const length = Math.hypot(...values)
  return Float32Array.from(values.map((v) => v / length))
}

describe('blend', () => {
  it('adds meaning to word scores scaled by the best one', () => {
    const query = unit(1, 0)
    const scores = blend(
      [
        { score: 10, vector: unit(0, 1) },
        { score: 5, vector: unit(1, 0) },
      ],
      query,
    )
    expect(scores[0]).toBeCloseTo(1)
    expect(scores[1]).toBeCloseTo(0.5 + MEANING_WEIGHT)
  })

  it('gives a candidate without a vector the mean of the others, and lets words decide without a query vector', () => {
    const scores = blend(
      [
        { score: 4, vector: unit(1, 0) },
        { score: 4, vector: unit(0, 1) },
        { score: 4, vector: null },
      ],
      unit(1, 0),
    )
    expect(scores[2]).toBeCloseTo(1 + MEANING_WEIGHT * 0.5)
    expect(blend([{ score: 2, vector: unit(1, 0) }, { score: 1, vector: null }], null)).toEqual([1, 0.5])
  })
})

describe('meaningText', () => {
  it('joins title and body as plain text, and keeps the opening', () => {
    expect(meaningText('Sync stalls', 'Since **3.1**\n\nthe [sync](https://example.com/sync)  stops.')).toBe('Sync stalls. Since 3.1 the sync stops.')
    expect(meaningText(null, 'Only a body')).toBe('Only a body')
    expect(meaningText('T', 'x '.repeat(1000)).length).toBe(300)
  })
})
