/**
 * Gives each database test file its own fresh, migrated database and makes
 * it the process's `db`. Files run in parallel without seeing each other's rows.
 */
import fs from 'node:fs/promises'
import postgres from 'postgres'
import { afterAll, beforeAll, inject } from 'vitest'
import { openDatabase, setDatabase, type DatabaseHandle } from '~/db/client.server'
import { databaseUrl } from './urls'

let handle: DatabaseHandle | undefined
let cleanup: (() => Promise<void>) | undefined

beforeAll(async () => {
  if (process.env.TEST_DB_DRIVER === 'postgres') {
    const base = process.env.TEST_DATABASE_URL!
    const name = `switchboard_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
    const admin = postgres(base, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database "${name}" template "${inject('postgresTemplate')}"`)
    handle = await openDatabase({ driver: 'postgres', url: databaseUrl(base, name), poolSize: 4 })
    cleanup = async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end()
    }
  } else {
    const snapshot = await fs.readFile(inject('pgliteSnapshot'))
    handle = await openDatabase({ driver: 'pglite', loadDataDir: new Blob([snapshot]) })
  }
  setDatabase(handle)
})

afterAll(async () => {
  setDatabase(undefined)
  await handle?.close()
  await cleanup?.()
})
