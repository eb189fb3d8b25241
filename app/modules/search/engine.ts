/**
 * The search engine behind every search surface: MiniSearch's ranking over
 * compact postings (docs/decisions/0011-compact-search-engine.md).
 *
 * What comes from MiniSearch: its radix tree (`SearchableMap`) holds the
 * vocabulary and finds fuzzy and prefix variants of a term; scores are its
 * BM25+ per field with field boosts, its fuzzy and prefix weights and its
 * coordination factor (a document's score times the number of query terms
 * it matched), so ranking is what MiniSearch 7.2 gives for the same options.
 *
 * What is ours: the postings. MiniSearch keeps a Map per term and field with
 * an entry per document, and builds a result object for every matching
 * document before sorting; at 100,000 posts that is 25 s to build, 500 MB of
 * heap and a quarter of a second per query. Here a posting list is two typed
 * arrays (document slots and term frequencies), a query accumulates scores
 * in one reused Float64Array, and only the requested page becomes objects.
 *
 * Documents live in slots. Replacing a document whose indexed text did not
 * change only swaps its stored fields; otherwise it takes a new slot and the
 * old one is dead: skipped by queries, dropped from the posting lists when
 * dead slots pile up (compact) and from snapshots.
 */
import SearchableMap from 'minisearch/SearchableMap'
import { FNV_OFFSET, FNV_PRIME, WordCounter } from './words'

export type EngineOptions<S extends object = object> = {
  fields: readonly string[]
  boosts: Readonly<Record<string, number>>
  processTerm: (term: string) => string | null
  bm25: { k: number; b: number; d: number }
  weights: { fuzzy: number; prefix: number }
  /** At most this many prefix variants per term, the most frequent first. */
  maxPrefixVariants: number
  /**
   * Stored fields also kept per slot in typed arrays, for `where`: queries
   * filter on them without reading the stored objects, whose scattered
   * reads cost more than scoring when tens of thousands of documents match.
   * A `category` column takes strings, booleans and null; a `number`
   * column, numbers (dates as milliseconds).
   */
  columns?: Readonly<Record<string, 'category' | 'number'>>
  /** A multiplier per document (solved and verified content), taken when it is added or replaced. */
  documentBoost?: (stored: S) => number
}

export type ColumnValue = string | number | boolean | null

/**
 * A condition on a column: one of some values (a category), or within a
 * range (a number, ends included). `orElse` lets a document whose column
 * fails the condition through when it holds for its stored fields: the
 * column decides for most documents without reading them, and only the
 * few others are read (a customer's own restricted posts, say).
 */
export type Condition<S = never> = ({ in: readonly ColumnValue[] } | { min?: number; max?: number }) & { orElse?: (stored: S) => boolean }

/** One query term: its maximum edit distance (0: exact), whether it is a prefix, and its weight. */
export type TermSpec = { term: string; fuzzy: number; prefix: boolean; boost: number }

export type EngineQuery<S> = {
  terms: TermSpec[]
  combineWith: 'AND' | 'OR'
  /** Conditions on columns (EngineOptions.columns), all of which a document must meet. */
  where?: Readonly<Record<string, Condition<S>>>
  /** Any other condition, on the stored fields: checked after `where`, so on fewer documents. */
  filter?: (stored: S) => boolean
  /** Hits wanted: the best `offset + limit` are ranked, `limit` returned from `offset`. */
  offset?: number
  limit: number
}

export type EngineHit<S> = {
  id: string
  score: number
  /** The query terms this document matched. */
  queryTerms: string[]
  /** Index terms (with fuzzy and prefix variants) of the matched query terms, for highlighting. */
  terms: string[]
  /** The index term that matched the last query term here (a completion of a typed prefix), if any. */
  lastTerm: string | null
  stored: S
}

type Variant = { termId: number; term: string; weight: number }
/** A posting list a query reads: of variant `v` in field `f`, each posting's BM25+ part times `weight`. */
type ScoredList = { list: PostingList; f: number; v: number; weight: number }

