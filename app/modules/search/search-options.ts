/**
 * The one search configuration: used to build, load and query the index
 * (engine.ts), by the app, `npm run search:reindex`, the benchmark and the
 * relevance evaluation alike (so what is measured is what ships). The
 * choices are recorded in docs/decisions/0006-search-configuration.md and
 * 0011-compact-search-engine.md.
 */
import { type EngineOptions, type EngineQuery } from './engine'
import { words } from './words'

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
  visibility: 'community' | 'staff' | 'private'
  /**
   * Customers who may read a post that is not community: its author (a
   * staff-only or private post stays theirs) and, for a private one, the
   * people it is shared with. Empty for community posts.
   */
  readerIds?: string[]
  authorName: string
  migrationStatus: string | null
  /** Milliseconds since the epoch. */
  createdAt: number
  /** The first few hundred characters of the body, as plain text (result snippets). */
  excerpt: string
}

export const INDEXED_FIELDS = ['title', 'body', 'workarounds', 'tags', 'product', 'versions'] as const
export const STORED_FIELDS = [
  'id',
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
  'readerIds',
  'authorName',
  'migrationStatus',
  'createdAt',
  'excerpt',
] as const

/**
 * Words too common to help ranking, dropped from the index and from queries.
 * English function words (the SMART information-retrieval list) and forum
 * chatter ("hi", "thanks", "anyone"), minus words that carry meaning in a
 * support forum ("down", "known", "ignored", "new", "sent", "value"…).
 * Dropping them shrinks the index, keeps natural sentences ("the gateway
 * does not start after the upgrade") fast, since theirs are the longest
 * posting lists, and ranks a little better on SemEval-2016 question
 * similarity (docs/decisions/0006-search-configuration.md).
 */
export const STOP_WORDS = new Set(
  [
    'a able about above according accordingly across actually after afterwards again against all almost alone along ',
    'already also although always am among amongst an and another any anybody anyhow anyone anything anyway anyways ',
    'anywhere apart appear appreciate appropriate are arent around as aside ask asking associated at awfully be ',
    'became because become becomes becoming been before beforehand behind being believe below beside besides between ',
    'beyond both brief but by came can cannot cant certain certainly clearly co com come comes concerning ',
    'consequently consider considering corresponding could course currently definitely described despite did didnt ',
    'different do does doesnt doing done dont downwards during each edu eg either else elsewhere enough entirely ',
    'especially et etc even ever every everybody everyone everything everywhere ex exactly except far few fifth ',
    'follows for former formerly forth from further furthermore get gets getting given gives go goes going gone got ',
    'gotten greetings had happens hardly has have having he hello hence her here hereafter hereby herein hereupon ',
    'hers herself hi him himself his hither hopefully how howbeit however i ie if im immediate in inasmuch inc indeed ',
    'indicate indicated indicates insofar instead into inward is isnt it its itself ive just know knows lately latter ',
    'latterly least less lest let like liked likely little ltd mainly many may maybe me mean meanwhile merely might ',
    'more moreover most mostly much must my myself namely nd near nearly necessary need needs neither never ',
    'nevertheless no nobody none noone nor not nothing now nowhere obviously of off often oh ok okay on once one ones ',
    'only onto or other others otherwise ought our ours ourselves out over overall own particular particularly per ',
    'perhaps placed please plus presumably probably provides que quite qv rather rd re really reasonably regarding ',
    'regardless regards relatively respectively said same saw say saying says secondly see seeing seem seemed seeming ',
    'seems seen selves sensible seriously several shall she should since so some somebody somehow someone something ',
    'sometime sometimes somewhat somewhere soon sorry specified specify specifying still such sure take taken tell ',
    'tends th than thank thanks thanx that thats the their theirs them themselves then thence there thereafter ',
    'thereby therefore therein theres thereupon these they think third this thorough thoroughly those though through ',
    'throughout thru thus to together too took toward towards tried tries truly try trying twice under unfortunately ',
    'unless unlikely until unto up upon us usually very via viz vs want wants was way we went were what whatever when ',
    'whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither who ',
    'whoever whole whom whose why will willing wish with within without wonder wont would yes yet you your yours ',
    'yourself yourselves',
  ].join('').split(' '),
)

/**
 * Lower-case, strip surrounding punctuation, drop stop words. No stemming:
 * index terms stay real words (completions and highlighting show them as
 * typed), and plurals and other one-letter variants still match through
 * fuzzy matching (see queryOptions); measured, stemming did not rank better.
 */
