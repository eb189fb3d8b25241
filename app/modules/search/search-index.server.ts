/**
 * The search index of this process, kept in step with the database
 * (docs/decisions/0016).
 *
 * Start-up: load the snapshot this host saved last (the engine's bytes plus
 * its position in the change log) and catch up from there; or, without a
 * usable snapshot, build from the database in chunks that yield to the event
 * loop, so requests keep being answered meanwhile.
 *
 * Changes: the database logs every post written in `post_changes`, in the
 * writing transaction (triggers), and writers send a NOTIFY that arrives on
 * commit (post-events.server.ts). A notification, a write in this process
 * and a periodic reconcile (SEARCH_RECONCILE_SECONDS) all do the same thing:
 * read the log from this process's position, a page at a time, and apply
 * the posts named there in bounded chunks that yield between them. A burst
 * of notifications becomes one or two reads, each post applied once.
 *
 * The position is a transaction id, not a time: every transaction older
 * than the oldest one running when the log was read has committed (or
 * rolled back), so its rows are all visible; rows of younger transactions
 * are read again next time (those already applied are skipped), so one that
 * commits late is never passed over. No clock of any host is compared.
 * Applying a change re-reads the post, so applying one twice is harmless.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import { db, getDatabaseHandle } from '~/db/client.server'
import { postChanges } from '~/db/schema'
import { onPostChange, POST_CHANGES_CHANNEL } from '~/modules/posts/post-events.server'
import { loadDocumentPage, loadDocuments } from './documents.server'
import { SearchEngine } from './engine'
import { ENGINE_OPTIONS, indexedTexts, storedFields, type SearchDocument, type StoredDocument } from './search-options'
import { databaseId, formatAge, readSnapshot, removeAbandonedSaves, snapshotLag, snapshotPath, writeSnapshot } from './snapshot.server'

export { snapshotPath }

const BUILD_CHUNK = 1000
/** Log rows read per query. */
const LOG_PAGE = 2000
/** Distinct posts gathered from the log before applying them (a burst's duplicates fold into one). */
const GATHER_LIMIT = 10_000
/** Posts applied between two yields to the event loop: one chunk's synchronous work stays short. */
export const APPLY_CHUNK = 500
/** Log rows are kept this long; a snapshot older than that is not caught up but rebuilt. */
const LOG_RETENTION_DAYS = 7
const SNAPSHOT_EVERY_MS = 5 * 60 * 1000
const PRUNE_EVERY_MS = 60 * 60 * 1000
/** What a stop may spend on a last snapshot: the server exits 10 s after a stop signal. */
const STOP_BUDGET_MS = 5000
// Any constant shared by every Switchboard process; one process prunes at a time.
const PRUNE_LOCK_KEY = 74_117_302

type Counters = {
  /** Reads of the log (from a notification, a local write, the reconcile timer, a start). */
  pulls: number
  /** Chunks of posts applied, and the posts in them. */
  chunks: number
  applied: number
  largestChunk: number
}

type State = {
  index: SearchIndex | null
  status: 'idle' | 'warming' | 'ready' | 'failed'
  /** Every change of a transaction older than this (an xid8) is in the index. */
  position: bigint | null
  /** Log rows at or past `position` already applied: seq → transaction. */
  seen: Map<number, bigint>
  dirty: boolean
  pulling: Promise<void> | null
  again: boolean
  saving: Promise<boolean> | null
  abortSave: AbortController | null
  /** A snapshot's serialization under way: changes wait for it (a few seconds at 100k posts). */
  serializing: Promise<unknown> | null
  stop: Array<() => unknown>
  snapshotFile: string | null
  counters: Counters
}

const holder = globalThis as { __switchboardSearch?: State }
const state: State = (holder.__switchboardSearch ??= {
  index: null,
  status: 'idle',
  position: null,
  seen: new Map(),
  dirty: false,
  pulling: null,
  again: false,
  saving: null,
  abortSave: null,
  serializing: null,
  stop: [],
  snapshotFile: null,
  counters: { pulls: 0, chunks: 0, applied: 0, largestChunk: 0 },
})

export type SearchIndex = SearchEngine<StoredDocument>

export const newIndex = (): SearchIndex => new SearchEngine<StoredDocument>(ENGINE_OPTIONS)

/** Adds a post's document, or replaces the one indexed for it. */
export function indexDocument(index: SearchIndex, document: SearchDocument) {
  index.replace(document.id, indexedTexts(document), storedFields(document))
}

