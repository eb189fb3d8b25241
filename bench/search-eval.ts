/**
 * `npm run eval:search`: how well the production search configuration ranks
 * similar questions, on SemEval-2016 Task 3 subtask B (Qatar Living forum,
 * question–question similarity), dev and train part 2.
 *
 * 1. Re-ranking: for each original question, index its ten candidates with
 *    the app's engine options and query with the app's "similar posts" query
 *    (similarQuery); a candidate's comments are its workarounds;
 *    MAP, MRR, P@1 and P@5 as the organisers' scorer computes them.
 * 2. Collection: every distinct candidate question of the split in one
 *    index, queried with each original question; nDCG@10 and Recall@100
 *    against that question's relevant candidates.
 *
 * The options, the term processing and the query options are imported from
 * the app (the same module, not a copy). Options: --split dev|train2|all,
 * --backend memory|postgres (the words ranked by the in-process engine, the
 * default, or by postgres-backend.server.ts on PostgreSQL: lib/postgres-search.ts).
 */
import { indexDocument, newIndex, type SearchIndex } from '~/modules/search/search-index.server'
import { workaroundsText } from '~/modules/search/documents.server'
import { type SearchDocument } from '~/modules/search/search-options'
import { blend, embed, meaningText } from '~/modules/search/meaning.server'
import { SIMILAR_POOL, similarQuery } from '~/modules/search/search.server'
import { postgresRanker, type WordRanker } from './lib/postgres-search'
import { loadSplit, type OriginalQuestion, type RelatedQuestion, type Split } from './lib/semeval'
import { table } from './lib/stats'

/** The organisers' published test figures, for reference (SOURCE.md beside the data). */
const ENGINE_BASELINE_TEST_MAP = 74.75

/**
 * A candidate question as the app indexes a problem: subject as title, body,
 * and the thread's comments as its workarounds (the replies an earlier
 * problem collected). The original question is a problem being written: it
 * has no comments, and is only ever a query.
 */
function toDocument({ subject, body, comments }: RelatedQuestion, id: string): SearchDocument {
  return {
    id,
    kind: 'problem',
    title: subject,
    body,
    workarounds: workaroundsText(comments),
    tags: '',
    product: '',
    versions: '',
    state: null,
    accepted: false,
    verified: false,
    meTooCount: 0,
    productId: '',
    productName: '',
    productSlug: '',
    versionIds: [],
    visibility: 'community',
    authorName: '',
    migrationStatus: null,
    createdAt: 0,
    excerpt: '',
  }
}

function search(index: SearchIndex, text: string, limit = 100) {
  const query = similarQuery(text)
  if (!query.terms.length) return []
  return index.search({ ...query, limit }).hits
}

function indexOf(documents: SearchDocument[]) {
  const index = newIndex()
  index.startBulk()
  for (const document of documents) indexDocument(index, document)
  index.finishBulk()
  return index
}

const questionText = (q: { subject: string; body: string }) => `${q.subject} ${q.body}`

// ---------------------------------------------------------------------------
// Metrics, as in the organisers' scorer (MAP_scripts/ev.py and metrics.py of
// the SemEval-2016 Task 3 release): a question's average precision is the
// mean of the precisions at the ranks of its relevant candidates in the top
// 10, and 0 when it has none; MAP, MRR and P@k average over every question
// (its published test figures count the questions without any relevant
// candidate as 0: REC-1@10 is 88.57%, not 100%, in its score files).

function averagePrecision(relevant: boolean[]) {
  let found = 0
  let sum = 0
  relevant.slice(0, 10).forEach((r, i) => {
    if (r) sum += ++found / (i + 1)
  })
  return found ? sum / found : 0
}

const reciprocalRank = (relevant: boolean[]) => {
  const first = relevant.slice(0, 10).indexOf(true)
  return first < 0 ? 0 : 1 / (first + 1)
}
const precisionAt = (relevant: boolean[], k: number) => relevant.slice(0, k).filter(Boolean).length / k
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN)
const pct = (value: number) => (value * 100).toFixed(2)

type RankingFigures = { map: number; mapAnswerable: number; mrr: number; p1: number; p5: number }