export function processTerm(term: string): string | null {
  const folded = term.toLowerCase()
  // Most tokens start and end with an ASCII letter or digit: skip the Unicode regex for them.
  const lower =
    isAsciiAlphanumeric(folded.charCodeAt(0)) && isAsciiAlphanumeric(folded.charCodeAt(folded.length - 1))
      ? folded
      : folded.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
  if (lower.length < 2 && !/\d/.test(lower)) return null
  if (STOP_WORDS.has(lower)) return null
  return lower
}

const isAsciiAlphanumeric = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57)

/** Splits text into words: runs of letters, digits, dots and underscores, so "5.0.1" and "max_connections" stay whole. */
export const tokenize = words

/**
 * Per-field weights. Workarounds weigh less than the problem's own words:
 * they are replies, longer and about the fix, so sharing words with them is
 * weaker evidence of the same problem than sharing words with its title or
 * body (they still make a problem findable by its fix). Measured on
 * SemEval-2016 with each thread's comments as workarounds, 0.3–0.6 ranked
 * better than 1.2, by 3 MAP points on train part 2
 * (docs/decisions/0006-search-configuration.md).
 */
export const FIELD_BOOSTS = { title: 3, tags: 2, workarounds: 0.5, product: 1.5, versions: 1.5, body: 1 } as const

/** Solved and verified content wins when relevance is close. */
export function documentBoost(stored: Pick<SearchDocument, 'verified' | 'accepted' | 'state'>): number {
  let boost = 1
  if (stored.verified) boost *= 1.25
  if (stored.accepted || stored.state === 'solved') boost *= 1.2
  return boost
}

/** BM25+ as MiniSearch computes it, with its defaults. */
export const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const

/** The one engine configuration (engine.ts): used to build, load and query the index. */
export const ENGINE_OPTIONS: EngineOptions<StoredDocument> = {
  fields: INDEXED_FIELDS,
  boosts: FIELD_BOOSTS,
  processTerm,
  bm25: BM25,
  weights: { fuzzy: 0.45, prefix: 0.6 },
  maxPrefixVariants: 50,
  // What every search filters on (search.server.ts): who may see it and the search page's filters.
  columns: { visibility: 'category', kind: 'category', state: 'category', productSlug: 'category', createdAt: 'number' },
  documentBoost,
}

/** What a result card needs, kept with each document in the index. */
export type StoredDocument = Pick<SearchDocument, (typeof STORED_FIELDS)[number]>

/** A document's indexed texts, in ENGINE_OPTIONS.fields order. */
export const indexedTexts = (document: SearchDocument) => INDEXED_FIELDS.map((field) => document[field])

export function storedFields(document: SearchDocument): StoredDocument {
  const stored = {} as Record<string, unknown>
  for (const field of STORED_FIELDS) stored[field] = document[field]
  return stored as StoredDocument
}

/** A typed query of up to this many terms must match all of them; a longer text, any (see queryOptions). */
export const MAX_ALL_TERMS = 5

/**
 * Query options, one policy for every search surface:
 * - a short typed query (search page, suggestions: `prefixLast`, at most
 *   MAX_ALL_TERMS terms) matches posts that contain every term, like
 *   mainstream forum search; a longer text ("similar posts", a pasted error
 *   message) matches posts that contain any term, ranked by how many and
 *   how rare. Any-term matching of short queries costs several times more
 *   at 100,000 posts, mostly spent on posts nobody scrolls to;
 * - the last term is a prefix while typed, from 3 letters: 1–2 letters
 *   match too many words to help, and expanding them is the slowest query;
 * - one typo is forgiven in words of 5 letters or more, never in words with
 *   digits (versions, error codes, ports: 5.0.1 is not 5.0.2). In a long
 *   typed query (more than MAX_ALL_TERMS words, any of them may match) only
 *   in words the index does not know (`isKnown`): there every variant of
 *   every word adds documents to score, and the other words already give
 *   enough to rank by;
 * - earlier terms weigh a little more: in a "similar posts" text they are
 *   the title. Fuzzy matching on every term of any length is what makes
 *   naive setups slow.
 */
export function queryOptions(
  terms: string[],
  { prefixLast = true, isKnown }: { prefixLast?: boolean; isKnown?: (term: string) => boolean } = {},
): Pick<EngineQuery<StoredDocument>, 'terms' | 'combineWith'> {
  const last = terms.length - 1
  const all = prefixLast && terms.length <= MAX_ALL_TERMS
  const longTyped = prefixLast && !all
  return {
    combineWith: all ? 'AND' : 'OR',
    terms: terms.map((term, index) => ({
      term,
      prefix: prefixLast && index === last && term.length >= 3,
      fuzzy: term.length >= 5 && !/\d/.test(term) && !(longTyped && isKnown?.(term)) ? 1 : 0,
      boost: 1 / (1 + 0.1 * index),
    })),
  }
}