class PostingList {
  slots: Int32Array
  freqs: Uint16Array
  size: number
  constructor(slots = new Int32Array(4), freqs = new Uint16Array(4), size = 0) {
    this.slots = slots
    this.freqs = freqs
    this.size = size
  }
  push(slot: number, freq: number) {
    if (this.size === this.slots.length) {
      const capacity = this.size * 2
      const slots = new Int32Array(capacity)
      slots.set(this.slots)
      const freqs = new Uint16Array(capacity)
      freqs.set(this.freqs)
      this.slots = slots
      this.freqs = freqs
    }
    this.slots[this.size] = slot
    this.freqs[this.size++] = freq
  }
}

/** Postings in a bulk buffer's chunk. */
const BULK_CHUNK = 1 << 20

/**
 * Postings of a bulk load in arrival order (list key, slot, frequency), in
 * chunks of a fixed size: growing never copies what is there, and the
 * memory comes in pieces the garbage collector need not move.
 */
class BulkPostings {
  readonly chunks: { keys: Int32Array; slots: Int32Array; freqs: Uint16Array }[] = []
  private keys = new Int32Array(0)
  private slots = new Int32Array(0)
  private freqs = new Uint16Array(0)
  /** Postings in the last chunk. */
  fill = BULK_CHUNK
  push(key: number, slot: number, freq: number) {
    if (this.fill === BULK_CHUNK) {
      this.keys = new Int32Array(BULK_CHUNK)
      this.slots = new Int32Array(BULK_CHUNK)
      this.freqs = new Uint16Array(BULK_CHUNK)
      this.chunks.push({ keys: this.keys, slots: this.slots, freqs: this.freqs })
      this.fill = 0
    }
    const at = this.fill++
    this.keys[at] = key
    this.slots[at] = slot
    this.freqs[at] = freq
  }
  /** Each chunk with how many postings it holds. */
  *filled() {
    for (let c = 0; c < this.chunks.length; c++) yield { ...this.chunks[c]!, size: c === this.chunks.length - 1 ? this.fill : BULK_CHUNK }
  }
}

/** One column of a stored field, per slot: the number itself, or the category's id. */
class Column {
  values = new Float64Array(1024)
  private readonly ids = new Map<ColumnValue, number>()
  constructor(readonly type: 'category' | 'number') {}

  set(slot: number, value: unknown) {
    if (this.type === 'number') {
      this.values[slot] = typeof value === 'number' ? value : Number.NaN
      return
    }
    const key = (value ?? null) as ColumnValue
    let id = this.ids.get(key)
    if (id === undefined) this.ids.set(key, (id = this.ids.size))
    this.values[slot] = id
  }

  /** The check for a condition: a category's allowed ids, or a number's range. */
  matcher(condition: Condition): { values: Float64Array; allowed: Uint8Array | null; min: number; max: number } {
    if ('in' in condition) {
      const allowed = new Uint8Array(this.ids.size + 1)
      for (const value of condition.in) {
        const id = this.ids.get(value)
        if (id !== undefined) allowed[id] = 1
      }
      return { values: this.values, allowed, min: 0, max: 0 }
    }
    return { values: this.values, allowed: null, min: condition.min ?? -Infinity, max: condition.max ?? Infinity }
  }

  grow(capacity: number) {
    const values = new Float64Array(capacity)
    values.set(this.values)
    this.values = values
  }
}

const SNAPSHOT_MAGIC = 'switchboard-search/3'
/** Documents per JSON chunk of a snapshot. */
const SNAPSHOT_CHUNK = 5_000
/** Postings copied between two pauses of a serialization. */
const SERIALIZE_PAUSE_EVERY = 100_000

/** Splits `serialize()` bytes into their segments; null when the framing does not add up. */
function readSegments(bytes: Buffer): Buffer[] | null {
  if (bytes.length < 4) return null
  const count = bytes.readUInt32LE(0)
  if (count > 100_000 || bytes.length < 4 * (count + 1)) return null
  let at = 4 * (count + 1)
  const segments: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const length = bytes.readUInt32LE(4 * (i + 1))
    if (at + length > bytes.length) return null
    segments.push(bytes.subarray(at, at + length))
    at += length
  }
  return at === bytes.length ? segments : null
}

