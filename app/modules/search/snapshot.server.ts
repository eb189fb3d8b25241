/**
 * The search index's snapshot: the engine's bytes with the change-log
 * position they are at, saved under DATA_DIR for a fast start on this host
 * (docs/decisions/0016). Only a shortcut: any process may start without
 * one, and one saved against another database is never used.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import { db } from '~/db/client.server'
import { settings } from '~/db/schema'
import { newId } from '~/utils/result'
import { SearchEngine } from './engine'
import { ENGINE_OPTIONS, type StoredDocument } from './search-options'

const SNAPSHOT_FORMAT = 3
const DATABASE_ID_KEY = 'search.database_id'

type SnapshotMeta = { format: number; position: string; savedAt: string; database: string }

/** Where the snapshot for a database driver lives under `directory` (the server and `npm run search:reindex`). */
export const snapshotPath = (directory: string, driver: string) => path.join(directory, `search-index-${driver}.bin`)

/**
 * A random id this database keeps (in `settings`): a snapshot saved against
 * another database (DATA_DIR kept, DATABASE_URL changed, a restore) names
 * another one, and its position would mean nothing here.
 */
export async function databaseId(): Promise<string> {
  await db.insert(settings).values({ key: DATABASE_ID_KEY, value: newId() }).onConflictDoNothing()
  const [row] = await db.select({ value: settings.value }).from(settings).where(sql`${settings.key} = ${DATABASE_ID_KEY}`)
  return String(row!.value)
}

/** The snapshot in `file` if it is of this format and of `database`; null otherwise (build afresh). */
export async function readSnapshot(file: string, database: string) {
  try {
    const bytes = await fs.readFile(file)
    const metaLength = bytes.readUInt32LE(0)
    const meta = JSON.parse(bytes.subarray(4, 4 + metaLength).toString('utf8')) as SnapshotMeta
    if (meta.format !== SNAPSHOT_FORMAT) return null
    if (meta.database !== database) {
      console.info('[search] the snapshot was saved against another database: building afresh')
      return null
    }
    const index = await SearchEngine.deserialize<StoredDocument>(bytes.subarray(4 + metaLength), ENGINE_OPTIONS, yieldToEventLoop)
    return index ? { index, position: BigInt(meta.position), savedAt: new Date(meta.savedAt) } : null
  } catch {
    return null
  }
}

export type SnapshotSource = {
  index: SearchEngine<StoredDocument>
  position: bigint
  /** Called with the serialization under way: the caller holds changes until it settles. */
  serializing: (done: Promise<unknown>) => void
}

/**
 * Writes a snapshot to `file`, a part at a time, atomically (a crash or an
 * abort never leaves half a snapshot: the earlier one stays). `capture` is
 * called once the database has answered and gives what to write, taken at
 * one moment. Returns false when `signal` aborted it or there was nothing.
 */
export async function writeSnapshot(file: string, capture: () => SnapshotSource | null, signal?: AbortSignal) {
  const [row] = await db.select({ now: sql<string>`now()::text` }).from(sql`(select 1) as one`)
  const savedAt = new Date(row!.now)
  const database = await databaseId()
  const source = capture()
  if (!source) return false
  const pause = async () => {
    signal?.throwIfAborted()
    await yieldToEventLoop()
  }
  const temporary = `${file}.${process.pid}.tmp`
  try {
    const serializing = source.index.serializeParts(pause)
    source.serializing(serializing)
    const parts = await serializing
    const meta = Buffer.from(
      JSON.stringify({ format: SNAPSHOT_FORMAT, position: source.position.toString(), savedAt: savedAt.toISOString(), database } satisfies SnapshotMeta),
    )
    const length = Buffer.alloc(4)
    length.writeUInt32LE(meta.length)
    await fs.mkdir(path.dirname(file), { recursive: true })
    const out = await fs.open(temporary, 'w')
    try {
      for (const part of [length, meta, ...parts]) {
        await pause()
        await out.write(part)
      }
    } finally {
      await out.close()
    }
    await fs.rename(temporary, file)
    return true
  } catch (error) {
    await fs.rm(temporary, { force: true })
    if (signal?.aborted) return false
    throw error
  }
}

/** Deletes the temporary files of saves cut short by a process that is gone (killed mid-save). */
export async function removeAbandonedSaves(file: string) {
  const prefix = `${path.basename(file)}.`
  const names = await fs.readdir(path.dirname(file)).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue
    const pid = Number(name.slice(prefix.length, -'.tmp'.length))
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) await fs.rm(path.join(path.dirname(file), name), { force: true })
  }
}

function isRunning(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** How far behind a snapshot is: the database's time since it was saved, and the log rows since its position. */
export async function snapshotLag(position: bigint, savedAt: Date) {
  const [row] = await db
    .select({
      changes: sql<number>`(select count(*)::int from (select 1 from post_changes where tx >= ${position.toString()}::xid8 limit 1000000) as behind)`,
      seconds: sql<number>`extract(epoch from now() - ${savedAt.toISOString()}::timestamptz)::float8`,
    })
    .from(sql`(select 1) as one`)
  return { changes: Number(row!.changes), seconds: Number(row!.seconds) }
}

/** "42 s", "12 min", "5 h", "3 days". */
export function formatAge(seconds: number) {
  if (seconds < 120) return `${Math.round(seconds)} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`
  return `${Math.round(seconds / 86_400)} days`
}
