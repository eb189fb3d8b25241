/**
 * Search on PostgreSQL: the same questions `searchPosts` and `similarPosts`
 * answer from the in-process index, answered by PostgreSQL full-text search
 * with `pg_trgm` for typos. A measured prototype
 * (docs/decisions/0018-search-at-a-million-posts.md): the benchmarks
 * (`npm run bench:search:scale`, `npm run eval:search -- --backend postgres`)
 * call it, the app does not; the in-process index is the only backend in
 * production until the measurements favour this one.
 *
 * Same semantics as the in-process engine, as far as PostgreSQL allows:
 * - terms are the app's own (search-options.ts: tokenize, processTerm, stop
 *   words, no stemming), written into the tsvector as lexemes (the tsvector
 *   literal, not to_tsvector, so "max_connections" and "5.0.1" stay whole);
 * - fields weigh as FIELD_BOOSTS (title A, tags/product/versions B, body C,
 *   workarounds D); solved and verified posts get documentBoost;
 * - a short query needs every word, a long one any (queryOptions), the last
 *   one a prefix while typed; a word of 5+ letters also matches the indexed
 *   words one edit away (pg_trgm finds candidates by trigram similarity,
 *   levenshtein from fuzzystrmatch keeps those one edit away);
 * - the same visibility: a customer gets community posts only.
 *
 * What PostgreSQL does not do: ts_rank has no inverse document frequency, so
 * a rare word weighs no more than a common one (the relevance difference
 * eval:search measures).
 *
 * PostgreSQL only (PGlite has neither extension here).
 */
import { sql, type SQL } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { type Actor, isStaff } from '~/modules/accounts/accounts.server'
import { blend, embed, meaningText, storedMeanings } from './meaning.server'
import { documentBoost, processTerm, queryOptions, tokenize, type SearchDocument, type StoredDocument } from './search-options'
import { cleanQuery, highlightPattern, queryTerms, SEARCH_PAGE_SIZE, SIMILAR_POOL, similarQuery, snippet, type SearchCard, type SearchFilters, type SearchOutcome } from './search.server'

const DOCUMENTS = 'search_pg_documents'
const TERMS = 'search_pg_terms'

/** ts_rank's weights {D, C, B, A}: workarounds 0.5, body 1, tags/product/versions ~1.75, title 3, over 3. */
const RANK_WEIGHTS = '{0.17,0.33,0.58,1.0}'
/** Fuzzy variants of a query word, at most (the engine keeps the best by edit distance too). */
const FUZZY_VARIANTS = 8
/** Positions past this are not stored (PostgreSQL's limit is 16,383). */
const MAX_POSITION = 16_383

/**
 * Creates the extensions, tables and indexes (idempotent). Bench and test
 * databases only: a production switch would put these in the schema and a
 * migration (see the decision record).
 */
export async function installPostgresSearch(executor: Executor = db) {
  await executor.execute(sql`create extension if not exists pg_trgm`)
  await executor.execute(sql`create extension if not exists fuzzystrmatch`)
  await executor.execute(
    sql.raw(`create table if not exists ${DOCUMENTS} (
      id text primary key,
      kind text not null,
      visibility text not null,
      product_slug text not null,
      state text,
      created_at timestamptz not null,
      boost real not null,
      version_ids text[] not null,
      stored jsonb not null,
      excerpt text not null,
      document tsvector not null)`),
  )
  await executor.execute(sql.raw(`create index if not exists ${DOCUMENTS}_document_idx on ${DOCUMENTS} using gin (document)`))
  await executor.execute(sql.raw(`create table if not exists ${TERMS} (term text primary key, documents integer not null)`))
  await executor.execute(sql.raw(`create index if not exists ${TERMS}_trgm_idx on ${TERMS} using gin (term gin_trgm_ops)`))
}

/** The document's tsvector literal: each field's terms at their positions, weighted by field. */
export function tsvectorLiteral(document: Pick<SearchDocument, 'title' | 'body' | 'workarounds' | 'tags' | 'product' | 'versions'>) {
  const fields: [string, string][] = [
    [document.title, 'A'],
    [document.tags, 'B'],
    [document.product, 'B'],
    [document.versions, 'B'],
    [document.body, 'C'],
    [document.workarounds, 'D'],
  ]
  const positions = new Map<string, string[]>()
  let position = 0
  for (const [text, weight] of fields) {
    for (const word of tokenize(text)) {
      position++
      const term = processTerm(word)
      if (!term || position > MAX_POSITION || term.length > 200) continue
      const list = positions.get(term)
      // PostgreSQL keeps 256 positions per lexeme; more add nothing to the rank.
      if (list && list.length >= 256) continue
      if (list) list.push(`${position}${weight}`)
      else positions.set(term, [`${position}${weight}`])
    }
  }
  return [...positions].map(([term, at]) => `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}':${at.join(',')}`).join(' ')
}