export class SearchEngine<S extends object> {
  readonly options: EngineOptions<S>
  private readonly fieldCount: number
  private readonly fieldBoosts: number[]
  // Vocabulary: term → id (Map for speed), and the radix tree for variants.
  private readonly termIds = new Map<string, number>()
  private readonly terms: string[] = []
  private readonly tree = new SearchableMap<number>()
  /** Counts a document's words field by field (words.ts), asking `termIdOf` about words it has not met. */
  private readonly counter = new WordCounter((word) => this.termIdOf(word))
  /** Postings of term t in field f at lists[t * fieldCount + f]. */
  private lists: (PostingList | undefined)[] = []
  private bulk: BulkPostings | null = null
  // Slots
  private ids: string[] = []
  private readonly slotById = new Map<string, number>()
  private stored: (S | undefined)[] = []
  /** Per slot: the columns of the stored fields (EngineOptions.columns) and the document boost. */
  private readonly columnByName = new Map<string, Column>()
  private boosts = new Float32Array(1024)
  private alive = new Uint8Array(1024)
  private fingerprints = new Int32Array(1024)
  private fieldLengths = new Uint16Array(1024)
  private readonly fieldLengthSums: Float64Array
  private live = 0
  private dead = 0
  // Query scratch, reused between queries (one query runs at a time: no awaits inside).
  private scores = new Float64Array(1024)
  private masks = new Uint32Array(1024)
  private touched = new Int32Array(1024)
  private lastVariant = new Int32Array(1024)
  private lastScore = new Float64Array(1024)

  constructor(options: EngineOptions<S>) {
    this.options = options
    this.fieldCount = options.fields.length
    this.fieldBoosts = options.fields.map((f) => options.boosts[f] ?? 1)
    this.fieldLengthSums = new Float64Array(this.fieldCount)
    this.fieldLengths = new Uint16Array(1024 * this.fieldCount)
    for (const [name, type] of Object.entries(options.columns ?? {})) this.columnByName.set(name, new Column(type))
  }

  get documentCount() {
    return this.live
  }

  get termCount() {
    return this.terms.length
  }

  has(id: string) {
    return this.slotById.has(id)
  }

  /** Adds documents; `text(document, field)` gives a field's text, `store(document)` what results carry. */
  add(id: string, texts: readonly string[], stored: S) {
    if (this.slotById.has(id)) this.discard(id)
    const slot = this.ids.length
    this.grow(slot + 1)
    this.ids.push(id)
    this.stored.push(undefined)
    this.setStored(slot, stored)
    this.slotById.set(id, slot)
    this.alive[slot] = 1
    this.live++
    const counter = this.counter
    let print = FNV_OFFSET
    for (let f = 0; f < this.fieldCount; f++) {
      // The field length, as MiniSearch counts it: distinct words as written, before term processing.
      const length = Math.min(counter.count(texts[f] ?? ''), 65_535)
      print = Math.imul(print ^ counter.wordsHash, FNV_PRIME)
      this.fieldLengths[slot * this.fieldCount + f] = length
      this.fieldLengthSums[f] = this.fieldLengthSums[f]! + length
      for (let i = 0; i < counter.size; i++) {
        const at = counter.termIds[i]! * this.fieldCount + f
        const freq = Math.min(counter.counts[i]!, 65_535)
        if (this.bulk) {
          this.bulk.push(at, slot, freq)
        } else {
          let list = this.lists[at]
          if (!list) this.lists[at] = list = new PostingList()
          list.push(slot, freq)
        }
      }
    }
    this.fingerprints[slot] = print
  }

  /** What `add` records of a document's words, to tell whether a replacement changes anything searchable. */
  private fingerprint(texts: readonly string[]) {
    let print = FNV_OFFSET
    for (let f = 0; f < this.fieldCount; f++) {
      this.counter.count(texts[f] ?? '')
      print = Math.imul(print ^ this.counter.wordsHash, FNV_PRIME)
    }
    return print
  }

  /** The term id of a word (a new term gets one), or -1 when it is no term (a stop word). */
  private termIdOf(word: string) {
    const term = this.options.processTerm(word)
    if (!term) return -1
    let termId = this.termIds.get(term)
    if (termId === undefined) {
      termId = this.terms.length
      this.terms.push(term)
      this.termIds.set(term, termId)
      this.tree.set(term, termId)
      // Kept dense (one slot per field for each new term): a sparse array would fall back to a slow dictionary.
      for (let g = 0; g < this.fieldCount; g++) this.lists.push(undefined)
    }
    return termId
  }

  /**
   * Starts a bulk load (a full build): until `finishBulk`, added documents'
   * postings go to one sequential buffer instead of their lists, and queries
   * do not see them. Sorting the buffer into lists once is far cheaper than
   * growing a hundred thousand lists a posting at a time.
   */
  startBulk() {
    this.bulk ??= new BulkPostings()
  }

