/**
 * eval:search with `--backend postgres`: the SemEval candidates written into
 * a fresh PostgreSQL database's search tables (postgres-backend.server.ts)
 * and ranked by that module, exactly as the app would rank them with that
 * backend.
 *
 * One table holds every distinct candidate of the splits (by question key);
 * re-ranking restricts a query to its question's ten candidates. ts_rank has
 * no collection statistics, so that ranks them as an index of the ten alone
 * would; only typo tolerance looks among the whole split's words.
 */
import { createBenchDatabase } from './bench-database'
import { installPostgresSearch, indexPostgresDocuments, refreshPostgresTerms, similarScoresPostgres } from '~/modules/search/postgres-backend.server'
import { type SearchDocument } from '~/modules/search/search-options'
import { type OriginalQuestion, type RelatedQuestion } from './semeval'

export type WordRanker = {
  /** Word scores of `candidates` (all documents when null) for a text, by question key. */
  scores(text: string, candidates: RelatedQuestion[] | null, limit?: number): Promise<Map<string, number>>
  close(): Promise<void>
}

/** Indexes every distinct candidate of `questions` in PostgreSQL (needs BENCH_DATABASE_URL or TEST_DATABASE_URL). */
export async function postgresRanker(questions: OriginalQuestion[], toDocument: (r: RelatedQuestion, id: string) => SearchDocument): Promise<WordRanker> {
  if (!process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) throw new Error('eval: --backend postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL')
  const database = await createBenchDatabase()
  await installPostgresSearch()
  const documents = new Map<string, SearchDocument>()
  for (const question of questions) for (const r of question.related) if (!documents.has(r.questionKey)) documents.set(r.questionKey, toDocument(r, r.questionKey))
  await indexPostgresDocuments([...documents.values()])
  await refreshPostgresTerms()
  return {
    async scores(text, candidates, limit = 100) {
      const hits = await similarScoresPostgres(text, candidates ? candidates.map((r) => r.questionKey) : null, undefined, limit)
      return new Map(hits.map((hit) => [hit.id, hit.score]))
    },
    close: () => database.drop(),
  }
}