/** Adds or replaces documents (in batches, one statement each). */
export async function indexPostgresDocuments(documents: SearchDocument[], executor: Executor = db, batch = 500) {
  for (let i = 0; i < documents.length; i += batch) {
    const rows = documents.slice(i, i + batch).map((d) => ({
      id: d.id,
      kind: d.kind,
      visibility: d.visibility,
      product_slug: d.productSlug,
      state: d.state,
      created_at: new Date(d.createdAt).toISOString(),
      boost: documentBoost(d),
      version_ids: d.versionIds,
      stored: stored(d),
      excerpt: d.excerpt,
      document: tsvectorLiteral(d),
    }))
    await executor.execute(sql`
      insert into ${sql.raw(DOCUMENTS)} (id, kind, visibility, product_slug, state, created_at, boost, version_ids, stored, excerpt, document)
      select id, kind, visibility, product_slug, state, created_at, boost, version_ids, stored, excerpt, document::tsvector
      from json_to_recordset(${JSON.stringify(rows)}::json) as r(id text, kind text, visibility text, product_slug text, state text,
        created_at timestamptz, boost real, version_ids text[], stored jsonb, excerpt text, document text)
      on conflict (id) do update set kind = excluded.kind, visibility = excluded.visibility, product_slug = excluded.product_slug,
        state = excluded.state, created_at = excluded.created_at, boost = excluded.boost, version_ids = excluded.version_ids,
        stored = excluded.stored, excerpt = excluded.excerpt, document = excluded.document`)
  }
}

/** Removes documents (a post hidden or deleted). */
export async function removePostgresDocuments(ids: string[], executor: Executor = db) {
  if (ids.length) await executor.execute(sql`delete from ${sql.raw(DOCUMENTS)} where id = any(${textArray(ids)})`)
}

/**
 * Recounts the indexed words typo tolerance looks among (ts_stat over every
 * document). A full pass: a production switch would maintain the counts with
 * the documents (see the decision record).
 */
export async function refreshPostgresTerms(executor: Executor = db) {
  await executor.execute(sql.raw(`truncate ${TERMS}`))
  await executor.execute(sql.raw(`insert into ${TERMS} (term, documents) select word, ndoc from ts_stat('select document from ${DOCUMENTS}')`))
  await executor.execute(sql.raw(`analyze ${TERMS}`))
  await executor.execute(sql.raw(`analyze ${DOCUMENTS}`))
}

function stored(d: SearchDocument): StoredDocument {
  return {
    id: d.id,
    kind: d.kind,
    title: d.title,
    state: d.state,
    accepted: d.accepted,
    verified: d.verified,
    meTooCount: d.meTooCount,
    productId: d.productId,
    productName: d.productName,
    productSlug: d.productSlug,
    versionIds: d.versionIds,
    visibility: d.visibility,
    authorName: d.authorName,
    migrationStatus: d.migrationStatus,
    createdAt: d.createdAt,
    excerpt: d.excerpt,
  } as StoredDocument
}

/** Quotes a term as a tsquery lexeme (no parser: the term is already the app's). */
const lexeme = (term: string) => `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`

type PreparedTerm = { term: string; variants: string[]; prefix: boolean; tsquery: string }

/**
 * Indexed words one edit from each fuzzy term, in one statement: pg_trgm's
 * `%` finds candidates through the trigram index, levenshtein keeps those
 * one edit away, the most similar (then most common) first.
 */
async function fuzzyVariants(executor: Executor, terms: string[]) {
  if (!terms.length) return new Map<string, string[]>()
  const rows = rowsOf<{ term: string; variants: string[] }>(
    await executor.execute(sql`
      select q.term, array(
        select t.term from ${sql.raw(TERMS)} t
        where t.term % q.term and t.term <> q.term and levenshtein(t.term, q.term) <= 1
        order by similarity(t.term, q.term) desc, t.documents desc
        limit ${FUZZY_VARIANTS}) as variants
      from unnest(${textArray(terms)}) q(term)`),
  )
  return new Map(rows.map((r) => [r.term, r.variants]))
}

