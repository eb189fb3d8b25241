/**
 * `npm run search:reindex`: rebuilds the search index from the database with
 * a progress bar and saves it as the snapshot the server loads at its next
 * start (running servers keep their own index in step meanwhile).
 */
import path from 'node:path'
import { SingleBar, Presets } from 'cli-progress'
import { count, isNull, and } from 'drizzle-orm'
import { db } from '../app/db/client.server'
import { posts } from '../app/db/schema'
import { rebuildIndex, saveSnapshotTo, snapshotPath } from '../app/modules/search/search-index.server'
import { EnvError, parseEnv } from '../app/utils/env.server'
import { connectForScript } from './db-connect'

async function main() {
  const env = parseEnv(process.env)
  const handle = await connectForScript(env)
  try {
    const [total] = await db.select({ value: count() }).from(posts).where(and(isNull(posts.hiddenAt), isNull(posts.problemId)))
    const bar = new SingleBar({ format: 'Indexing [{bar}] {percentage}% | {value}/{total} posts | {duration_formatted}' }, Presets.shades_classic)
    const started = Date.now()
    bar.start(total?.value ?? 0, 0)
    const index = await rebuildIndex((done) => bar.update(done))
    bar.stop()
    const file = snapshotPath(path.resolve(env.DATA_DIR), handle.driver)
    await saveSnapshotTo(file)
    console.info(`Indexed ${index.documentCount} posts in ${((Date.now() - started) / 1000).toFixed(1)} s; saved ${file}`)
  } finally {
    await handle.close()
  }
}

main().catch((error) => {
  console.error(error instanceof EnvError ? error.message : error)
  process.exit(1)
})