function rankingFigures(lists: boolean[][]): RankingFigures {
  const answerable = lists.filter((l) => l.some(Boolean))
  return {
    map: mean(lists.map(averagePrecision)),
    mapAnswerable: mean(answerable.map(averagePrecision)),
    mrr: mean(lists.map(reciprocalRank)),
    p1: mean(lists.map((l) => precisionAt(l, 1))),
    p5: mean(lists.map((l) => precisionAt(l, 5))),
  }
}

const vectors = new Map<string, Float32Array>()

/** The meaning vectors of texts (meaning.server.ts), each text encoded once per run. */
async function vectorsOf(texts: string[]) {
  const missing = [...new Set(texts.filter((text) => !vectors.has(text)))]
  for (let i = 0; i < missing.length; i += 32) {
    const batch = missing.slice(i, i + 32)
    ;(await embed(batch)).forEach((vector, j) => vectors.set(batch[j]!, vector))
  }
  return texts.map((text) => vectors.get(text)!)
}

/**
 * Word scores blended with meaning, as similar posts does (search.server.ts,
 * `byMeaning`): candidates without a word score count 0 for words.
 */
async function withMeaning(question: OriginalQuestion, candidates: RelatedQuestion[], wordScores: Map<string, number>, key: (r: RelatedQuestion) => string) {
  const [query, ...theirs] = await vectorsOf([meaningText(question.subject, question.body), ...candidates.map((r) => meaningText(r.subject, r.body))])
  const blended = blend(
    candidates.map((r, i) => ({ score: wordScores.get(key(r)) ?? 0, vector: theirs[i]! })),
    query!,
  )
  return new Map(candidates.map((r, i) => [key(r), blended[i]!]))
}

/** Each question's candidates in the order our search puts them (unscored ones last, in the engine's order). */
async function rerank(question: OriginalQuestion, meaning: boolean, pg: WordRanker | null): Promise<RelatedQuestion[]> {
  let words: Map<string, number>
  if (pg) {
    const byKey = await pg.scores(questionText(question), question.related)
    words = new Map(question.related.filter((r) => byKey.has(r.questionKey)).map((r) => [r.id, byKey.get(r.questionKey)!]))
  } else {
    const index = indexOf(question.related.map((r) => toDocument(r, r.id)))
    words = new Map(search(index, questionText(question)).map((hit) => [hit.id, hit.score]))
  }
  const scores = meaning ? await withMeaning(question, question.related, words, (r) => r.id) : words
  return [...question.related].sort((a, b) => (scores.get(b.id) ?? -1) - (scores.get(a.id) ?? -1) || a.rank - b.rank)
}

// ---------------------------------------------------------------------------
// Collection mode

function dcg(relevant: boolean[], k: number) {
  return relevant.slice(0, k).reduce((sum, r, i) => sum + (r ? 1 / Math.log2(i + 2) : 0), 0)
}

/**
 * nDCG@10 (binary gains) and Recall@100, over the questions that have a
 * relevant candidate. As in similar posts, the best SIMILAR_POOL by words
 * are re-ranked with meaning; the rest follow by words.
 */
async function collectionFigures(questions: OriginalQuestion[], pg: WordRanker | null) {
  const documents = new Map<string, RelatedQuestion>()
  for (const question of questions) for (const r of question.related) if (!documents.has(r.questionKey)) documents.set(r.questionKey, r)
  const index = pg ? null : indexOf([...documents.entries()].map(([key, r]) => toDocument(r, key)))
  const ndcg: number[] = []
  const recall: number[] = []
  for (const question of questions) {
    const wanted = new Set(question.related.filter((r) => r.relevant).map((r) => r.questionKey))
    if (!wanted.size) continue
    const hits = index ? search(index, questionText(question)) : [...(await pg!.scores(questionText(question), null)).entries()].map(([id, score]) => ({ id, score }))
    const pool = hits.slice(0, SIMILAR_POOL)
    const scores = await withMeaning(question, pool.map((hit) => documents.get(hit.id)!), new Map(pool.map((hit) => [hit.id, hit.score])), (r) => r.questionKey)
    const order = [...pool.map((hit) => hit.id).sort((a, b) => scores.get(b)! - scores.get(a)!), ...hits.slice(SIMILAR_POOL).map((hit) => hit.id)]
    const ranked = order.map((id) => wanted.has(id))
    const ideal = Array.from({ length: Math.min(wanted.size, 10) }, () => true)
    ndcg.push(dcg(ranked, 10) / dcg(ideal, 10))
    recall.push(ranked.slice(0, 100).filter(Boolean).length / wanted.size)
  }
  return { documents: documents.size, questions: ndcg.length, ndcg: mean(ndcg), recall: mean(recall) }
}