  /** Moves the bulk buffer into the posting lists (after any postings they already hold). */
  finishBulk() {
    const bulk = this.bulk
    if (!bulk) return
    this.bulk = null
    const keys = this.lists.length
    const starts = new Int32Array(keys + 1)
    for (const chunk of bulk.filled()) for (let i = 0; i < chunk.size; i++) starts[chunk.keys[i]! + 1]!++
    for (let at = 0; at < keys; at++) starts[at + 1] = starts[at + 1]! + starts[at]! + (this.lists[at]?.size ?? 0)
    const slots = new Int32Array(starts[keys]!)
    const freqs = new Uint16Array(starts[keys]!)
    const next = new Int32Array(keys)
    for (let at = 0; at < keys; at++) {
      const list = this.lists[at]
      next[at] = starts[at]!
      if (!list) continue
      slots.set(list.slots.subarray(0, list.size), next[at])
      freqs.set(list.freqs.subarray(0, list.size), next[at])
      next[at] = next[at]! + list.size
    }
    for (const chunk of bulk.filled()) {
      for (let i = 0; i < chunk.size; i++) {
        const at = chunk.keys[i]!
        const to = next[at]!
        next[at] = to + 1
        slots[to] = chunk.slots[i]!
        freqs[to] = chunk.freqs[i]!
      }
    }
    for (let at = 0; at < keys; at++) {
      const start = starts[at]!
      const end = starts[at + 1]!
      this.lists[at] = end > start ? new PostingList(slots.subarray(start, end), freqs.subarray(start, end), end - start) : undefined
    }
  }

  /** Replaces a document: in place when its indexed text is unchanged (a me-too, a state change). */
  replace(id: string, texts: readonly string[], stored: S) {
    const slot = this.slotById.get(id)
    if (slot !== undefined && this.fingerprints[slot] === this.fingerprint(texts)) {
      this.setStored(slot, stored)
      return
    }
    this.add(id, texts, stored)
  }

  /** A slot's stored fields, with their columns and boost. */
  private setStored(slot: number, stored: S) {
    this.stored[slot] = stored
    for (const [name, column] of this.columnByName) column.set(slot, (stored as Record<string, unknown>)[name])
    this.boosts[slot] = this.options.documentBoost?.(stored) ?? 1
  }

  /** Removes a document from results at once; its postings go at the next compaction. */
  discard(id: string) {
    const slot = this.slotById.get(id)
    if (slot === undefined) return
    this.slotById.delete(id)
    this.alive[slot] = 0
    this.stored[slot] = undefined
    this.ids[slot] = ''
    for (let f = 0; f < this.fieldCount; f++) this.fieldLengthSums[f] = this.fieldLengthSums[f]! - this.fieldLengths[slot * this.fieldCount + f]!
    this.live--
    this.dead++
    if (this.dead > 1_000 && this.dead > this.ids.length / 5) this.compact()
  }

  /** Drops dead slots from every posting list (slot numbers stay; snapshots renumber). */
  compact() {
    const alive = this.alive
    for (const list of this.lists) {
      if (!list) continue
      let kept = 0
      for (let i = 0; i < list.size; i++) {
        const slot = list.slots[i]!
        if (alive[slot]) {
          list.slots[kept] = slot
          list.freqs[kept++] = list.freqs[i]!
        }
      }
      list.size = kept
    }
    this.dead = 0
  }

  /** Whether `term` is an index term. */
  hasTerm(term: string) {
    return this.termIds.has(term)
  }

  private frequencyOf(termId: number) {
    let most = 0
    for (let f = 0; f < this.fieldCount; f++) most = Math.max(most, this.lists[termId * this.fieldCount + f]?.size ?? 0)
    return most
  }

  /** Index terms within `distance` edits of `term`, closest first, then the most frequent. */
  similarTerms(term: string, distance: number) {
    return [...this.tree.fuzzyGet(term, distance)]
      .map(([t, [termId, d]]) => ({ term: t, distance: d, frequency: this.frequencyOf(termId) }))
      .sort((a, b) => a.distance - b.distance || b.frequency - a.frequency || (a.term < b.term ? -1 : 1))
  }

