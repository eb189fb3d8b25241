/**
 * Searching: the search page, suggestions as you type, and "similar posts"
 * (while writing a problem and on a problem's page). All go through the one
 * index and the one options constant, and all apply the same visibility
 * rule: customers never get staff-only or private posts back unless they
 * may read them (their own, or shared with them; hidden posts are not in
 * the index at all), in results, counts, suggestions or similar panels.
 */
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { type Condition, type EngineHit, type EngineQuery } from './engine'
import { blend, embedQuery, meaningText, storedMeanings } from './meaning.server'
import { getSearchIndex, type SearchIndex } from './search-index.server'
import { processTerm, queryOptions, tokenize, type SearchDocument, type StoredDocument } from './search-options'

import { QUERY_MAX } from './search.schema'
export { QUERY_MAX }
export const SEARCH_PAGE_SIZE = 20

export type SearchFilters = {
  kind?: SearchDocument['kind']
  productSlug?: string
  versionId?: string
  state?: 'open' | 'answered' | 'solved'
  /** Created on or after (YYYY-MM-DD). */
  from?: string
  /** Created on or before (YYYY-MM-DD). */
  to?: string
}

type Hit = EngineHit<StoredDocument>

/** Cleans a raw query: no control characters, at most QUERY_MAX characters. */
export function cleanQuery(raw: string | null | undefined) {
  // eslint-disable-next-line no-control-regex
  return (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, QUERY_MAX).trim()
}

/** The distinct index terms of a query, after stop words, in order (a repeated word counts once). */
export function queryTerms(query: string) {
  const terms = tokenize(query)
    .map(processTerm)
    .filter((t): t is string => Boolean(t))
  return [...new Set(terms)].slice(0, 32)
}

/**
 * What an actor may see, narrowed by the search page's filters, as engine
 * conditions: columns the engine checks without reading the stored fields
 * (see EngineOptions.columns), and a version filter on the stored fields.
 */
function visibleTo(actor: Actor, filters: SearchFilters = {}): Pick<EngineQuery<StoredDocument>, 'where' | 'filter'> {
  const where: Record<string, Condition<StoredDocument>> = {}
  // Community posts pass on the column alone; the few others only for their readers (author, chosen colleagues).
  // An index loaded from an older snapshot has no readerIds: those posts stay support's until re-indexed.
  if (!isStaff(actor)) where.visibility = { in: ['community'], orElse: (stored) => stored.readerIds?.includes(actor.id) ?? false }
  if (filters.kind) where.kind = { in: [filters.kind] }
  if (filters.productSlug) where.productSlug = { in: [filters.productSlug] }
  if (filters.state) where.state = { in: [filters.state] }
  if (filters.from || filters.to) {
    where.createdAt = {
      min: filters.from ? Date.parse(`${filters.from}T00:00:00Z`) : undefined,
      max: filters.to ? Date.parse(`${filters.to}T23:59:59.999Z`) : undefined,
    }
  }
  const { versionId } = filters
  return { where, filter: versionId ? (r) => r.versionIds.includes(versionId) : undefined }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The pattern that marks matched words (and words they begin) in snippets,
 * longest first; null when there is nothing to mark. Built once per result
 * list: compiling it per card cost more than the search itself.
 */
export function highlightPattern(matched: string[]): RegExp | null {
  // A word that begins with another is marked by that one already (it runs on to the word's end):
  // a typed prefix's fifty completions become one alternative.
  const words: string[] = []
  for (const word of [...new Set(matched.map((m) => m.toLowerCase()).filter((m) => m.length > 1))].sort((a, b) => a.length - b.length)) {
    if (!words.some((shorter) => word.startsWith(shorter))) words.push(word)
  }
  words.sort((a, b) => b.length - a.length)
  return words.length ? new RegExp(`(?<![\\p{L}\\p{N}])(${words.map(escapeRegExp).join('|')})[\\p{L}\\p{N}]*`, 'giu') : null
}

/**
 * A snippet of the excerpt around the first matched word, split into parts
 * with `match: true` on the words to highlight (rendered as <mark>).
 */
export function snippet(text: string, pattern: RegExp | null, max = 220): { text: string; match: boolean }[] {
  if (!text) return []
  let start = 0
  if (pattern) {
    pattern.lastIndex = 0
    const first = pattern.exec(text)
    if (first && first.index > max / 2) start = text.lastIndexOf(' ', first.index - 40) + 1
    pattern.lastIndex = 0
  }
  let window = text.slice(start, start + max)
  if (start > 0) window = `…${window}`
  if (start + max < text.length) window = `${window}…`
  if (!pattern) return [{ text: window, match: false }]
  const parts: { text: string; match: boolean }[] = []
  let last = 0
  for (const m of window.matchAll(pattern)) {
    if (m.index! > last) parts.push({ text: window.slice(last, m.index), match: false })
    parts.push({ text: m[0], match: true })
    last = m.index! + m[0].length
  }
  if (last < window.length) parts.push({ text: window.slice(last), match: false })
  return parts
}

/** The query's words as typed (lower-cased, stop words included), so every typed word of 3+ letters is marked. */
function typedWords(query: string) {
  return tokenize(query)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 2)
    .slice(0, 32)
}