// ---------------------------------------------------------------------------

function parseSplits(argv: string[]): Split[] {
  const at = argv.indexOf('--split')
  const value = at >= 0 ? argv[at + 1] : 'all'
  if (value === 'dev' || value === 'train2') return [value]
  if (value === 'all') return ['dev', 'train2']
  throw new Error(`eval: unknown --split ${value} (dev, train2 or all)`)
}

function parseBackend(argv: string[]) {
  const at = argv.indexOf('--backend')
  const value = at >= 0 ? argv[at + 1] : 'memory'
  if (value === 'memory' || value === 'postgres') return value
  throw new Error(`eval: unknown --backend ${value} (memory or postgres)`)
}

async function main() {
  const splits = parseSplits(process.argv.slice(2))
  const backend = parseBackend(process.argv.slice(2))
  const loaded = await Promise.all(splits.map(async (split) => ({ split, questions: await loadSplit(split) })))
  if (loaded.length > 1) loaded.push({ split: 'dev+train2' as Split, questions: loaded.flatMap((l) => l.questions) })

  const rankingRows: string[][] = []
  const collectionRows: string[][] = []
  for (const { split, questions } of loaded) {
    // One PostgreSQL database per split, in turn (the collection figures index one split).
    const pg = backend === 'postgres' ? await postgresRanker(questions, toDocument) : null
    const ranked = async (meaning: boolean) => Promise.all(questions.map(async (q) => (await rerank(q, meaning, pg)).map((r) => r.relevant)))
    const ours = rankingFigures(await ranked(true))
    const wordsOnly = rankingFigures(await ranked(false))
    const engine = rankingFigures(questions.map((q) => q.related.map((r) => r.relevant)))
    const answerable = questions.filter((q) => q.related.some((r) => r.relevant)).length
    rankingRows.push([
      split,
      `${questions.length} (${answerable})`,
      pct(ours.map),
      pct(ours.mrr),
      pct(ours.p1),
      pct(ours.p5),
      pct(ours.mapAnswerable),
      pct(wordsOnly.map),
      pct(engine.map),
      pct(engine.mrr),
    ])
    // The combined row would index two splits together: collection figures are per split only.
    if (split === 'dev' || split === 'train2') {
      const c = await collectionFigures(questions, pg)
      collectionRows.push([split, String(c.documents), String(c.questions), pct(c.ndcg), pct(c.recall)])
    }
    await pg?.close()
  }

  console.info(`SemEval-2016 Task 3, subtask B (question–question similarity): the production search configuration, words ranked by ${backend === 'memory' ? 'the in-process engine' : 'PostgreSQL (postgres-backend.server.ts)'}\n`)
  console.info('Re-ranking each question\'s 10 candidates (organisers\' scorer: MAP, MRR, P@k over all questions, 0 without a relevant one)')
  console.info(
    table(['split', 'questions (with relevant)', 'MAP', 'MRR', 'P@1', 'P@5', 'MAP w/o empty', 'words-only MAP', 'engine MAP', 'engine MRR'], rankingRows),
  )
  console.info(`  engine = the organisers' search-engine order of the same candidates; its published test MAP is ${ENGINE_BASELINE_TEST_MAP}.`)
  console.info('  MAP w/o empty = MAP over the questions that have at least one relevant candidate.')
  console.info('  words-only MAP = the same ranking without meaning (what similar posts gives before problems are encoded).\n')
  console.info('All distinct candidate questions of a split as one collection, queried with each original question')
  console.info(table(['split', 'documents', 'questions', 'nDCG@10', 'Recall@100'], collectionRows))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
