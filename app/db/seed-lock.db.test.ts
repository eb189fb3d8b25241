/**
 * Several processes starting at once on an empty database with SEED_DEMO=1:
 * the demo world is seeded once, and the other starts find it and go on
 * (issue 16, item 1). Two pool connections stand for two processes.
 * PostgreSQL only: the embedded database has one connection and one process.
 */
import { count } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from './client.server'
import { DEMO_ORGANIZATIONS } from './demo-content'
import { organizations, users } from './schema'
import { DEMO_ACCOUNTS, seedDemoIfEmpty } from './seed'

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'

describe.skipIf(!onPostgres)('seeding the demo world under the migration lock', () => {
  it('two seeds started together on an empty database write one world; the second reports it existed', async () => {
    const now = new Date()
    const outcomes = await Promise.all([
      seedDemoIfEmpty({ password: 'switchboard-demo', now }),
      seedDemoIfEmpty({ password: 'switchboard-demo', now }),
    ])
    expect(outcomes.filter((o) => o === null)).toHaveLength(1)
    expect(outcomes.find((o) => o !== null)).toEqual(DEMO_ACCOUNTS.map(({ email, role }) => ({ email, role })))
    const [orgs] = await db.select({ value: count() }).from(organizations)
    expect(orgs!.value).toBe(DEMO_ORGANIZATIONS.length)
    const [people] = await db.select({ value: count() }).from(users)
    // A third start later finds the same world and leaves it alone.
    expect(await seedDemoIfEmpty({ password: 'switchboard-demo', now })).toBeNull()
    const [after] = await db.select({ value: count() }).from(users)
    expect(after!.value).toBe(people!.value)
  }, 120_000)
})
