/**
 * Words: the one rule that splits text for the index and for queries, and
 * the index's fast way of counting a field's words.
 *
 * A word is a run of letters, digits, dots and underscores, so "5.0.1" and
 * "max_connections" stay whole. `words()` returns them as strings (queries
 * are short). Indexing a hundred thousand posts reads about a hundred
 * million characters, and a substring and two Map lookups per word were
 * most of the build: `WordCounter` reads the characters in place instead,
 * hashing each word as it goes and recognising known words in its own
 * table, so a word it has seen before costs no allocation at all
 * (docs/decisions/0011-compact-search-engine.md).
 */

/** ASCII letters, digits, dot and underscore. */
const ASCII_WORD = new Uint8Array(128)
for (let c = 0; c < 128; c++) ASCII_WORD[c] = /[A-Za-z0-9._]/.test(String.fromCharCode(c)) ? 1 : 0
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u
/** Beyond ASCII, by UTF-16 code unit: 0 not looked at yet, 1 a word character, 2 not. */
const wordUnits = new Uint8Array(65_536)

/**
 * How many code units the word character at `i` takes (1, or 2 for a letter
 * beyond the Basic Multilingual Plane), or 0 when it separates words.
 */
function wordCharAt(text: string, i: number): number {
  const c = text.charCodeAt(i)
  if (c < 128) return ASCII_WORD[c]!
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1)
    if (next >= 0xdc00 && next <= 0xdfff) return LETTER_OR_DIGIT.test(text.slice(i, i + 2)) ? 2 : 0
  }
  let known = wordUnits[c]!
  if (!known) wordUnits[c] = known = LETTER_OR_DIGIT.test(String.fromCharCode(c)) ? 1 : 2
  return known === 1 ? 1 : 0
}

/** Where the next word starts at or after `i`: `text.length` when there is none. */
function nextWord(text: string, i: number) {
  while (i < text.length && !wordCharAt(text, i)) i++
  return i
}

/** The words of a text, in order, as written. */
export function words(text: string): string[] {
  const found: string[] = []
  for (let i = nextWord(text, 0); i < text.length; i = nextWord(text, i)) {
    const start = i
    let step = 0
    while (i < text.length && (step = wordCharAt(text, i))) i += step
    found.push(text.slice(start, i))
  }
  return found
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
/** Dots and underscores at a word's ends are not part of its term ("5.0." is "5.0"). */
const isTrimmed = (c: number) => c === 46 || c === 95
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c)
const EMPTY = -2

/**
 * Known words, for `WordCounter`: an ASCII word lower-cased without its
 * leading and trailing dots and underscores (the key) → its term id, or -1
 * when it is no term (a stop word). Open addressing; the keys' characters
 * sit in one byte pool, compared in place against the text being read.
 */
class KnownWords {
  /** Four numbers per table slot, side by side (one cache line): hash, id (EMPTY when free), pool start, length. */
  private table = new Int32Array(4 << 12).fill(EMPTY)
  private pool = new Uint8Array(1 << 16)
  private poolSize = 0
  private size = 0

  /** The id for text[start, end) lower-cased (its hash `hash`), or EMPTY when unknown. */
  find(text: string, start: number, end: number, hash: number): number {
    const { table, pool } = this
    const mask = (table.length >> 2) - 1
    const length = end - start
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot << 2
      const id = table[at + 1]!
      if (id === EMPTY) return EMPTY
      if (table[at] === hash && table[at + 3] === length) {
        const from = table[at + 2]!
        let same = true
        for (let i = 0; i < length && same; i++) same = pool[from + i] === lowerAscii(text.charCodeAt(start + i))
        if (same) return id
      }
    }
  }

  add(key: string, hash: number, id: number) {
    if (2 * (this.size + 1) > this.table.length >> 2) this.grow()
    if (this.poolSize + key.length > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.poolSize + key.length))
      pool.set(this.pool)
      this.pool = pool
    }
    const start = this.poolSize
    for (let i = 0; i < key.length; i++) this.pool[start + i] = key.charCodeAt(i)
    this.poolSize += key.length
    this.place(hash, id, start, key.length)
    this.size++
  }

  private place(hash: number, id: number, start: number, length: number) {
    const table = this.table
    const mask = (table.length >> 2) - 1
    let slot = hash & mask
    while (table[(slot << 2) + 1] !== EMPTY) slot = (slot + 1) & mask
    table.set([hash, id, start, length], slot << 2)
  }

  private grow() {
    const old = this.table
    this.table = new Int32Array(old.length * 2).fill(EMPTY)
    for (let at = 0; at < old.length; at += 4) if (old[at + 1] !== EMPTY) this.place(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!)
  }
}