/** Result cards, the words each matched marked in its title and snippet. */
function cards(hits: Hit[], typed: string[] = []) {
  // A post has none of the words of the query terms it did not match, so one pattern serves every card.
  const pattern = highlightPattern([...hits.flatMap((hit) => [...hit.queryTerms, ...hit.terms]), ...typed])
  return hits.map((hit) => card(hit, pattern))
}

function card({ id, score, stored }: Hit, pattern: RegExp | null) {
  return {
    id,
    kind: stored.kind,
    title: stored.title,
    titleParts: snippet(stored.title, pattern, 300),
    snippet: snippet(stored.excerpt, pattern),
    state: stored.state,
    accepted: stored.accepted,
    verified: stored.verified,
    meTooCount: stored.meTooCount,
    productName: stored.productName,
    productSlug: stored.productSlug,
    visibility: stored.visibility,
    authorName: stored.authorName,
    migrationStatus: stored.migrationStatus,
    createdAt: stored.createdAt,
    score,
  }
}

export type SearchCard = ReturnType<typeof card>

export type SearchOutcome =
  | { status: 'warming' }
  | { status: 'empty_query'; message: string }
  | {
      status: 'ok'
      results: SearchCard[]
      total: number
      page: number
      pageSize: number
      /** A likely intended query when nothing matched. */
      suggestion: string | null
    }

/** The search page: matching posts the actor may see, best first, a page at a time. */
export function searchPosts(actor: Actor, rawQuery: string, filters: SearchFilters = {}, page = 1): SearchOutcome {
  const index = getSearchIndex()
  if (!index) return { status: 'warming' }
  const query = cleanQuery(rawQuery)
  const terms = queryTerms(query)
  if (!terms.length) {
    return {
      status: 'empty_query',
      message: query ? 'Those words are too common to search for. Add a more specific word, like an error message or a feature name.' : 'Type a few words: a symptom, an error message, a feature.',
    }
  }
  const visible = visibleTo(actor, filters)
  const wanted = Math.max(1, Math.floor(page))
  const options = queryOptions(terms, { isKnown: (term) => index.hasTerm(term) })
  let found = index.search({ ...options, ...visible, offset: (wanted - 1) * SEARCH_PAGE_SIZE, limit: SEARCH_PAGE_SIZE })
  const lastPage = Math.ceil(found.total / SEARCH_PAGE_SIZE) || 1
  const safePage = Math.min(wanted, lastPage)
  // Past the last page: show the last one.
  if (safePage !== wanted) found = index.search({ ...options, ...visible, offset: (safePage - 1) * SEARCH_PAGE_SIZE, limit: SEARCH_PAGE_SIZE })
  const results = cards(found.hits, typedWords(query))
  const suggestion = found.total ? null : spellingSuggestion(index, terms, visibleTo(actor))
  return { status: 'ok', results, total: found.total, page: safePage, pageSize: SEARCH_PAGE_SIZE, suggestion }
}

/**
 * "Did you mean": each word that is not in the index replaced by its closest
 * index word (one or two edits, the most frequent of the closest), offered
 * only when the corrected query finds something the actor may see.
 */
function spellingSuggestion(index: SearchIndex, terms: string[], visible: ReturnType<typeof visibleTo>) {
  let changed = false
  const corrected = terms.map((term) => {
    if (index.hasTerm(term) || /\d/.test(term)) return term
    const [closest] = index.similarTerms(term, term.length >= 7 ? 2 : 1)
    if (!closest) return term
    changed = true
    return closest.term
  })
  if (!changed) return null
  const { total } = index.search({ ...queryOptions(corrected, { prefixLast: false }), combineWith: 'AND', ...visible, limit: 0 })
  return total ? corrected.join(' ') : null
}

