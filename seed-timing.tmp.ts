import fs from 'node:fs/promises'
import { sql } from 'drizzle-orm'
import { openDatabase, setDatabase } from '~/db/client.server'
import { migrateDatabase } from '~/db/migrate'
import { seedDemoIfEmpty } from '~/db/seed'
const dir = process.argv[2]
if (dir) await fs.rm(dir, { recursive: true, force: true })
const h = await openDatabase({ driver: 'pglite', dataDir: dir })
await migrateDatabase(h)
setDatabase(h)
const t0 = performance.now()
await seedDemoIfEmpty({ password: 'switchboard-demo' })
console.info('seed ms', Math.round(performance.now() - t0))
const q = async (s: string) => (await h.pglite!.query(s)).rows
console.table(await q(`select kind, coalesce(state::text, migration_status::text, '') s, visibility, (hidden_at is not null) hidden, count(*)::int n from posts group by 1,2,3,4 order by 1,2`))
console.table(await q(`select (select count(*)::int from posts) posts, (select count(*)::int from replies) replies, (select count(*)::int from me_toos) me_toos, (select count(*)::int from follows) follows, (select count(*)::int from posts where accepted_at is not null) accepted, (select count(*)::int from posts where verified_at is not null) verified, (select count(*)::int from users) users, (select count(*)::int from outbox) outbox`))
await h.close()
