/**
 * PostgreSQL only: every server connection carries a statement timeout, so
 * no query outlives its request by much (a read whose client left is not
 * cancelled in the database: see app/db/client.server.ts).
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, openDatabase } from '~/db/client.server'
import { handleError } from '~/entry.server'
import { parseEnv } from '~/utils/env.server'
import { databaseUrl } from '../setup/urls'
import { fakeBuild, serve } from './harness'

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'

const codeOf = (error: unknown) => {
  const e = error as { code?: string; cause?: { code?: string } }
  return e.code ?? e.cause?.code
}

describe.skipIf(!onPostgres)('database work of a request whose client left', () => {
  let server: Awaited<ReturnType<typeof serve>>
  const marker = `sleep_marker_${Math.random().toString(36).slice(2, 10)}`

  beforeAll(async () => {
    const build = fakeBuild(
      {
        sleep: async () => {
          await db.execute(sql.raw(`select pg_sleep(30), '${marker}'`))
          return new Response('slept')
        },
      },
      { boot: async () => {}, shutdown: async () => {}, health: async () => ({ status: 'ready' }), handleError },
    )
    server = await serve(parseEnv({ NODE_ENV: 'test', PUBLIC_URL: 'http://switchboard.test' }), build)
  })
  afterAll(() => server.close())

  it('has a statement timeout on every server connection', async () => {
    const name = ((await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[])[0]!.name
    const handle = await openDatabase({
      driver: 'postgres',
      url: databaseUrl(process.env.TEST_DATABASE_URL!, name),
      poolSize: 1,
      statementTimeoutMs: 100,
    })
    try {
      const outcome = await handle.db.execute(sql`select pg_sleep(10)`).then(
        () => 'finished',
        (error: unknown) => codeOf(error),
      )
      // 57014: query_canceled ("canceling statement due to statement timeout").
      expect(outcome).toBe('57014')
    } finally {
      await handle.close()
    }
  })
})
