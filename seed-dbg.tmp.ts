import { openDatabase, setDatabase } from '~/db/client.server'
import { migrateDatabase } from '~/db/migrate'
import { seedDemoIfEmpty } from '~/db/seed'
const h = await openDatabase({ driver: 'pglite' })
await migrateDatabase(h)
setDatabase(h)
await seedDemoIfEmpty({ password: 'x' })
const q = async (s: string) => (await h.pglite!.query(s)).rows
console.table(await q(`select p.title, u.name, round(extract(epoch from now()-p.created_at)/3600) hours_ago, p.me_too_count, p.reply_count from posts p join users u on u.id=p.author_id where kind='problem' and state='open' and hidden_at is null order by p.created_at`))
console.table(await q(`select o.name, max(p.last_activity_at)::date last_post, (select max(r.created_at)::date from replies r join users u on u.id=r.author_id where u.organization_id=o.id) last_reply, count(*)::int posts from posts p join organizations o on o.id=p.organization_id group by o.id, o.name`))
console.table(await q(`select u.name, p.kind, count(*)::int from posts p join users u on u.id=p.author_id where u.email like 'alice%' or u.email like 'bob%' or u.email like 'carol%' group by 1,2 order by 1,2`))
console.table(await q(`select u.name, count(*)::int n from posts p join users u on u.id=p.author_id group by 1 order by 2 desc`))
const [one] = await q(`select title, body from posts where kind='problem' and state='solved' order by created_at limit 1`) as any[]
console.info(one.title + '\n' + one.body)
const ws = await q(`select w.body from posts w where w.problem_id in (select id from posts where title = '${(one.title as string).replace(/'/g,"''")}')`) as any[]
for (const w of ws) console.info('--- workaround\n' + w.body)
const [m] = await q(`select title, body from posts where kind='migration' and migration_status='planned' limit 1`) as any[]
console.info('=== ' + m.title + '\n' + m.body)
const [st] = await q(`select title, body from posts where kind='story' limit 1`) as any[]
console.info('=== ' + st.title + '\n' + st.body)
console.table(await q(`select title from posts where kind in ('problem','story') order by title`))
await h.close()