  /** Index terms starting with `prefix`, the most frequent first. */
  completions(prefix: string, limit: number) {
    const found: { term: string; frequency: number }[] = []
    for (const [term, termId] of this.tree.atPrefix(prefix)) found.push({ term, frequency: this.frequencyOf(termId) })
    return found.sort((a, b) => b.frequency - a.frequency || (a.term < b.term ? -1 : 1)).slice(0, limit)
  }

  private variants(spec: TermSpec): Variant[] {
    const { weights, maxPrefixVariants } = this.options
    const variants: Variant[] = []
    const exact = this.termIds.get(spec.term)
    if (exact !== undefined) variants.push({ termId: exact, term: spec.term, weight: 1 })
    const seen = new Set<string>([spec.term])
    if (spec.prefix) {
      for (const { term } of this.completions(spec.term, maxPrefixVariants + 1)) {
        if (seen.has(term) || variants.length - (exact === undefined ? 0 : 1) >= maxPrefixVariants) continue
        seen.add(term)
        const distance = term.length - spec.term.length
        variants.push({ termId: this.termIds.get(term)!, term, weight: (weights.prefix * term.length) / (term.length + 0.3 * distance) })
      }
    }
    if (spec.fuzzy > 0) {
      for (const [term, [termId, distance]] of this.tree.fuzzyGet(spec.term, spec.fuzzy)) {
        if (!distance || seen.has(term)) continue
        seen.add(term)
        variants.push({ termId, term, weight: (weights.fuzzy * term.length) / (term.length + distance) })
      }
    }
    return variants
  }