/** The live index, or null while it is warming up. */
export function getSearchIndex(): SearchIndex | null {
  return state.status === 'ready' ? state.index : null
}

export function searchStatus() {
  return state.status
}

/** How much change application this process has done (tests, diagnostics). */
export function searchIndexCounters(): Readonly<Counters> {
  return { ...state.counters }
}

/** This process's position in the change log (a transaction id), null before the index is loaded. */
export function searchIndexPosition(): bigint | null {
  return state.position
}

/**
 * The database's horizon: the oldest transaction still running (every older
 * one has finished and its rows are visible) and the database's time.
 */
async function databaseHorizon(): Promise<{ xmin: bigint; now: Date }> {
  const [row] = await db
    .select({ xmin: sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text`, now: sql<string>`now()::text` })
    .from(sql`(select 1) as one`)
  return { xmin: BigInt(row!.xmin), now: new Date(row!.now) }
}

/** Builds a complete index from the database, yielding between chunks. */
export async function buildIndex(onProgress?: (done: number) => void): Promise<{ index: SearchIndex; position: bigint }> {
  // Taken first: what commits during the build is read from the log afterwards.
  const { xmin } = await databaseHorizon()
  const index = newIndex()
  index.startBulk()
  let after: string | null = null
  let done = 0
  for (;;) {
    const documents = await loadDocumentPage(after, BUILD_CHUNK)
    if (!documents.length) break
    for (const document of documents) indexDocument(index, document)
    done += documents.length
    after = documents.at(-1)!.id
    onProgress?.(done)
    await yieldToEventLoop()
  }
  index.finishBulk()
  return { index, position: xmin }
}

/** Re-reads `ids` and adds, replaces or discards their documents. */
export async function applyChanges(ids: string[], index = state.index) {
  if (!index || !ids.length) return
  const { documents, gone } = await loadDocuments(ids)
  // A snapshot being taken reads the index between pauses: wait, then change it.
  while (state.serializing) await state.serializing
  for (const id of gone) if (index.has(id)) index.discard(id)
  for (const document of documents) indexDocument(index, document)
  state.dirty = true
}

/** Applies `ids` a chunk at a time, yielding between chunks (a burst never holds the event loop). */
async function applyInChunks(ids: string[]) {
  for (let i = 0; i < ids.length; i += APPLY_CHUNK) {
    if (i > 0) await yieldToEventLoop()
    const chunk = ids.slice(i, i + APPLY_CHUNK)
    await applyChanges(chunk)
    state.counters.chunks++
    state.counters.applied += chunk.length
    state.counters.largestChunk = Math.max(state.counters.largestChunk, chunk.length)
  }
}

type LogRow = { seq: number; postId: string; tx: string }

async function readLogPage(after: { tx: bigint; seq: number } | null, from: bigint): Promise<LogRow[]> {
  return db
    .select({ seq: postChanges.seq, postId: postChanges.postId, tx: sql<string>`${postChanges.tx}::text` })
    .from(postChanges)
    .where(
      after
        ? sql`(${postChanges.tx}, ${postChanges.seq}) > (${after.tx.toString()}::xid8, ${after.seq}::bigint)`
        : sql`${postChanges.tx} >= ${from.toString()}::xid8`,
    )
    .orderBy(postChanges.tx, postChanges.seq)
    .limit(LOG_PAGE)
}

/**
 * Reads the change log from this process's position and applies what it
 * names. The position moves as changes are applied, page by page, so a
 * process that stops halfway resumes near where it was.
 */
async function pullChanges() {
  if (!state.index || state.position === null) return
  state.counters.pulls++
  const { xmin } = await databaseHorizon()
  let after: { tx: bigint; seq: number } | null = null
  let exhausted = false
  while (!exhausted) {
    const gathered = new Set<string>()
    const read: LogRow[] = []
    while (gathered.size < GATHER_LIMIT) {
      const rows = await readLogPage(after, state.position)
      for (const row of rows) {
        read.push(row)
        if (!state.seen.has(row.seq)) gathered.add(row.postId)
      }
      if (rows.length) after = { tx: BigInt(rows.at(-1)!.tx), seq: rows.at(-1)!.seq }
      if (rows.length < LOG_PAGE) {
        exhausted = true
        break
      }
      await yieldToEventLoop()
    }
    await applyInChunks([...gathered])
    for (const row of read) state.seen.set(row.seq, BigInt(row.tx))
    // Rows are read in transaction order: every transaction before the last
    // one read is applied. Never past the horizon: younger ones may still commit.
    const reached = exhausted ? xmin : after!.tx < xmin ? after!.tx : xmin
    if (reached > state.position) state.position = reached
  }
  for (const [seq, tx] of state.seen) if (tx < state.position) state.seen.delete(seq)
}

/** Asks for a read of the log; reads asked for while one runs fold into one more. */
function requestPull() {
  if (!state.index) return
  if (state.pulling) {
    state.again = true
    return
  }
  state.pulling = (async () => {
    try {
      do {
        // Everything asked for until the next turn of the event loop is one read.
        await yieldToEventLoop()
        state.again = false
        await pullChanges()
      } while (state.again)
    } catch (error) {
      // The log keeps the changes: the next notification or reconcile reads them.
      console.error('[search] applying changes failed; the next reconcile retries:', error)
    } finally {
      state.pulling = null
    }
  })()
}

/** Resolves when every change announced so far is in the index (tests, after a write). */
export async function searchSettled() {
  while (state.pulling) await state.pulling
}

/**
 * Reads the change log now and applies what this process has not applied
 * (what the reconcile timer does); resolves when done. For tests and tools.
 */
export async function reconcileSearchIndex() {
  requestPull()
  await searchSettled()
}

/** Deletes log rows older than the retention, a bounded batch at a time, in one process at a time. */
export async function pruneChangeLog() {
  return db.transaction(async (tx) => {
    const [lock] = await tx.select({ ok: sql<boolean>`pg_try_advisory_xact_lock(${PRUNE_LOCK_KEY})` }).from(sql`(select 1) as one`)
    if (!lock?.ok) return 0
    const deleted = await tx
      .delete(postChanges)
      .where(
        sql`${postChanges.seq} in (select seq from post_changes where at < now() - make_interval(days => ${LOG_RETENTION_DAYS}) order by at limit 10000)`,
      )
      .returning({ seq: postChanges.seq })
    return deleted.length
  })
}

/**
 * Writes the current index and its position to `file` (see writeSnapshot):
 * atomically, and returns false when `signal` aborted it.
 */
export async function saveSnapshotTo(file: string, { signal }: { signal?: AbortSignal } = {}) {
  const wasDirty = state.dirty
  try {
    return await writeSnapshot(
      file,
      () => {
        // The position and the index at one moment; changes wait until the
        // serialization is done (applyChanges), so it stays that moment.
        if (!state.index || state.position === null) return null
        state.dirty = false
        return {
          index: state.index,
          position: state.position,
          serializing: (done) => {
            // Its failure is writeSnapshot's to report; here it only ends the wait.
            state.serializing = done.then(
              () => (state.serializing = null),
              () => (state.serializing = null),
            )
          },
        }
      },
      signal,
    ).then((saved) => {
      if (!saved) state.dirty ||= wasDirty
      return saved
    })
  } catch (error) {
    state.dirty ||= wasDirty
    throw error
  }
}

/** Saves the index and its position, for a fast start next time (one save at a time). */
export async function saveSnapshot({ signal }: { signal?: AbortSignal } = {}) {
  if (!state.snapshotFile || state.status !== 'ready') return false
  if (!state.saving) {
    const abort = new AbortController()
    state.abortSave = abort
    state.saving = saveSnapshotTo(state.snapshotFile, { signal: signal ? AbortSignal.any([signal, abort.signal]) : abort.signal }).finally(() => {
      state.saving = null
      state.abortSave = null
    })
  }
  return state.saving
}

export type StartOptions = {
  /** Where snapshots are kept; null: none (tests). */
  snapshotDir: string | null
  /** How often the log is read without a notification (SEARCH_RECONCILE_SECONDS). */
  reconcileMs?: number
}

/** Loads or builds the index, then keeps it in step. Call once at boot. */
export async function startSearchIndex({ snapshotDir, reconcileMs = 30_000 }: StartOptions) {
  if (state.status === 'warming' || state.status === 'ready') return
  state.status = 'warming'
  const started = Date.now()
  try {
    const handle = getDatabaseHandle()
    state.snapshotFile = snapshotDir ? snapshotPath(snapshotDir, handle.driver) : null

    // Writes in this process: read the log at once, without waiting for the NOTIFY.
    state.stop.push(onPostChange(() => requestPull()))
    if (handle.listener) {
      let first = true
      const listener = await handle.listener.listen(
        POST_CHANGES_CHANNEL,
        () => requestPull(),
        () => {
          // On every reconnection: notifications may have been missed meanwhile.
          if (first) first = false
          else requestPull()
        },
      )
      state.stop.push(() => listener.unlisten())
    }

    if (state.snapshotFile) await removeAbandonedSaves(state.snapshotFile)
    let snapshot = state.snapshotFile ? await readSnapshot(state.snapshotFile, await databaseId()) : null
    let how: string
    if (snapshot) {
      const lag = await snapshotLag(snapshot.position, snapshot.savedAt)
      if (lag.seconds > (LOG_RETENTION_DAYS - 1) * 86_400) {
        console.info(`[search] the snapshot is ${formatAge(lag.seconds)} old, past the change log's retention: building afresh`)
        snapshot = null
      } else {
        console.info(`[search] snapshot saved ${formatAge(lag.seconds)} ago (database time), ${lag.changes.toLocaleString('en')} change(s) behind`)
      }
    }
    if (snapshot) {
      state.index = snapshot.index
      state.position = snapshot.position
      how = 'loaded from snapshot and caught up'
    } else {
      const built = await buildIndex()
      state.index = built.index
      state.position = built.position
      how = 'built from the database'
    }
    state.seen.clear()
    await reconcileSearchIndex()
    state.status = 'ready'
    console.info(`[search] index ${how}: ${state.index.documentCount} documents in ${Date.now() - started} ms`)
    if (!snapshot) saveSnapshot().catch((error) => console.error('[search] saving the snapshot failed:', error))

    const every = (ms: number, run: () => void) => {
      const timer = setInterval(run, ms)
      timer.unref()
      state.stop.push(() => clearInterval(timer))
    }
    // The safety net: changes whose notification never came (plain SQL, a lost connection).
    every(reconcileMs, () => requestPull())
    // A stop then leaves at most a few minutes to catch up, whether or not its last save fits.
    every(SNAPSHOT_EVERY_MS, () => {
      if (state.dirty) saveSnapshot().catch((error) => console.error('[search] saving the snapshot failed:', error))
    })
    every(PRUNE_EVERY_MS, () => {
      pruneChangeLog().catch((error) => console.error('[search] pruning the change log failed:', error))
    })
  } catch (error) {
    state.status = 'failed'
    throw error
  }
}

