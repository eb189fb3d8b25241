/**
 * The search index of this process, kept in step with the database.
 *
 * Start-up: load the snapshot the last run saved (the engine's bytes plus a
 * change watermark) and catch up on posts changed since; or, without a
 * usable snapshot, build from the database in chunks that yield to the event
 * loop, so requests keep being answered meanwhile.
 *
 * Changes: every committed post change is announced by the posts module
 * (post-events.server.ts). This process applies it at once; on PostgreSQL it
 * is also broadcast with NOTIFY so every other process sharing the database
 * applies it. A process whose LISTEN connection drops catches up from its
 * watermark when it reconnects, so nothing is missed. Applying a change
 * re-reads the post, so applying one twice is harmless.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { gt, sql } from 'drizzle-orm'
import { db, getDatabaseHandle } from '~/db/client.server'
import { posts } from '~/db/schema'
import { onPostChange } from '~/modules/posts/post-events.server'
import { loadDocumentPage, loadDocuments } from './documents.server'
import { SearchEngine } from './engine'
import { ENGINE_OPTIONS, indexedTexts, storedFields, type SearchDocument, type StoredDocument } from './search-options'

export const NOTIFY_CHANNEL = 'switchboard_post_changes'
/** Re-read a little before the watermark: a transaction may commit after a later one's timestamp. */
const CATCH_UP_OVERLAP_MS = 5 * 60 * 1000
const BUILD_CHUNK = 1000
const SNAPSHOT_FORMAT = 2

type State = {
  index: SearchIndex | null
  status: 'idle' | 'warming' | 'ready' | 'failed'
  watermark: Date | null
  dirty: boolean
  pending: Set<string>
  flushing: Promise<void> | null
  stop: Array<() => unknown>
  snapshotFile: string | null
}

