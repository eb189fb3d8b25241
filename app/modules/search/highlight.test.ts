import { describe, expect, it } from 'vitest'
import { highlightPattern, snippet } from './search.server'

const marked = (text: string, words: string[]) =>
  snippet(text, highlightPattern(words))
    .filter((part) => part.match)
    .map((part) => part.text)

describe('highlighting', () => {
  it('marks matched words and the words they begin, whole, in any case', () => {
    expect(marked('Gateway timeouts after the upgrade; the GATEWAY restarts.', ['gateway', 'timeout'])).toEqual(['Gateway', 'timeouts', 'GATEWAY'])
  })

  it('folds the completions of a typed prefix into the prefix, marking the same words', () => {
    const completions = ['transaction', 'transport', 'tracing', 'trace']
    const text = 'Tracing a transaction over the transport layer: trace ids differ.'
    expect(marked(text, ['tra', ...completions])).toEqual(['Tracing', 'transaction', 'transport', 'trace'])
    expect(highlightPattern(['tra', ...completions])!.source).toContain('(tra)')
  })

  it('does not mark a word inside another word', () => {
    expect(marked('Retrace the dashboard', ['trace'])).toEqual([])
    expect(highlightPattern(['a', ''])).toBeNull()
  })
})