  /** Ranks the documents matching `query`; returns the total that pass the conditions and the requested page. */
  search(query: EngineQuery<S>): { total: number; hits: EngineHit<S>[] } {
    const specs = dedupe(query.terms).slice(0, 32)
    if (!specs.length || !this.live) return { total: 0, hits: [] }
    const expanded = specs.map((spec) => this.variants(spec))
    const and = query.combineWith === 'AND'
    if (and && expanded.some((v) => !v.length)) return { total: 0, hits: [] }

    // AND: the rarest term first; later terms only score documents that matched every earlier one.
    const order = specs.map((spec, q) => this.postingsOf(q, spec, expanded[q]!))
    if (and) order.sort((x, y) => x.postings - y.postings)
    const { scores, masks } = this
    let touchedCount = 0
    let required = 0
    for (const { q, lists } of order) {
      let candidates: Int32Array | null = null
      if (and && required) {
        candidates = this.candidates(touchedCount, required)
        if (!candidates.length) break
      }
      for (const list of lists) touchedCount = this.score(list, q, q === specs.length - 1, candidates, required, touchedCount)
      required |= 1 << q
    }

    // Collect: documents that matched (every term, for AND) and meet the conditions; the best `offset + limit` kept.
    const all = specs.length === 32 ? 0xffffffff : (1 << specs.length) - 1
    const top = new TopK(Math.max(0, query.offset ?? 0) + Math.max(0, query.limit))
    const conditions = Object.entries(query.where ?? {}).map(([name, condition]) => {
      const column = this.columnByName.get(name)
      if (!column) throw new Error(`search: no column ${name}`)
      return { ...column.matcher(condition), orElse: condition.orElse }
    })
    const { touched, lastScore, lastVariant, boosts, stored } = this
    let total = 0
    documents: for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i]!
      const mask = masks[slot]!
      const score = scores[slot]!
      const variant = lastScore[slot]! > 0 ? lastVariant[slot]! : -1
      scores[slot] = 0
      masks[slot] = 0
      lastScore[slot] = 0
      if (and && mask >>> 0 !== all >>> 0) continue
      for (const { values, allowed, min, max, orElse } of conditions) {
        const value = values[slot]!
        if (allowed ? !allowed[value] : !(value >= min && value <= max)) {
          if (!orElse?.(stored[slot]!)) continue documents
        }
      }
      if (query.filter && !query.filter(stored[slot]!)) continue
      total++
      top.offer(slot, score * popcount(mask) * boosts[slot]!, mask, variant)
    }

    const lastQ = specs.length - 1
    const hits = top
      .sorted()
      .slice(query.offset ?? 0)
      .map(({ slot, score, mask, variant }) => {
        const queryTerms: string[] = []
        const terms: string[] = []
        for (let q = 0; q < specs.length; q++) {
          if (!(mask & (1 << q))) continue
          queryTerms.push(specs[q]!.term)
          for (const variant of expanded[q]!) terms.push(variant.term)
        }
        const lastTerm = variant >= 0 ? expanded[lastQ]![variant]!.term : null
        return { id: this.ids[slot]!, score, queryTerms, terms, lastTerm, stored: stored[slot]! }
      })
    return { total, hits }
  }

  /** Query term `q`'s non-empty posting lists (of every variant, in every field), with their weights. */
  private postingsOf(q: number, spec: TermSpec, variants: Variant[]) {
    const F = this.fieldCount
    const lists: ScoredList[] = []
    let postings = 0
    variants.forEach((variant, v) => {
      for (let f = 0; f < F; f++) {
        const list = this.lists[variant.termId * F + f]
        if (!list?.size) continue
        const idf = Math.log(1 + (this.live - list.size + 0.5) / (list.size + 0.5))
        lists.push({ list, f, v, weight: variant.weight * spec.boost * this.fieldBoosts[f]! * idf })
        postings += list.size
      }
    })
    return { q, lists, postings }
  }

  /** The touched documents that matched every `required` term, in slot order (for binary search). */
  private candidates(touchedCount: number, required: number) {
    const { touched, masks } = this
    const found = new Int32Array(touchedCount)
    let n = 0
    for (let i = 0; i < touchedCount; i++) if ((masks[touched[i]!]! & required) === required) found[n++] = touched[i]!
    return found.subarray(0, n).sort()
  }

  /**
   * Adds one posting list's BM25+ scores (MiniSearch's formula) into the
   * query scratch; with `candidates`, only for those documents (an AND
   * query's later terms). Returns the new count of touched documents: each
   * document is touched once per query, so `touched` never overflows.
   */
  private score({ list, f, v, weight }: ScoredList, q: number, last: boolean, candidates: Int32Array | null, required: number, touchedCount: number) {
    const { k, b, d } = this.options.bm25
    const F = this.fieldCount
    const norm = k * (1 - b)
    const perLength = (k * b) / (this.fieldLengthSums[f]! / this.live || 1)
    const { scores, masks, alive, fieldLengths, touched, lastScore, lastVariant } = this
    const bit = 1 << q
    const { slots, freqs, size } = list
    const credit = (slot: number, tf: number) => {
      const score = weight * (d + (tf * (k + 1)) / (tf + norm + perLength * fieldLengths[slot * F + f]!))
      if (masks[slot] === 0) touched[touchedCount++] = slot
      scores[slot] = scores[slot]! + score
      masks[slot] = masks[slot]! | bit
      if (last && score > lastScore[slot]!) {
        lastScore[slot] = score
        lastVariant[slot] = v
      }
    }
    if (!candidates) {
      for (let i = 0; i < size; i++) if (alive[slots[i]!]) credit(slots[i]!, freqs[i]!)
    } else if (candidates.length * 16 < size) {
      // Few candidates, a long list (sorted by slot): look each one up.
      let low = 0
      for (let c = 0; c < candidates.length && low < size; c++) {
        const slot = candidates[c]!
        let high = size
        while (low < high) {
          const mid = (low + high) >>> 1
          if (slots[mid]! < slot) low = mid + 1
          else high = mid
        }
        if (low < size && slots[low] === slot) credit(slot, freqs[low]!)
      }
    } else {
      for (let i = 0; i < size; i++) {
        const slot = slots[i]!
        if ((masks[slot]! & required) === required && alive[slot]) credit(slot, freqs[i]!)
      }
    }
    return touchedCount
  }

  /**
   * The index as bytes, live documents only (renumbered), for a fast start.
   * The work is done a chunk at a time, calling `pause` between chunks (a
   * large index never blocks the event loop for long). The caller must not
   * change the engine until the promise resolves (searching is fine): the
   * snapshot is then of one moment.
   */
  async serialize(pause: () => Promise<unknown> = async () => {}): Promise<Buffer> {
    return Buffer.concat(await this.serializeParts(pause))
  }

  /**
   * `serialize()`'s bytes as consecutive parts, for writing to a file one at
   * a time (no second copy of a large index in memory).
   */
  async serializeParts(pause: () => Promise<unknown> = async () => {}): Promise<Buffer[]> {
    const F = this.fieldCount
    const renumber = new Int32Array(this.ids.length).fill(-1)
    const ids: string[] = []
    const stored: S[] = []
    const fieldLengths = new Uint16Array(this.live * F)
    const fingerprints = new Int32Array(this.live)
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (!this.alive[slot]) continue
      const next = ids.length
      renumber[slot] = next
      ids.push(this.ids[slot]!)
      stored.push(this.stored[slot]!)
      fingerprints[next] = this.fingerprints[slot]!
      fieldLengths.set(this.fieldLengths.subarray(slot * F, slot * F + F), next * F)
    }
    const offsets = new Int32Array(this.terms.length * F + 1)
    let postings = 0
    let work = 0
    for (let at = 0; at < offsets.length - 1; at++) {
      offsets[at] = postings
      const list = this.lists[at]
      if (!list) continue
      for (let i = 0; i < list.size; i++) if (this.alive[list.slots[i]!]) postings++
      if ((work += list.size) >= SERIALIZE_PAUSE_EVERY) {
        work = 0
        await pause()
      }
    }
    offsets[offsets.length - 1] = postings
    const slots = new Int32Array(postings)
    const freqs = new Uint16Array(postings)
    let n = 0
    for (let at = 0; at < offsets.length - 1; at++) {
      const list = this.lists[at]
      if (!list) continue
      for (let i = 0; i < list.size; i++) {
        const slot = list.slots[i]!
        if (!this.alive[slot]) continue
        slots[n] = renumber[slot]!
        freqs[n++] = list.freqs[i]!
      }
      if ((work += list.size) >= SERIALIZE_PAUSE_EVERY) {
        work = 0
        await pause()
      }
    }
    const terms = [...this.terms]
    // Everything the snapshot holds is captured above; the rest only encodes it.
    const segments: Buffer[] = [Buffer.from(JSON.stringify({ magic: SNAPSHOT_MAGIC, fields: this.options.fields, terms }))]
    for (let i = 0; i < ids.length; i += SNAPSHOT_CHUNK) {
      await pause()
      segments.push(Buffer.from(JSON.stringify([ids.slice(i, i + SNAPSHOT_CHUNK), stored.slice(i, i + SNAPSHOT_CHUNK)])))
    }
    for (const array of [offsets, slots, freqs, fieldLengths, fingerprints]) segments.push(Buffer.from(array.buffer, array.byteOffset, array.byteLength))
    const lengths = Buffer.alloc(4 * (segments.length + 1))
    lengths.writeUInt32LE(segments.length, 0)
    segments.forEach((segment, i) => lengths.writeUInt32LE(segment.length, 4 * (i + 1)))
    return [lengths, ...segments]
  }

  /**
   * An engine from `serialize()` bytes, calling `pause` between chunks of
   * work; null when they are not a snapshot of this configuration.
   */
  static async deserialize<S extends object>(
    bytes: Buffer,
    options: EngineOptions<S>,
    pause: () => Promise<unknown> = async () => {},
  ): Promise<SearchEngine<S> | null> {
    const segments = readSegments(bytes)
    if (!segments || segments.length < 6) return null
    let header: { magic?: string; fields?: string[]; terms?: string[] }
    try {
      header = JSON.parse(segments[0]!.toString('utf8'))
    } catch {
      return null
    }
    if (header.magic !== SNAPSHOT_MAGIC || header.fields?.join() !== options.fields.join() || !header.terms) return null
    const aligned = (segment: Buffer) => new Uint8Array(segment).buffer
    const [offsets, slots, freqs, fieldLengths, fingerprints] = [
      new Int32Array(aligned(segments.at(-5)!)),
      new Int32Array(aligned(segments.at(-4)!)),
      new Uint16Array(aligned(segments.at(-3)!)),
      new Uint16Array(aligned(segments.at(-2)!)),
      new Int32Array(aligned(segments.at(-1)!)),
    ] as const
    const engine = new SearchEngine<S>(options)
    const F = engine.fieldCount
    for (const segment of segments.slice(1, -5)) {
      await pause()
      const [ids, stored] = JSON.parse(segment.toString('utf8')) as [string[], S[]]
      for (let i = 0; i < ids.length; i++) {
        engine.slotById.set(ids[i]!, engine.ids.length)
        engine.ids.push(ids[i]!)
        engine.stored.push(stored[i]!)
      }
    }
    const count = engine.ids.length
    if (fingerprints.length !== count || fieldLengths.length !== count * F || offsets.length !== header.terms.length * F + 1) return null
    engine.grow(count)
    for (let slot = 0; slot < count; slot++) {
      if (slot % 20_000 === 0) await pause()
      engine.setStored(slot, engine.stored[slot]!)
    }
    engine.alive.fill(1, 0, count)
    engine.fingerprints.set(fingerprints)
    engine.fieldLengths.set(fieldLengths)
    for (let slot = 0; slot < count; slot++) for (let f = 0; f < F; f++) engine.fieldLengthSums[f] = engine.fieldLengthSums[f]! + fieldLengths[slot * F + f]!
    engine.live = count
    for (let termId = 0; termId < header.terms.length; termId++) {
      if (termId % 20_000 === 0) await pause()
      const term = header.terms[termId]!
      engine.terms.push(term)
      engine.termIds.set(term, termId)
      engine.tree.set(term, termId)
    }
    engine.lists = new Array<PostingList | undefined>(header.terms.length * F).fill(undefined)
    for (let i = 0; i < offsets.length - 1; i++) {
      const start = offsets[i]!
      const end = offsets[i + 1]!
      if (end > start) engine.lists[i] = new PostingList(slots.subarray(start, end), freqs.subarray(start, end), end - start)
    }
    return engine
  }

  private grow(slots: number) {
    if (slots <= this.alive.length) {
      if (slots > this.scores.length) this.growScratch(slots)
      return
    }
    const capacity = Math.max(slots, this.alive.length * 2)
    const alive = new Uint8Array(capacity)
    alive.set(this.alive)
    this.alive = alive
    const fingerprints = new Int32Array(capacity)
    fingerprints.set(this.fingerprints)
    this.fingerprints = fingerprints
    const fieldLengths = new Uint16Array(capacity * this.fieldCount)
    fieldLengths.set(this.fieldLengths)
    this.fieldLengths = fieldLengths
    const boosts = new Float32Array(capacity)
    boosts.set(this.boosts)
    this.boosts = boosts
    for (const column of this.columnByName.values()) column.grow(capacity)
    this.growScratch(capacity)
  }

  private growScratch(capacity: number) {
    this.touched = new Int32Array(capacity)
    this.scores = new Float64Array(capacity)
    this.masks = new Uint32Array(capacity)
    this.lastVariant = new Int32Array(capacity)
    this.lastScore = new Float64Array(capacity)
  }
}

