/**
 * The one MiniSearch configuration: used to build, load and query the index,
 * by the app, `npm run search:reindex`, the benchmark and the relevance
 * evaluation alike (so what is measured is what ships). The choices are
 * recorded in docs/decisions/0006-search-configuration.md.
 */
import { type Options, type SearchOptions } from 'minisearch'

/** What one indexed post looks like: indexed text fields plus the stored fields a result card needs. */
export type SearchDocument = {
  id: string
  kind: 'problem' | 'story' | 'migration'
  title: string
  body: string
  /** A problem's visible workarounds, so a search for a symptom finds the fix. */
  workarounds: string
  tags: string
  product: string
  versions: string
  // stored only
  state: 'open' | 'answered' | 'solved' | null
  accepted: boolean
  verified: boolean
  meTooCount: number
  productId: string
  productName: string
  productSlug: string
  versionIds: string[]
  visibility: 'community' | 'staff'
  authorName: string
  migrationStatus: string | null
  /** Milliseconds since the epoch. */
  createdAt: number
  /** The first few hundred characters of the body, as plain text (result snippets). */
  excerpt: string
}

export const INDEXED_FIELDS = ['title', 'body', 'workarounds', 'tags', 'product', 'versions'] as const
export const STORED_FIELDS = [
  'kind',
  'title',
  'state',
  'accepted',
  'verified',
  'meTooCount',
  'productId',
  'productName',
  'productSlug',
  'versionIds',
  'visibility',
  'authorName',
  'migrationStatus',
  'createdAt',
  'excerpt',
] as const

/**
 * Words too common to help ranking. Dropping them shrinks the index and
 * makes queries of natural sentences ("the gateway does not start after
 * the upgrade") fast, since their posting lists are the longest.
 */
export const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves also get got getting ive im dont doesnt didnt cant wont isnt arent ' +
    'hi hello thanks thank please anyone anybody someone know need want like one us'
  ).split(/\s+/),
)

/** Lower-case, strip surrounding punctuation, drop stop words, and fold a plural "s" (light stemming). */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
  if (lower.length < 2 && !/\d/.test(lower)) return null
  if (STOP_WORDS.has(lower)) return null
  return stem(lower)
}

/** A deliberately light stemmer: plural and a few verb endings, never below 4 letters. */
export function stem(word: string): string {
  if (word.length <= 4 || /\d/.test(word)) return word
  if (word.endsWith('ies') && word.length > 5) return `${word.slice(0, -3)}y`
  if (word.endsWith('sses')) return word.slice(0, -2)
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1)
  return word
}

/** Splits on anything but letters, digits, dots and underscores, so "5.0.1" and "max_connections" stay whole. */
export function tokenize(text: string): string[] {
  return text.split(/[^\p{L}\p{N}._]+/u).filter(Boolean)
}

export const FIELD_BOOSTS = { title: 3, tags: 2, workarounds: 1.2, product: 1.5, versions: 1.5, body: 1 } as const

/** Solved and verified content wins when relevance is close. */
export function documentBoost(stored: Record<string, unknown> | undefined): number {
  if (!stored) return 1
  let boost = 1
  if (stored.verified) boost *= 1.25
  if (stored.accepted || stored.state === 'solved') boost *= 1.2
  return boost
}

export const MINISEARCH_OPTIONS: Options<SearchDocument> = {
  idField: 'id',
  fields: [...INDEXED_FIELDS],
  storeFields: [...STORED_FIELDS],
  tokenize,
  processTerm,
  searchOptions: {
    boost: FIELD_BOOSTS,
    processTerm,
    tokenize,
  },
  autoVacuum: { minDirtCount: 200, minDirtFactor: 0.1, batchSize: 1000, batchWait: 10 },
}

/**
 * Query options: prefix matching only for the last (still being typed) term,
 * fuzzy matching only for long terms, where a typo is likely and the
 * candidate set is small. Fuzzy on every term is what makes naive setups slow.
 */
export function queryOptions(terms: string[], { prefixLast = true }: { prefixLast?: boolean } = {}): SearchOptions {
  const last = terms.at(-1)
  return {
    combineWith: 'OR',
    prefix: (term, index, all) => prefixLast && term === last && index === all.length - 1 && term.length >= 2,
    fuzzy: (term) => (term.length >= 6 ? 0.2 : term.length >= 4 ? 1 : false),
    maxFuzzy: 2,
    weights: { fuzzy: 0.45, prefix: 0.6 },
    boostDocument: (_id, _term, stored) => documentBoost(stored),
  }
}