/** As-you-type: completions of the query and the top matching posts. */
export function suggest(actor: Actor, rawQuery: string) {
  const index = getSearchIndex()
  const query = cleanQuery(rawQuery).slice(0, 100)
  const terms = queryTerms(query)
  if (!index || !terms.length) return { completions: [] as string[], matches: [] as SearchCard[] }
  const options = queryOptions(terms, { isKnown: (term) => index.hasTerm(term) })
  const { hits } = index.search({ ...options, ...visibleTo(actor), limit: 50 })
  return { completions: completionsOf(hits, terms), matches: cards(hits.slice(0, 5)) }
}

/**
 * Completions of a typed query: its earlier words and each word the last
 * one (a prefix, or a typo) matched in the best posts, the words of the
 * highest-scoring posts first.
 */
function completionsOf(hits: Hit[], terms: string[]) {
  const earlier = terms.slice(0, -1)
  const scores = new Map<string, number>()
  for (const hit of hits) {
    if (hit.lastTerm && !earlier.includes(hit.lastTerm)) scores.set(hit.lastTerm, (scores.get(hit.lastTerm) ?? 0) + hit.score)
  }
  return [...scores.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([term]) => [...earlier, term].join(' '))
}

/**
 * The query "similar posts" runs for a text (title and body): its first
 * distinct terms, at most 24, any of them matching. Long texts are cut to
 * their first words (cleanQuery), which carry the symptom. Exported for
 * `npm run eval:search`, which measures this query.
 */
export function similarQuery(text: string) {
  const terms = [...new Set(queryTerms(cleanQuery(text.slice(0, 2000))))].slice(0, 24)
  return queryOptions(terms, { prefixLast: false })
}

/** Candidates "similar posts" weighs by meaning: the best this many by their words. */
export const SIMILAR_POOL = 30

/**
 * Posts similar to a text being written (or to a post, `excludeId`): up to
 * `limit`, solved ones first. Candidates come from the words they share
 * (at least two, one for a one-word text); among them, what they mean
 * weighs in (meaning.server.ts).
 */
export async function similarPosts(
  actor: Actor,
  text: string,
  { excludeId, limit = 5, kinds = ['problem'] }: { excludeId?: string; limit?: number; kinds?: SearchDocument['kind'][] } = {},
) {
  const index = getSearchIndex()
  if (!index) return []
  const query = similarQuery(text)
  if (!query.terms.length) return []
  const { where } = visibleTo(actor)
  const { hits } = index.search({
    ...query,
    where: { ...where, kind: { in: kinds } },
    filter: excludeId ? (r) => r.id !== excludeId : undefined,
    limit: Math.max(limit * 3, SIMILAR_POOL),
  })
  const needed = Math.min(2, query.terms.length)
  const candidates = hits.filter((h) => new Set(h.queryTerms).size >= needed)
  if (!candidates.length) return []
  const ranked = (await byMeaning(candidates, text, excludeId)).slice(0, limit * 3)
  const solved = ({ stored: s }: Hit) => (s.state === 'solved' || s.accepted || s.verified ? 0 : 1)
  return cards(ranked.sort((a, b) => solved(a) - solved(b) || b.score - a.score).slice(0, limit))
}

/**
 * Candidates re-scored by words and meaning, best first: the text's vector
 * (the post's stored one, when it is a post's) against theirs. When none of
 * them has a vector yet, the encoder thread cannot encode the text within
 * its timeout, or the model fails, the words decide alone.
 */
async function byMeaning(candidates: Hit[], text: string, excludeId: string | undefined): Promise<Hit[]> {
  try {
    const vectors = await storedMeanings([...candidates.map((h) => h.id), ...(excludeId ? [excludeId] : [])])
    if (!candidates.some((h) => vectors.has(h.id))) return candidates
    // A typed text is encoded in the encoder thread; when it is busy, the words decide.
    const query = (excludeId && vectors.get(excludeId)) || (await embedQuery(meaningText(null, text)))
    if (!query) return candidates
    const scores = blend(
      candidates.map((h) => ({ score: h.score, vector: vectors.get(h.id) ?? null })),
      query,
    )
    return candidates.map((h, i) => ({ ...h, score: scores[i]! })).sort((a, b) => b.score - a.score)
  } catch (error) {
    console.error('[search] similar posts by meaning failed; ranking by words', error)
    return candidates
  }
}