function sameChars(text: string, a: number, b: number, length: number) {
  for (let i = 0; i < length; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false
  return true
}

/**
 * Counts the words of one field at a time for the index: how many distinct
 * words it has as written (the field length BM25 normalises by, as
 * MiniSearch counts it), and each term's occurrences, terms in order of
 * first appearance.
 *
 * `termOf(word)` turns a word into a term id, or -1 when it is no term; it
 * is asked once per distinct lower-cased ASCII word for the life of the
 * counter, and for every word with other characters (rare, and lower-cased
 * by Unicode rules there).
 */
export class WordCounter {
  /** After `count`: the field's term ids in order of first appearance, and their counts, `size` of each. */
  termIds = new Int32Array(256)
  counts = new Int32Array(256)
  size = 0
  private readonly known = new KnownWords()
  /** Per term id: its position in `termIds` plus one while counting a field, else 0. */
  private positions = new Int32Array(1024)
  /**
   * The distinct words as written of the field being counted, by open
   * addressing: per table slot, side by side, the generation that wrote it
   * (older ones are free), the word's hash, start and length in the text.
   */
  private seen = new Int32Array(4 << 10)
  private generation = 0

  constructor(private readonly termOf: (word: string) => number) {}

  /** Counts `text`'s words; returns how many distinct words it has as written. */
  count(text: string): number {
    this.clear()
    this.prepare(text.length)
    const n = text.length
    let distinct = 0
    for (let i = nextWord(text, 0); i < n; i = nextWord(text, i)) {
      const start = i
      // The word's hash as written (distinct words) and, while it is ASCII, lower-cased (known words).
      let hash = FNV_OFFSET
      let lowered = FNV_OFFSET
      let ascii = true
      while (i < n) {
        const c = text.charCodeAt(i)
        if (c < 128) {
          if (!ASCII_WORD[c]) break
          hash = Math.imul(hash ^ c, FNV_PRIME)
          lowered = Math.imul(lowered ^ lowerAscii(c), FNV_PRIME)
          i++
          continue
        }
        const step = wordCharAt(text, i)
        if (!step) break
        ascii = false
        hash = Math.imul(hash ^ c, FNV_PRIME)
        if (step === 2) hash = Math.imul(hash ^ text.charCodeAt(i + 1), FNV_PRIME)
        i += step
      }
      if (this.firstSighting(text, start, i, hash)) distinct++
      const termId = ascii ? this.asciiTerm(text, start, i, lowered) : this.termOf(text.slice(start, i))
      if (termId >= 0) this.tally(termId)
    }
    return distinct
  }

  /** The term id of the ASCII word text[start, end), whose lower-cased hash is `lowered`. */
  private asciiTerm(text: string, start: number, end: number, lowered: number) {
    let from = start
    let to = end
    while (from < to && isTrimmed(text.charCodeAt(from))) from++
    while (to > from && isTrimmed(text.charCodeAt(to - 1))) to--
    if (from === to) return -1
    let hash = lowered
    if (from !== start || to !== end) {
      hash = FNV_OFFSET
      for (let i = from; i < to; i++) hash = Math.imul(hash ^ lowerAscii(text.charCodeAt(i)), FNV_PRIME)
    }
    const found = this.known.find(text, from, to, hash)
    if (found !== EMPTY) return found
    const key = text.slice(from, to).toLowerCase()
    const termId = this.termOf(key)
    this.known.add(key, hash, termId)
    return termId
  }

  private tally(termId: number) {
    if (termId >= this.positions.length) this.positions = grown(this.positions, Math.max(termId + 1, this.positions.length * 2))
    const at = this.positions[termId]!
    if (at) {
      this.counts[at - 1]!++
      return
    }
    if (this.size === this.termIds.length) {
      this.termIds = grown(this.termIds, this.size * 2)
      this.counts = grown(this.counts, this.size * 2)
    }
    this.termIds[this.size] = termId
    this.counts[this.size] = 1
    this.positions[termId] = ++this.size
  }

  /** Whether text[start, end) is a word not seen before in this field (compared as written). */
  private firstSighting(text: string, start: number, end: number, hash: number) {
    const seen = this.seen
    const mask = (seen.length >> 2) - 1
    const length = end - start
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot << 2
      if (seen[at] !== this.generation) {
        seen[at] = this.generation
        seen[at + 1] = hash
        seen[at + 2] = start
        seen[at + 3] = length
        return true
      }
      if (seen[at + 1] === hash && seen[at + 3] === length && sameChars(text, seen[at + 2]!, start, length)) return false
    }
  }

  private clear() {
    for (let i = 0; i < this.size; i++) this.positions[this.termIds[i]!] = 0
    this.size = 0
  }

  /** Room for every word of a text of `length` characters (at most one per two), at most half full. */
  private prepare(length: number) {
    this.generation++
    let slots = this.seen.length >> 2
    while (slots < length + 2) slots *= 2
    if (slots !== this.seen.length >> 2) {
      this.seen = new Int32Array(slots << 2)
      this.generation = 1
    }
  }
}

function grown(array: Int32Array, capacity: number) {
  const bigger = new Int32Array(capacity)
  bigger.set(array)
  return bigger
}
