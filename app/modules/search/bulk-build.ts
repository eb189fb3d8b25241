/**
 * Builds a MiniSearch index from many documents at once, several times
 * faster than `addAll`, and identical to what `addAll` builds.
 *
 * Why: `addAll` inserts every term occurrence into the radix tree one by one
 * (a tree walk per word of every post), which is most of a full build. Here
 * occurrences are counted in a hash map first, and the radix tree gets each
 * distinct term once, through MiniSearch's own public loader (`loadJS`, the
 * same path as loading a saved snapshot). The result serializes to exactly
 * the JSON `addAll` gives (bulk-build.test.ts checks it), so searching,
 * adding, replacing and saving work the same afterwards.
 *
 * It relies on MiniSearch's serialization format 2 (MiniSearch 7.x, pinned in
 * package.json); `loadJS` rejects any other version loudly, and the test
 * compares with `addAll` on every run.
 */
import MiniSearch, { type Options } from 'minisearch'

/** One term's occurrences in one field: short document ids (ascending) and counts, side by side. */
type Postings = { ids: number[]; counts: number[] }

/** Accumulates documents page by page; `finish` returns the index. */
export class BulkIndexBuilder<T extends Record<string, unknown>> {
  private readonly fields: string[]
  private readonly storeFields: string[]
  private readonly fieldIds: Record<string, number>
  private readonly idField: string
  private readonly extractField: (document: T, field: string) => unknown
  private readonly stringifyField: (value: unknown, field: string) => string
  private readonly tokenize: (text: string, field?: string) => string[]
  private readonly processTerm: (term: string, field?: string) => string | string[] | null | undefined | false
  /** term → postings per field id; in order of first occurrence, as addAll inserts terms. */
  private readonly index = new Map<string, (Postings | undefined)[]>()
  private readonly documentIds: Record<number, unknown> = {}
  private readonly fieldLength: Record<number, number[]> = {}
  private readonly storedFields: Record<number, Record<string, unknown>> = {}
  private readonly averageFieldLength: number[] = []
  private readonly seen = new Set<unknown>()
  private count = 0

  constructor(private readonly options: Options<T>) {
    this.fields = options.fields
    this.storeFields = options.storeFields ?? []
    this.fieldIds = Object.fromEntries(options.fields.map((field, i) => [field, i]))
    this.idField = options.idField ?? 'id'
    this.extractField = (options.extractField as typeof this.extractField | undefined) ?? ((document, field) => document[field])
    this.stringifyField = (options.stringifyField as typeof this.stringifyField | undefined) ?? ((value) => String(value))
    // The same tokenizer and term processing as MiniSearch uses for indexing.
    this.tokenize = options.tokenize ?? (MiniSearch.getDefault('tokenize') as BulkIndexBuilder<T>['tokenize'])
    this.processTerm = options.processTerm ?? (MiniSearch.getDefault('processTerm') as BulkIndexBuilder<T>['processTerm'])
  }

  /** Adds documents, as `MiniSearch#addAll` would (same errors for a missing or duplicate id). */
  addAll(documents: readonly T[]) {
    for (const document of documents) this.add(document)
  }

  add(document: T) {
    const id = this.extractField(document, this.idField)
    if (id == null) throw new Error(`MiniSearch: document does not have ID field "${this.idField}"`)
    if (this.seen.has(id)) throw new Error(`MiniSearch: duplicate ID ${String(id)}`)
    this.seen.add(id)
    const shortId = this.count
    this.documentIds[shortId] = id
    if (this.storeFields.length) {
      const stored: Record<string, unknown> = {}
      for (const field of this.storeFields) {
        const value = this.extractField(document, field)
        if (value !== undefined) stored[field] = value
      }
      this.storedFields[shortId] = stored
    }
    this.count += 1
    for (const field of this.fields) {
      const value = this.extractField(document, field)
      if (value == null) continue
      const tokens = this.tokenize(this.stringifyField(value, field), field)
      const fieldId = this.fieldIds[field]!
      const unique = new Set(tokens).size
      ;(this.fieldLength[shortId] ??= [])[fieldId] = unique
      // The running average exactly as MiniSearch keeps it (addFieldLength), for identical figures.
      const average = this.averageFieldLength[fieldId] || 0
      this.averageFieldLength[fieldId] = (average * (this.count - 1) + unique) / this.count
      // Count this field's terms first, then append one posting per distinct term.
      const counts = new Map<string, number>()
      for (const token of tokens) {
        const processed = this.processTerm(token, field)
        if (Array.isArray(processed)) for (const term of processed) counts.set(term, (counts.get(term) ?? 0) + 1)
        else if (processed) counts.set(processed, (counts.get(processed) ?? 0) + 1)
      }
      for (const [term, count] of counts) {
        let data = this.index.get(term)
        if (!data) {
          data = []
          this.index.set(term, data)
        }
        const postings = (data[fieldId] ??= { ids: [], counts: [] })
        postings.ids.push(shortId)
        postings.counts.push(count)
      }
    }
  }

  get documentCount() {
    return this.count
  }

  /** The index, through MiniSearch's asynchronous loader (yields to the event loop every 1,000 terms). */
  async finish(): Promise<MiniSearch<T>> {
    return MiniSearch.loadJSAsync<T>(this.toJS() as never, this.options)
  }

  /** The index, synchronously (benchmarks, tests). */
  finishSync(): MiniSearch<T> {
    return MiniSearch.loadJS<T>(this.toJS() as never, this.options)
  }

  private toJS() {
    return {
      documentCount: this.count,
      nextId: this.count,
      documentIds: this.documentIds,
      fieldIds: this.fieldIds,
      fieldLength: this.fieldLength,
      averageFieldLength: this.averageFieldLength,
      storedFields: this.storedFields,
      dirtCount: 0,
      index: [...this.index].map(([term, data]) => {
        const fields: Record<number, Record<number, number>> = {}
        data.forEach((postings, fieldId) => {
          if (!postings) return
          const entry: Record<number, number> = {}
          for (let i = 0; i < postings.ids.length; i++) entry[postings.ids[i]!] = postings.counts[i]!
          fields[fieldId] = entry
        })
        return [term, fields]
      }),
      serializationVersion: 2,
    }
  }
}
