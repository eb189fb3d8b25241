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

export const FNV_OFFSET = 0x811c9dc5
export const FNV_PRIME = 0x01000193
/** Dots and underscores at a word's ends are not part of its term ("5.0." is "5.0"). */
const isTrimmed = (c: number) => c === 46 || c === 95

/** ASCII words longer than this are counted on the path for other words. */
const MAX_WRITTEN = 65_535

/**
 * ASCII words as written, for `WordCounter`: open addressing, four numbers
 * per table slot side by side (one cache line holds four slots): the word's
 * hash, its term id (-1 when it is no term), the stamp of the field that
 * last had it, and where its characters sit in one byte pool (a two-byte
 * length, then the characters). A word met before is recognised in place
 * against the text being read, with its term and stamp beside it: no
 * substring, no Map lookup, and few cache misses per word.
 */
class WrittenWords {
  table = new Int32Array(4 << 12)
  private pool = new Uint8Array(1 << 16)
  private poolSize = 0
  private size = 0

  /** Where text[start, end) (its hash `hash`) is in `table`, or -1 when it is new. */
  find(text: string, start: number, end: number, hash: number): number {
    const { table, pool } = this
    const mask = (table.length >> 2) - 1
    const length = end - start
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot << 2
      const from = table[at + 3]!
      if (from === 0) return -1
      if (table[at] === hash && pool[from - 2]! + (pool[from - 1]! << 8) === length) {
        let same = true
        for (let i = 0; i < length && same; i++) same = pool[from + i] === text.charCodeAt(start + i)
        if (same) return at
      }
    }
  }

  /** Adds the new word text[start, end) with its term id; returns where it is in `table`. */
  add(text: string, start: number, end: number, hash: number, termId: number): number {
    const length = end - start
    if (2 * (this.size + 1) > this.table.length >> 2) this.grow()
    if (this.poolSize + length + 2 > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.poolSize + length + 2))
      pool.set(this.pool)
      this.pool = pool
    }
    // Pool position 0 is never a word's start, so 0 marks a free slot.
    const from = this.poolSize + 2
    this.pool[from - 2] = length & 0xff
    this.pool[from - 1] = length >> 8
    for (let i = 0; i < length; i++) this.pool[from + i] = text.charCodeAt(start + i)
    this.poolSize = from + length
    this.size++
    return this.place(hash, termId, 0, from)
  }

  private place(hash: number, termId: number, stamp: number, from: number) {
    const table = this.table
    const mask = (table.length >> 2) - 1
    let slot = hash & mask
    while (table[(slot << 2) + 3] !== 0) slot = (slot + 1) & mask
    const at = slot << 2
    table[at] = hash
    table[at + 1] = termId
    table[at + 2] = stamp
    table[at + 3] = from
    return at
  }

  private grow() {
    const old = this.table
    this.table = new Int32Array(old.length * 2)
    for (let at = 0; at < old.length; at += 4) if (old[at + 3] !== 0) this.place(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!)
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
 * An ASCII word (nearly all of them) is hashed once as it is read and
 * recognised as written in `WrittenWords`, which gives its term at once and
 * tells by a stamp whether this field had it already. Only a word never
 * seen before in any field is cut out, trimmed of dots and underscores,
 * lower-cased and handed to `termOf(word)`, which turns it into a term id
 * (-1 when it is no term); that is asked once per distinct lower-cased
 * word for the life of the counter ("Gateway" after "gateway" is not asked
 * again). Words with other characters are rare: they are cut out and
 * handed to `termOf` each time (lower-cased by Unicode rules there).
 */
export class WordCounter {
  /** After `count`: the field's term ids in order of first appearance, and their counts, `size` of each. */
  termIds = new Int32Array(256)
  counts = new Int32Array(256)
  size = 0
  /**
   * After `count`: a hash of the field's words as written, in order. It
   * changes when anything the index reads changes, and only then (spacing
   * and punctuation between words do not count), so a replaced document
   * whose words are all the same need not be indexed again.
   */
  wordsHash = 0
  private readonly written = new WrittenWords()
  /** Term ids of lower-cased, trimmed words already asked of `termOf`. */
  private readonly termByKey = new Map<string, number>()
  /** Per term id: its position in `termIds` plus one while counting a field, else 0. */
  private positions = new Int32Array(1024)
  /**
   * The distinct words with other than ASCII characters of the field being
   * counted, by open addressing: per table slot, side by side, the
   * generation that wrote it (older ones are free), the word's hash, start
   * and length in the text.
   */
  private seen = new Int32Array(4 << 10)
  private seenGeneration = 0
  private generation = 0

  constructor(private readonly termOf: (word: string) => number) {}

  /** Counts `text`'s words; returns how many distinct words it has as written. */
  count(text: string): number {
    this.clear()
    const generation = ++this.generation
    const n = text.length
    let distinct = 0
    let wordsHash = FNV_OFFSET
    let seenReady = false
    for (let i = 0; ; ) {
      // To the next word (nextWord, with the ASCII test inline: separators are nearly always ASCII).
      for (; i < n; i++) {
        const c = text.charCodeAt(i)
        if (c < 128 ? ASCII_WORD[c] : wordCharAt(text, i)) break
      }
      if (i >= n) break
      const start = i
      let hash = FNV_OFFSET
      let ascii = true
      while (i < n) {
        const c = text.charCodeAt(i)
        if (c < 128) {
          if (!ASCII_WORD[c]) break
          hash = Math.imul(hash ^ c, FNV_PRIME)
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
      wordsHash = Math.imul(wordsHash ^ hash, FNV_PRIME)
      let termId: number
      if (ascii && i - start <= MAX_WRITTEN) {
        let at = this.written.find(text, start, i, hash)
        if (at < 0) at = this.written.add(text, start, i, hash, this.termOfWritten(text, start, i))
        // A word this field had not had yet (without a branch: repeats and first sightings alternate unpredictably).
        const table = this.written.table
        distinct += table[at + 2] !== generation ? 1 : 0
        table[at + 2] = generation
        termId = table[at + 1]!
      } else {
        if (!seenReady) this.prepareSeen(text.length)
        seenReady = true
        if (this.firstSighting(text, start, i, hash)) distinct++
        termId = this.termOf(text.slice(start, i))
      }
      if (termId >= 0) this.tally(termId)
    }
    this.wordsHash = wordsHash
    return distinct
  }

  /** The term id of the ASCII word text[start, end): trimmed of dots and underscores, lower-cased. */
  private termOfWritten(text: string, start: number, end: number) {
    let from = start
    let to = end
    while (from < to && isTrimmed(text.charCodeAt(from))) from++
    while (to > from && isTrimmed(text.charCodeAt(to - 1))) to--
    if (from === to) return -1
    const key = text.slice(from, to).toLowerCase()
    let termId = this.termByKey.get(key)
    if (termId === undefined) this.termByKey.set(key, (termId = this.termOf(key)))
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
      if (seen[at] !== this.seenGeneration) {
        seen[at] = this.seenGeneration
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

  /** Room in `seen` for every word of a text of `length` characters (at most one per two), at most half full. */
  private prepareSeen(length: number) {
    this.seenGeneration++
    let slots = this.seen.length >> 2
    while (slots < length + 2) slots *= 2
    if (slots !== this.seen.length >> 2) {
      this.seen = new Int32Array(slots << 2)
      this.seenGeneration = 1
    }
  }
}

function grown(array: Int32Array, capacity: number) {
  const bigger = new Int32Array(capacity)
  bigger.set(array)
  return bigger
}