/** The first occurrence of each term, keeping its position's weight. */
function dedupe(specs: TermSpec[]) {
  const seen = new Set<string>()
  return specs.filter((s) => !seen.has(s.term) && seen.add(s.term))
}

function popcount(mask: number) {
  let m = mask >>> 0
  let count = 0
  while (m) {
    m &= m - 1
    count++
  }
  return count
}

/** The best `k` entries by score (a min-heap), ties broken by slot for a stable order. */
class TopK {
  private readonly heap: { slot: number; score: number; mask: number; variant: number }[] = []
  constructor(private readonly k: number) {}

  offer(slot: number, score: number, mask: number, variant: number) {
    if (this.k === 0) return
    const heap = this.heap
    if (heap.length < this.k) {
      heap.push({ slot, score, mask, variant })
      this.up(heap.length - 1)
    } else if (heap[0]!.score < score || (heap[0]!.score === score && heap[0]!.slot > slot)) {
      // Better than the worst kept (inlined `worse`: this runs for every matching document).
      heap[0] = { slot, score, mask, variant }
      this.down(0)
    }
  }

  sorted() {
    return [...this.heap].sort((a, b) => (worse(a, b) ? 1 : -1))
  }

  private up(i: number) {
    const heap = this.heap
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!worse(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  private down(i: number) {
    const heap = this.heap
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < heap.length && worse(heap[left]!, heap[smallest]!)) smallest = left
      if (right < heap.length && worse(heap[right]!, heap[smallest]!)) smallest = right
      if (smallest === i) return
      ;[heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!]
      i = smallest
    }
  }
}

/** Whether `a` ranks below `b`: a lower score, or the same score and a later slot. */
function worse(a: { slot: number; score: number }, b: { slot: number; score: number }) {
  return a.score < b.score || (a.score === b.score && a.slot > b.slot)
}
