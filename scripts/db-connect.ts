/**
 * Opens the configured database for a command-line script (DATABASE_URL, or
 * the embedded PGlite under DATA_DIR) and migrates it, like the server does.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { connectDatabase, DatabaseInUseError, getDatabaseHandle } from '../app/db/client.server'
import { migrateDatabase } from '../app/db/migrate'
import { type Env } from '../app/utils/env.server'

export async function connectForScript(env: Env, { poolSize = 4 } = {}) {
  if (env.DATABASE_URL) {
    await connectDatabase({ driver: 'postgres', url: env.DATABASE_URL, poolSize })
    await migrateDatabase(getDatabaseHandle(), env.DATABASE_LISTEN_URL ?? env.DATABASE_URL)
  } else {
    const dataDir = path.resolve(env.DATA_DIR, 'pglite')
    await fs.mkdir(dataDir, { recursive: true })
    try {
      await connectDatabase({ driver: 'pglite', dataDir })
    } catch (error) {
      // The server (or another script) has it open: say so plainly, without a stack trace.
      if (!(error instanceof DatabaseInUseError)) throw error
      console.error(error.message)
      process.exit(1)
    }
    await migrateDatabase(getDatabaseHandle())
  }
  return getDatabaseHandle()
}