async function prepare(executor: Executor, terms: ReturnType<typeof queryOptions>['terms']): Promise<PreparedTerm[]> {
  const fuzzy = await fuzzyVariants(
    executor,
    terms.filter((t) => t.fuzzy).map((t) => t.term),
  )
  return terms.map(({ term, prefix }) => {
    const variants = fuzzy.get(term) ?? []
    const alternatives = [`${lexeme(term)}${prefix ? ':*' : ''}`, ...variants.map(lexeme)]
    return { term, variants, prefix, tsquery: alternatives.length > 1 ? `(${alternatives.join(' | ')})` : alternatives[0]! }
  })
}

/** The search page's conditions on PostgreSQL: who may see it and the filters (visibleTo in search.server.ts). */
function conditions(actor: Actor, filters: SearchFilters & { ids?: string[]; kinds?: SearchDocument['kind'][]; excludeId?: string }): SQL[] {
  const where: SQL[] = []
  if (!isStaff(actor)) where.push(sql`d.visibility = 'community'`)
  if (filters.kind) where.push(sql`d.kind = ${filters.kind}`)
  if (filters.kinds) where.push(sql`d.kind = any(${textArray(filters.kinds)})`)
  if (filters.productSlug) where.push(sql`d.product_slug = ${filters.productSlug}`)
  if (filters.state) where.push(sql`d.state = ${filters.state}`)
  if (filters.from) where.push(sql`d.created_at >= ${`${filters.from}T00:00:00Z`}::timestamptz`)
  if (filters.to) where.push(sql`d.created_at <= ${`${filters.to}T23:59:59.999Z`}::timestamptz`)
  if (filters.versionId) where.push(sql`${filters.versionId} = any(d.version_ids)`)
  if (filters.ids) where.push(sql`d.id = any(${textArray(filters.ids)})`)
  if (filters.excludeId) where.push(sql`d.id <> ${filters.excludeId}`)
  return where
}

type Row = { id: string; score: number; total: number; stored: StoredDocument; excerpt: string; matched: number }

/** Ranked matches of a tsquery, a page at a time, with the total and how many of the terms each matched. */
async function ranked(executor: Executor, prepared: PreparedTerm[], and: boolean, where: SQL[], offset: number, limit: number): Promise<Row[]> {
  const tsquery = prepared.map((t) => t.tsquery).join(and ? ' & ' : ' | ')
  const perTerm = prepared.map((t) => t.tsquery)
  const result = await executor.execute(sql`
    select d.id, d.stored, d.excerpt,
      ts_rank(${RANK_WEIGHTS}::float4[], d.document, q.q, 1) * d.boost as score,
      count(*) over () as total,
      (select count(*) from unnest(${textArray(perTerm, 'tsquery')}) t(t) where d.document @@ t.t) as matched
    from ${sql.raw(DOCUMENTS)} d, (select ${tsquery}::tsquery as q) q
    where d.document @@ q.q ${where.length ? sql`and ${sql.join(where, sql` and `)}` : sql``}
    order by score desc, d.id
    offset ${offset} limit ${limit}`)
  return rowsOf<Row>(result).map((r) => ({ ...r, score: Number(r.score), total: Number(r.total), matched: Number(r.matched) }))
}

function toCard(row: Row, pattern: RegExp | null): SearchCard {
  const s = row.stored
  return {
    id: row.id,
    kind: s.kind,
    title: s.title,
    titleParts: snippet(s.title, pattern, 300),
    snippet: snippet(row.excerpt, pattern),
    state: s.state,
    accepted: s.accepted,
    verified: s.verified,
    meTooCount: s.meTooCount,
    productName: s.productName,
    productSlug: s.productSlug,
    visibility: s.visibility,
    authorName: s.authorName,
    migrationStatus: s.migrationStatus,
    createdAt: s.createdAt,
    score: row.score,
  }
}

const markedWords = (prepared: PreparedTerm[], query: string) => [
  ...prepared.flatMap((t) => [t.term, ...t.variants]),
  ...tokenize(query)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 2),
]

