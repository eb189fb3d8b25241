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

/** The words of a text, in order, as written. */
export function words(text: string): string[] {
  const found: string[] = []
  const n = text.length
  let i = 0
  while (i < n) {
    let step = wordCharAt(text, i)
    if (!step) {
      i++
      continue
    }
    const start = i
    while (i < n && (step = wordCharAt(text, i))) i += step
    found.push(text.slice(start, i))
  }
  return found
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const DOT = 46
const UNDERSCORE = 95
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c)

/**
 * Known words, for `WordCounter`: an ASCII word lower-cased without its
 * leading and trailing dots and underscores (the key) → its term id, or -1
 * when it is no term (a stop word). Open addressing, keys compared in place
 * against the text being read.
 */
class KnownWords {
  private keys: (string | undefined)[] = new Array<string | undefined>(1 << 12).fill(undefined)
  private hashes = new Int32Array(1 << 12)
  private ids = new Int32Array(1 << 12)
  private size = 0

  /** The id for text[start, end) lower-cased (its hash `hash`), or -2 when unknown. */
  find(text: string, start: number, end: number, hash: number): number {
    const mask = this.keys.length - 1
    const length = end - start
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const key = this.keys[at]
      if (key === undefined) return -2
      if (this.hashes[at] === hash && key.length === length && sameLowered(key, text, start)) return this.ids[at]!
    }
  }

  add(key: string, hash: number, id: number) {
    if (2 * (this.size + 1) > this.keys.length) this.grow()
    this.place(key, hash, id)
    this.size++
  }

  private place(key: string, hash: number, id: number) {
    const mask = this.keys.length - 1
    let at = hash & mask
    while (this.keys[at] !== undefined) at = (at + 1) & mask
    this.keys[at] = key
    this.hashes[at] = hash
    this.ids[at] = id
  }

  private grow() {
    const { keys, hashes, ids } = this
    this.keys = new Array<string | undefined>(keys.length * 2).fill(undefined)
    this.hashes = new Int32Array(keys.length * 2)
    this.ids = new Int32Array(keys.length * 2)
    for (let at = 0; at < keys.length; at++) if (keys[at] !== undefined) this.place(keys[at]!, hashes[at]!, ids[at]!)
  }
}

function sameChars(text: string, a: number, b: number, length: number) {
  for (let i = 0; i < length; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false
  return true
}

function sameLowered(key: string, text: string, start: number) {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== lowerAscii(text.charCodeAt(start + i))) return false
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
  // The distinct words as written of the field being counted: open addressing by generation.
  private seenGeneration = new Int32Array(1024)
  private seenStart = new Int32Array(1024)
  private seenHash = new Int32Array(1024)
  private seenLength = new Int32Array(1024)
  private generation = 0

  constructor(private readonly termOf: (word: string) => number) {}

  /** Counts `text`'s words; returns how many distinct words it has as written. */
  count(text: string): number {
    this.clear()
    this.prepare(text.length)
    const n = text.length
    let distinct = 0
    let i = 0
    while (i < n) {
      let step = wordCharAt(text, i)
      if (!step) {
        i++
        continue
      }
      const start = i
      let hash = FNV_OFFSET
      let ascii = true
      while (i < n && (step = wordCharAt(text, i))) {
        const c = text.charCodeAt(i)
        hash = Math.imul(hash ^ c, FNV_PRIME)
        if (step === 2) hash = Math.imul(hash ^ text.charCodeAt(i + 1), FNV_PRIME)
        if (c >= 128) ascii = false
        i += step
      }
      if (this.firstSighting(text, start, i, hash)) distinct++
      const termId = ascii ? this.asciiTerm(text, start, i) : this.termOf(text.slice(start, i))
      if (termId >= 0) this.tally(termId)
    }
    return distinct
  }

  private asciiTerm(text: string, start: number, end: number) {
    let from = start
    let to = end
    while (from < to && (text.charCodeAt(from) === DOT || text.charCodeAt(from) === UNDERSCORE)) from++
    while (to > from && (text.charCodeAt(to - 1) === DOT || text.charCodeAt(to - 1) === UNDERSCORE)) to--
    if (from === to) return -1
    let hash = FNV_OFFSET
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ lowerAscii(text.charCodeAt(i)), FNV_PRIME)
    const found = this.known.find(text, from, to, hash)
    if (found !== -2) return found
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
    const mask = this.seenGeneration.length - 1
    const length = end - start
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      if (this.seenGeneration[at] !== this.generation) {
        this.seenGeneration[at] = this.generation
        this.seenStart[at] = start
        this.seenHash[at] = hash
        this.seenLength[at] = length
        return true
      }
      if (this.seenHash[at] === hash && this.seenLength[at] === length && sameChars(text, this.seenStart[at]!, start, length)) return false
    }
  }

  private clear() {
    for (let i = 0; i < this.size; i++) this.positions[this.termIds[i]!] = 0
    this.size = 0
  }

  /** Room for every word of a text of `length` characters (at most one per two), at most half full. */
  private prepare(length: number) {
    this.generation++
    let capacity = this.seenGeneration.length
    while (capacity < length + 2) capacity *= 2
    if (capacity !== this.seenGeneration.length) {
      this.seenGeneration = new Int32Array(capacity)
      this.seenStart = new Int32Array(capacity)
      this.seenHash = new Int32Array(capacity)
      this.seenLength = new Int32Array(capacity)
      this.generation = 1
    }
  }
}

function grown(array: Int32Array, capacity: number) {
  const bigger = new Int32Array(capacity)
  bigger.set(array)
  return bigger
}