const holder = globalThis as { __switchboardSearch?: State }
const state: State = (holder.__switchboardSearch ??= {
  index: null,
  status: 'idle',
  watermark: null,
  dirty: false,
  pending: new Set(),
  flushing: null,
  stop: [],
  snapshotFile: null,
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

async function databaseNow(): Promise<Date> {
  const [row] = await db.select({ now: sql<string>`now()::text` }).from(sql`(select 1) as one`)
  return new Date(row!.now)
}

/** Builds a complete index from the database, yielding between chunks. */
export async function buildIndex(onProgress?: (done: number) => void): Promise<{ index: SearchIndex; watermark: Date }> {
  const watermark = await databaseNow()
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
  return { index, watermark }
}

/** Re-reads `ids` and adds, replaces or discards their documents. */
export async function applyChanges(ids: string[], index = state.index) {
  if (!index || !ids.length) return
  const { documents, gone } = await loadDocuments(ids)
  for (const id of gone) if (index.has(id)) index.discard(id)
  for (const document of documents) indexDocument(index, document)
  state.dirty = true
}

/** Applies every post changed since the watermark (after a restart or a lost LISTEN connection). */
async function catchUp() {
  if (!state.index || !state.watermark) return
  const since = new Date(state.watermark.getTime() - CATCH_UP_OVERLAP_MS)
  const next = await databaseNow()
  const changed = await db.select({ id: posts.id }).from(posts).where(gt(posts.updatedAt, since))
  for (let i = 0; i < changed.length; i += BUILD_CHUNK) {
    await applyChanges(changed.slice(i, i + BUILD_CHUNK).map((r) => r.id))
    await yieldToEventLoop()
  }
  state.watermark = next
}

/** Queues a change and applies queued changes together on the next tick. */
function enqueue(id: string) {
  state.pending.add(id)
  state.flushing ??= (async () => {
    await yieldToEventLoop()
    while (state.pending.size) {
      const batch = [...state.pending]
      state.pending.clear()
      try {
        await applyChanges(batch)
      } catch (error) {
        console.error('[search] applying changes failed; they will be caught up later:', error)
        state.dirty = true
      }
    }
    state.flushing = null
  })()
}

/** Resolves when every change announced so far is in the index (tests, after a write). */
export async function searchSettled() {
  while (state.flushing) await state.flushing
}

async function readSnapshot(file: string) {
  try {
    const bytes = await fs.readFile(file)
    const metaLength = bytes.readUInt32LE(0)
    const meta = JSON.parse(bytes.subarray(4, 4 + metaLength).toString('utf8')) as { format: number; watermark: string }
    if (meta.format !== SNAPSHOT_FORMAT) return null
    const index = await SearchEngine.deserialize<StoredDocument>(bytes.subarray(4 + metaLength), ENGINE_OPTIONS, yieldToEventLoop)
    return index ? { index, watermark: new Date(meta.watermark) } : null
  } catch {
    return null
  }
}

/** Where the snapshot for a database driver lives under `directory` (the server and `npm run search:reindex`). */
export const snapshotPath = (directory: string, driver: string) => path.join(directory, `search-index-${driver}.bin`)

/** Saves the index and its watermark, for a fast start next time. */
export async function saveSnapshot() {
  if (!state.snapshotFile || state.status !== 'ready') return
  await saveSnapshotTo(state.snapshotFile)
}

/** Writes the current index and watermark to `file` (atomically: a crash never leaves half a snapshot). */
export async function saveSnapshotTo(file: string) {
  if (!state.index || !state.watermark) return
  // Taken before settling: every change announced before this moment is in
  // the index once settled; later ones are re-read at load (with the overlap).
  const watermark = await databaseNow().catch(() => state.watermark!)
  await searchSettled()
  const meta = Buffer.from(JSON.stringify({ format: SNAPSHOT_FORMAT, watermark: watermark.toISOString() }))
  const length = Buffer.alloc(4)
  length.writeUInt32LE(meta.length)
  const body = Buffer.concat([length, meta, await state.index.serialize(yieldToEventLoop)])
  const temporary = `${file}.${process.pid}.tmp`
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(temporary, body)
  await fs.rename(temporary, file)
  state.dirty = false
}

/**
 * Loads or builds the index, then keeps it in step. Call once at boot.
 * `snapshotDir` null: no snapshot (tests).
 */
export async function startSearchIndex({ snapshotDir }: { snapshotDir: string | null }) {
  if (state.status === 'warming' || state.status === 'ready') return
  state.status = 'warming'
  const started = Date.now()
  try {
    const handle = getDatabaseHandle()
    state.snapshotFile = snapshotDir ? snapshotPath(snapshotDir, handle.driver) : null

    // Listen first, so changes made while loading are queued, not lost.
    state.stop.push(onPostChange((id) => {
      enqueue(id)
      if (handle.postgres) handle.postgres.notify(NOTIFY_CHANNEL, id).catch((error) => console.error('[search] NOTIFY failed:', error))
    }))
    if (handle.postgres) {
      let first = true
      const listener = await handle.postgres.listen(
        NOTIFY_CHANNEL,
        (id) => enqueue(id),
        () => {
          // Called on every (re)connection: after the first, catch up on what was missed.
          if (first) first = false
          else catchUp().catch((error) => console.error('[search] catching up after reconnect failed:', error))
        },
      )
      state.stop.push(() => listener.unlisten())
    }

    const snapshot = state.snapshotFile ? await readSnapshot(state.snapshotFile) : null
    let how: string
    if (snapshot) {
      state.index = snapshot.index
      state.watermark = snapshot.watermark
      await catchUp()
      how = 'loaded from snapshot and caught up'
    } else {
      const built = await buildIndex()
      state.index = built.index
      state.watermark = built.watermark
      await catchUp()
      how = 'built from the database'
    }
    state.status = 'ready'
    console.info(`[search] index ${how}: ${state.index.documentCount} documents in ${Date.now() - started} ms`)
    if (!snapshot) saveSnapshot().catch((error) => console.error('[search] saving the snapshot failed:', error))
    const timer = setInterval(() => {
      if (state.dirty) saveSnapshot().catch((error) => console.error('[search] saving the snapshot failed:', error))
    }, 5 * 60 * 1000)
    timer.unref()
    state.stop.push(() => clearInterval(timer))
  } catch (error) {
    state.status = 'failed'
    throw error
  }
}

/** Saves a last snapshot and stops listening (graceful shutdown, tests). */
export async function stopSearchIndex({ save = true } = {}) {
  if (save && state.dirty) await saveSnapshot().catch((error) => console.error('[search] saving the snapshot failed:', error))
  for (const stop of state.stop.splice(0)) await stop()
  state.index = null
  state.status = 'idle'
  state.watermark = null
  state.pending.clear()
}

/** Replaces the whole index with a fresh build (npm run search:reindex, tests). */
export async function rebuildIndex(onProgress?: (done: number) => void) {
  const built = await buildIndex(onProgress)
  state.index = built.index
  state.watermark = built.watermark
  state.status = 'ready'
  state.dirty = true
  return built.index
}