/** `searchPosts` on PostgreSQL: the same outcome for the same actor, query, filters and page (no spelling suggestion). */
export async function searchPostsPostgres(actor: Actor, rawQuery: string, filters: SearchFilters = {}, page = 1, executor: Executor = db): Promise<SearchOutcome> {
  const query = cleanQuery(rawQuery)
  const terms = queryTerms(query)
  if (!terms.length) {
    return { status: 'empty_query', message: query ? 'Those words are too common to search for. Add a more specific word, like an error message or a feature name.' : 'Type a few words: a symptom, an error message, a feature.' }
  }
  const options = queryOptions(terms)
  const prepared = await prepare(executor, options.terms)
  const wanted = Math.max(1, Math.floor(page))
  const where = conditions(actor, filters)
  let rows = await ranked(executor, prepared, options.combineWith === 'AND', where, (wanted - 1) * SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE)
  let total = rows[0]?.total ?? 0
  let safePage = wanted
  if (!rows.length && wanted > 1) {
    // Past the last page: count, then show the last one.
    const all = await ranked(executor, prepared, options.combineWith === 'AND', where, 0, 1)
    total = all[0]?.total ?? 0
    safePage = Math.ceil(total / SEARCH_PAGE_SIZE) || 1
    rows = total ? await ranked(executor, prepared, options.combineWith === 'AND', where, (safePage - 1) * SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE) : []
  }
  const pattern = highlightPattern(markedWords(prepared, query))
  return { status: 'ok', results: rows.map((r) => toCard(r, pattern)), total, page: safePage, pageSize: SEARCH_PAGE_SIZE, suggestion: null }
}

/**
 * `similarPosts` on PostgreSQL: candidates sharing at least two of the
 * text's words (one for a one-word text), re-weighed by meaning when they
 * have vectors, solved ones first. `ids` restricts the candidates (eval).
 */
export async function similarPostsPostgres(
  actor: Actor,
  text: string,
  { excludeId, limit = 5, kinds = ['problem'], ids, meaning = true }: { excludeId?: string; limit?: number; kinds?: SearchDocument['kind'][]; ids?: string[]; meaning?: boolean } = {},
  executor: Executor = db,
) {
  const query = similarQuery(text)
  if (!query.terms.length) return []
  const prepared = await prepare(executor, query.terms)
  const rows = await ranked(executor, prepared, false, conditions(actor, { kinds, excludeId, ids }), 0, Math.max(limit * 3, SIMILAR_POOL))
  const needed = Math.min(2, query.terms.length)
  let candidates = rows.filter((r) => r.matched >= needed)
  if (!candidates.length) return []
  if (meaning) candidates = await byMeaning(candidates, text, excludeId)
  const solved = (r: Row) => (r.stored.state === 'solved' || r.stored.accepted || r.stored.verified ? 0 : 1)
  const pattern = highlightPattern(markedWords(prepared, ''))
  return candidates
    .slice(0, limit * 3)
    .sort((a, b) => solved(a) - solved(b) || b.score - a.score)
    .slice(0, limit)
    .map((r) => toCard(r, pattern))
}

/** As search.server.ts weighs candidates by meaning: words alone when none has a vector or the model fails. */
async function byMeaning(candidates: Row[], text: string, excludeId: string | undefined) {
  try {
    const vectors = await storedMeanings([...candidates.map((c) => c.id), ...(excludeId ? [excludeId] : [])])
    if (!candidates.some((c) => vectors.has(c.id))) return candidates
    const query = (excludeId && vectors.get(excludeId)) || (await embed([meaningText(null, text)]))[0]!
    const scores = blend(
      candidates.map((c) => ({ score: c.score, vector: vectors.get(c.id) ?? null })),
      query,
    )
    return candidates.map((c, i) => ({ ...c, score: scores[i]! })).sort((a, b) => b.score - a.score)
  } catch (error) {
    console.error('[search] similar posts by meaning failed; ranking by words', error)
    return candidates
  }
}

/**
 * Word scores of `ids` (null: every document) for a "similar posts" text, best first, as
 * eval:search needs them (it blends meaning itself, as it does for the
 * in-process engine).
 */
export async function similarScoresPostgres(text: string, ids: string[] | null, executor: Executor = db, limit = 100) {
  const query = similarQuery(text)
  if (!query.terms.length) return []
  const prepared = await prepare(executor, query.terms)
  const rows = await ranked(executor, prepared, false, ids ? [sql`d.id = any(${textArray(ids)})`] : [], 0, limit)
  return rows.map((r) => ({ id: r.id, score: r.score }))
}

/** A text[] (or tsquery[]) parameter: drizzle expands a JS array into a list, so it travels as one JSON value. */
const textArray = (values: string[], type: 'text' | 'tsquery' = 'text') =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)::${sql.raw(type)})`

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}