/**
 * Stops listening and, when changes were applied since the last snapshot,
 * saves one within `budgetMs` (graceful shutdown); one that does not fit is
 * abandoned and the earlier snapshot, at most a few minutes old, stays.
 */
export async function stopSearchIndex({ save = true, budgetMs = STOP_BUDGET_MS } = {}) {
  // With the database gone, UNLISTEN or a read under way may never answer: a stop does not wait for them.
  for (const stop of state.stop.splice(0)) await atMost(1000, Promise.resolve(stop()))
  if (!save) state.abortSave?.abort()
  if (save && (state.dirty || state.saving)) {
    // One deadline for waiting on a save under way and for writing the last one.
    const deadline = AbortSignal.timeout(budgetMs)
    const abortRunning = () => state.abortSave?.abort()
    deadline.addEventListener('abort', abortRunning)
    // The deadline also ends a wait on the database (the save's first reads), not only the writing.
    const timeUp = new Promise<false>((resolve) => deadline.addEventListener('abort', () => resolve(false)))
    if (state.saving) await Promise.race([state.saving.catch(() => false), timeUp])
    const saved = state.dirty && !deadline.aborted
      ? await Promise.race([
          saveSnapshot({ signal: deadline }).catch((error) => {
            console.error('[search] saving the snapshot failed:', error)
            return false
          }),
          timeUp,
        ])
      : !state.dirty
    deadline.removeEventListener('abort', abortRunning)
    if (!saved) console.info(`[search] the last snapshot did not fit the ${budgetMs} ms stop budget; the next start catches up from the previous one`)
  }
  if (state.saving) await atMost(1000, state.saving)
  await atMost(1000, searchSettled())
  state.index = null
  state.status = 'idle'
  state.position = null
  state.seen.clear()
  state.dirty = false
}

/** Waits for `promise` (ignoring its failure), or `ms`, whichever comes first. */
async function atMost(ms: number, promise: Promise<unknown>) {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

/** Replaces the whole index with a fresh build (npm run search:reindex, tests). */
export async function rebuildIndex(onProgress?: (done: number) => void) {
  const built = await buildIndex(onProgress)
  state.index = built.index
  state.position = built.position
  state.seen.clear()
  state.status = 'ready'
  state.dirty = true
  return built.index
}
