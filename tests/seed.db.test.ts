/**
 * The demo world (app/db/seed.ts) on a fresh database: big and varied enough
 * for every feature to have material, internally consistent (the counters
 * and states the commands keep), placed in time relative to the moment of
 * seeding, written without notifications or emails, seeded only once, and
 * the same world on every fresh start.
 */
import fs from 'node:fs/promises'
import { sql, type Logger, type SQL } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { db, getDatabaseHandle, openDatabase, setDatabase, type DatabaseHandle } from '~/db/client.server'
import { DEMO_ACCOUNTS, seedDemoIfEmpty } from '~/db/seed'
import { quietOrganizations } from '~/modules/support/quiet.server'
import { isoDate } from '#tests/factories'
import { databaseUrl } from '#tests/setup/urls'

const PASSWORD = 'switchboard-demo'
const DAY = 24 * 60 * 60 * 1000
/**
 * Most statements the demo seed may send: it sent 64 for about 1,750 rows
 * (room left for a lock or a batch more; one per row would be over 1,700).
 */
const SEED_STATEMENT_LIMIT = 300

/** Rows of a raw query (postgres.js answers an array, PGlite an object with `rows`). */
async function rows<T>(query: SQL): Promise<T[]> {
  const result = await db.execute(query)
  return (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as T[]
}

async function one<T>(query: SQL): Promise<T> {
  const [row] = await rows<T>(query)
  return row!
}

/** Row counts of every table the seed writes to, and of those it must leave alone. */
function tableCounts() {
  return one<Record<string, number>>(sql`select
    (select count(*) from organizations)::int as organizations,
    (select count(*) from users)::int as users,
    (select count(*) from products)::int as products,
    (select count(*) from posts)::int as posts,
    (select count(*) from post_versions)::int as post_versions,
    (select count(*) from post_tags)::int as post_tags,
    (select count(*) from replies)::int as replies,
    (select count(*) from me_toos)::int as me_toos,
    (select count(*) from follows)::int as follows,
    (select count(*) from revisions)::int as revisions,
    (select count(*) from outbox)::int as outbox,
    (select count(*) from notifications)::int as notifications,
    (select count(*) from audit_log)::int as audit_log`)
}

/** A second fresh, migrated database of the same driver (as tests/setup/db.ts makes them). */
async function openFreshDatabase(logger?: Logger): Promise<{ handle: DatabaseHandle; dispose: () => Promise<void> }> {
  if (process.env.TEST_DB_DRIVER === 'postgres') {
    const base = process.env.TEST_DATABASE_URL!
    const name = `switchboard_seed_${process.pid}_${Date.now().toString(36)}`
    const admin = postgres(base, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database "${name}" template "${inject('postgresTemplate')}"`)
    const handle = await openDatabase({ driver: 'postgres', url: databaseUrl(base, name), poolSize: 2, logger })
    return {
      handle,
      dispose: async () => {
        await handle.close()
        await admin.unsafe(`drop database if exists "${name}" with (force)`)
        await admin.end()
      },
    }
  }
  const snapshot = await fs.readFile(inject('pgliteSnapshot'))
  const handle = await openDatabase({ driver: 'pglite', loadDataDir: new Blob([snapshot]), logger })
  return { handle, dispose: () => handle.close() }
}

let seeded: Awaited<ReturnType<typeof seedDemoIfEmpty>>
/** Statements the seed sent: its work, which does not depend on how busy the machine is. */
let seedQueries = 0
let counting = true
let counted: Awaited<ReturnType<typeof openFreshDatabase>>
let before: DatabaseHandle
let seededAt: Date
let today: string
let inTwelveWeeks: string

beforeAll(async () => {
  seededAt = new Date()
  today = isoDate(seededAt)
  inTwelveWeeks = isoDate(new Date(seededAt.getTime() + 84 * DAY))
  // This file's database counts the statements it is sent while the seed runs.
  before = getDatabaseHandle()
  counted = await openFreshDatabase({ logQuery: () => void (counting && seedQueries++) })
  setDatabase(counted.handle)
  seeded = await seedDemoIfEmpty({ password: PASSWORD })
  counting = false
  console.info(`[seed test] demo world seeded with ${seedQueries} statements (${getDatabaseHandle().driver})`)
})

afterAll(async () => {
  setDatabase(before)
  await counted.dispose()
})

describe('the demo seed', () => {
  it('seeds once, returns the demo accounts, and hashes the password only once', async () => {
    expect(seeded).toEqual(DEMO_ACCOUNTS.map(({ email, role }) => ({ email, role })))
    const users = await one<{ people: number; hashes: number }>(
      sql`select count(*)::int as people, count(distinct password_hash)::int as hashes from users`,
    )
    expect(users.people).toBeGreaterThanOrEqual(17)
    // One argon2 hash (with its salt) shared by everyone: the factories cached it.
    expect(users.hashes).toBe(1)
    // Rows go in batches, not one statement each: the world has thousands of rows
    // (checked below), and a per-row insert would send several times this many.
    const written = Object.values(await tableCounts()).reduce((a, b) => a + b, 0)
    expect(written).toBeGreaterThan(SEED_STATEMENT_LIMIT)
    expect(seedQueries).toBeGreaterThan(0)
    expect(seedQueries).toBeLessThan(SEED_STATEMENT_LIMIT)
  })

  it('writes at least 200 posts of every kind, problems in every state', async () => {
    const byKind = await rows<{ kind: string; n: number }>(sql`select kind, count(*)::int as n from posts group by kind`)
    const counts = Object.fromEntries(byKind.map((r) => [r.kind, r.n]))
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(200)
    expect(counts.problem).toBeGreaterThanOrEqual(80)
    expect(counts.workaround).toBeGreaterThanOrEqual(55)
    expect(counts.story).toBeGreaterThanOrEqual(15)
    expect(counts.migration).toBeGreaterThanOrEqual(30)
    const states = await rows<{ state: string; n: number }>(
      sql`select state::text, count(*)::int as n from posts where kind = 'problem' group by state`,
    )
    expect(Object.fromEntries(states.map((s) => [s.state, s.n]))).toEqual({
      open: expect.any(Number),
      answered: expect.any(Number),
      solved: expect.any(Number),
    })
    // Every product has problems, and content is real Markdown, not filler.
    const perProduct = await rows<{ n: number }>(
      sql`select count(*)::int as n from products pr left join posts p on p.product_id = pr.id and p.kind = 'problem' group by pr.id`,
    )
    expect(perProduct.every((p) => p.n >= 15)).toBe(true)
    const withCode = await one<{ n: number }>(sql`select count(*)::int as n from posts where kind = 'problem' and body like '%' || chr(96) || chr(96) || chr(96) || '%'`)
    expect(withCode.n).toBeGreaterThanOrEqual(60)
    const lorem = await one<{ n: number }>(sql`select count(*)::int as n from posts where body ilike '%lorem ipsum%' or body like '%undefined%' or title like '%undefined%'`)
    expect(lorem.n).toBe(0)
  })

  it('has accepted workarounds, and verified ones verified by support@vendor.test', async () => {
    const workarounds = await one<{ accepted: number; verified: number; verifiedByOthers: number; unacceptedVerified: number }>(sql`
      select count(*) filter (where w.accepted_at is not null)::int as accepted,
             count(*) filter (where w.verified_at is not null)::int as verified,
             count(*) filter (where w.verified_at is not null and v.email <> 'support@vendor.test')::int as "verifiedByOthers",
             count(*) filter (where w.verified_at is not null and w.accepted_at is null)::int as "unacceptedVerified"
      from posts w left join users v on v.id = w.verified_by_id
      where w.kind = 'workaround'`)
    expect(workarounds.accepted).toBeGreaterThanOrEqual(30)
    expect(workarounds.verified).toBeGreaterThanOrEqual(10)
    expect(workarounds.verifiedByOthers).toBe(0)
    expect(workarounds.unacceptedVerified).toBeGreaterThanOrEqual(1)
    // Workarounds are shown under a problem: no title, no versions or tags of their own.
    const odd = await one<{ n: number }>(sql`
      select count(*)::int as n from posts w
      where w.kind = 'workaround' and (w.title is not null or w.problem_id is null
        or exists (select 1 from post_versions v where v.post_id = w.id)
        or exists (select 1 from post_tags t where t.post_id = w.id)
        or w.product_id <> (select p.product_id from posts p where p.id = w.problem_id)
        or w.visibility <> (select p.visibility from posts p where p.id = w.problem_id))`)
    expect(odd.n).toBe(0)
  })

  it('plans migrations over the next twelve weeks, done ones in the past and some that slipped', async () => {
    const upcoming = await rows<{ status: string; n: number }>(sql`
      select migration_status::text as status, count(*)::int as n from posts
      where kind = 'migration' and window_start >= ${today}::date and window_start <= ${inTwelveWeeks}::date
      group by migration_status`)
    const byStatus = Object.fromEntries(upcoming.map((u) => [u.status, u.n]))
    expect(Object.values(byStatus).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20)
    expect(byStatus.planned).toBeGreaterThanOrEqual(10)
    expect(byStatus.postponed).toBeGreaterThanOrEqual(1)
    const past = await one<{ done: number; futureDone: number; slipped: number; inProgress: number; rolledBack: number; beyond: number }>(sql`
      select count(*) filter (where migration_status = 'done' and window_start < ${today}::date)::int as done,
             count(*) filter (where migration_status = 'done' and window_start >= ${today}::date)::int as "futureDone",
             count(*) filter (where migration_status = 'planned' and coalesce(window_end, window_start) < ${today}::date)::int as slipped,
             count(*) filter (where migration_status = 'in_progress')::int as "inProgress",
             count(*) filter (where migration_status = 'rolled_back')::int as "rolledBack",
             count(*) filter (where window_start > ${inTwelveWeeks}::date)::int as beyond
      from posts where kind = 'migration'`)
    expect(past.done).toBeGreaterThanOrEqual(5)
    expect(past.futureDone).toBe(0)
    expect(past.slipped).toBeGreaterThanOrEqual(2)
    expect(past.inProgress).toBeGreaterThanOrEqual(1)
    expect(past.rolledBack).toBeGreaterThanOrEqual(1)
    expect(past.beyond).toBe(0)
    // Titled "<Product> <from> → <to>", concerning both versions, windows that do not end before they start.
    const malformed = await one<{ n: number }>(sql`
      select count(*)::int as n from posts p
      join products pr on pr.id = p.product_id
      join product_versions f on f.id = p.from_version_id
      join product_versions t on t.id = p.to_version_id
      where p.kind = 'migration' and (
        p.title <> pr.name || ' ' || f.name || ' → ' || t.name
        or f.product_id <> p.product_id or t.product_id <> p.product_id or f.id = t.id
        or p.window_end < p.window_start
        or (select count(*) from post_versions v where v.post_id = p.id) <> 2)`)
    expect(malformed.n).toBe(0)
    // The same move planned by several organizations (the radar's "connect them").
    const shared = await one<{ n: number }>(sql`
      select count(*)::int as n from (
        select to_version_id from posts
        where kind = 'migration' and migration_status in ('planned', 'in_progress') and window_start >= ${today}::date
        group by to_version_id having count(distinct organization_id) >= 3) x`)
    expect(shared.n).toBeGreaterThanOrEqual(2)
  })

  it('keeps every counter and state consistent with the rows', async () => {
    const counters = await rows<{ id: string }>(sql`
      select p.id from posts p
      where p.me_too_count <> (select count(*) from me_toos m where m.post_id = p.id)
         or p.reply_count <> (select count(*) from replies r where r.post_id = p.id)`)
    expect(counters).toEqual([])
    // firstResponseAt: the earliest reply or workaround by someone else; the state follows from the rows.
    const states = await rows<{ id: string }>(sql`
      select id from (
        select p.id, p.state, p.first_response_at,
          (select min(t) from (
             select r.created_at as t from replies r where r.post_id = p.id and r.author_id <> p.author_id
             union all
             select w.created_at from posts w where w.problem_id = p.id and w.author_id <> p.author_id) x) as expected_first,
          exists (select 1 from posts w where w.problem_id = p.id and w.accepted_at is not null) as solved
        from posts p where p.kind = 'problem') s
      where s.first_response_at is distinct from s.expected_first
         or s.state::text <> case when s.solved then 'solved' when s.expected_first is not null then 'answered' else 'open' end`)
    expect(states).toEqual([])
    const stray = await one<{ n: number }>(sql`
      select count(*)::int as n from posts
      where (kind <> 'problem' and (state is not null or me_too_count > 0 or first_response_at is not null))
         or (kind <> 'workaround' and (accepted_at is not null or verified_at is not null or problem_id is not null))
         or (kind <> 'migration' and (migration_status is not null or window_start is not null))
         or (kind = 'story' and related_post_id is not null
             and (select r.kind from posts r where r.id = related_post_id) not in ('problem', 'migration'))`)
    expect(stray.n).toBe(0)
    // Authors follow what they posted; nobody presses "me too" on their own problem.
    const loose = await one<{ unfollowed: number; ownMeToo: number; staffMeToo: number }>(sql`
      select
        (select count(*) from posts p where p.kind <> 'workaround'
           and not exists (select 1 from follows f where f.post_id = p.id and f.user_id = p.author_id))::int as unfollowed,
        (select count(*) from me_toos m join posts p on p.id = m.post_id where p.author_id = m.user_id)::int as "ownMeToo",
        (select count(*) from me_toos m join users u on u.id = m.user_id where u.role <> 'customer')::int as "staffMeToo"`)
    expect(loose).toEqual({ unfollowed: 0, ownMeToo: 0, staffMeToo: 0 })
  })

  it('places everything in time: nothing in the future, activity never before creation', async () => {
    const times = await one<{ future: number; backwards: number; repliesBefore: number; acceptedBefore: number }>(sql`
      select
        ((select count(*) from posts where created_at > now() or last_activity_at > now() or updated_at > now())
          + (select count(*) from replies where created_at > now())
          + (select count(*) from me_toos where created_at > now()))::int as future,
        (select count(*) from posts where last_activity_at < created_at or updated_at < created_at)::int as backwards,
        (select count(*) from replies r join posts p on p.id = r.post_id where r.created_at < p.created_at)::int as "repliesBefore",
        (select count(*) from posts w where w.accepted_at < w.created_at or w.verified_at < w.created_at)::int as "acceptedBefore"`)
    expect(times).toEqual({ future: 0, backwards: 0, repliesBefore: 0, acceptedBefore: 0 })
    const span = await one<{ oldest: number }>(sql`select extract(epoch from now() - min(created_at))::int / 86400 as oldest from posts`)
    expect(span.oldest).toBeGreaterThanOrEqual(90)
  })

  it('leaves unanswered problems for the support queue, staff-only notes and moderated posts', async () => {
    const queue = await one<{ recent: number; total: number }>(sql`
      select count(*) filter (where created_at > now() - interval '3 days')::int as recent, count(*)::int as total
      from posts where kind = 'problem' and state = 'open' and first_response_at is null and hidden_at is null and visibility = 'community'`)
    expect(queue.recent).toBeGreaterThanOrEqual(5)
    expect(queue.total).toBeGreaterThan(queue.recent)
    const moderation = await one<{ staff: number; staffByCustomers: number; hidden: number; hiddenWithoutReason: number; hiddenReplies: number; edited: number; editedWithoutRevision: number }>(sql`
      select count(*) filter (where p.visibility = 'staff')::int as staff,
             count(*) filter (where p.visibility = 'staff' and u.role = 'customer')::int as "staffByCustomers",
             count(*) filter (where p.hidden_at is not null)::int as hidden,
             count(*) filter (where p.hidden_at is not null and (p.hidden_reason is null or p.hidden_by_id is null))::int as "hiddenWithoutReason",
             (select count(*) from replies where hidden_at is not null and hidden_reason is not null)::int as "hiddenReplies",
             count(*) filter (where p.edited_at is not null)::int as edited,
             count(*) filter (where p.edited_at is not null and not exists (select 1 from revisions r where r.post_id = p.id))::int as "editedWithoutRevision"
      from posts p join users u on u.id = p.author_id`)
    expect(moderation.staff).toBeGreaterThanOrEqual(2)
    expect(moderation.staffByCustomers).toBe(0)
    expect(moderation.hidden).toBeGreaterThanOrEqual(1)
    expect(moderation.hiddenWithoutReason).toBe(0)
    expect(moderation.hiddenReplies).toBeGreaterThanOrEqual(1)
    expect(moderation.edited).toBeGreaterThanOrEqual(1)
    expect(moderation.editedWithoutRevision).toBe(0)
    const support = await one<{ n: number }>(sql`
      select count(*)::int as n from replies r join users u on u.id = r.author_id where u.email like '%@vendor.test'`)
    expect(support.n).toBeGreaterThanOrEqual(20)
  })

  it('gives alice, bob and carol a lived-in hub', async () => {
    const kinds = await rows<{ email: string; kinds: number }>(sql`
      select u.email, count(distinct p.kind)::int as kinds from users u join posts p on p.author_id = u.id
      where u.email in ('alice@customer-a.test', 'bob@customer-b.test', 'carol@customer-c.test') group by u.email order by u.email`)
    expect(kinds).toEqual([
      { email: 'alice@customer-a.test', kinds: 4 },
      { email: 'bob@customer-b.test', kinds: 4 },
      { email: 'carol@customer-c.test', kinds: 4 },
    ])
    const alice = await one<{ open: number; solvedByBob: number }>(sql`
      select
        (select count(*) from posts p join users a on a.id = p.author_id
          where a.email = 'alice@customer-a.test' and p.kind = 'problem' and p.state = 'open')::int as open,
        (select count(*) from posts p join users a on a.id = p.author_id
           join posts w on w.problem_id = p.id join users b on b.id = w.author_id
          where a.email = 'alice@customer-a.test' and p.state = 'solved'
            and b.email = 'bob@customer-b.test' and w.accepted_at is not null and w.accepted_by_id = a.id)::int as "solvedByBob"`)
    expect(alice.open).toBeGreaterThanOrEqual(1)
    expect(alice.solvedByBob).toBeGreaterThanOrEqual(1)
    // carol planned a move that someone at bob's organization also plans.
    const sameMove = await one<{ n: number }>(sql`
      select count(*)::int as n from posts c join users cu on cu.id = c.author_id
      join posts b on b.kind = 'migration' and b.to_version_id = c.to_version_id and b.migration_status in ('planned', 'in_progress')
      join users bu on bu.email = 'bob@customer-b.test' and bu.organization_id = b.organization_id
      where cu.email = 'carol@customer-c.test' and c.kind = 'migration' and c.migration_status = 'planned'
        and c.window_start >= ${today}::date`)
    expect(sameMove.n).toBeGreaterThanOrEqual(1)
  })

  it('adds customer people and organizations, one of them quiet for a while', async () => {
    const orgs = await rows<{ name: string; people: number; domains: number; daysSince: number }>(sql`
      select o.name,
        (select count(*) from users u where u.organization_id = o.id)::int as people,
        (select count(*) from organization_domains d where d.organization_id = o.id)::int as domains,
        extract(epoch from now() - greatest(
          (select max(p.created_at) from posts p where p.organization_id = o.id),
          (select max(r.created_at) from replies r join users u on u.id = r.author_id where u.organization_id = o.id)))::int / 86400 as "daysSince"
      from organizations o where not o.is_vendor order by o.name`)
    expect(orgs.length).toBeGreaterThanOrEqual(4)
    expect(orgs.every((o) => o.people >= 2 && o.domains === 1)).toBe(true)
    // "Quiet customers" (not heard from in 60 days) has exactly one organization to show.
    expect(orgs.filter((o) => o.daysSince >= 60).map((o) => o.name)).toEqual(['Elmhurst Energy Cooperative'])
    expect(orgs.filter((o) => o.daysSince < 7).length).toBe(orgs.length - 1)
    const declined = await one<{ n: number }>(sql`select count(*)::int as n from users where not introductions_enabled`)
    expect(declined.n).toBeGreaterThanOrEqual(1)
  })

  it('shows Elmhurst Energy Cooperative, and only it, under Quiet customers, with its people’s last sign-ins', async () => {
    const [support] = await rows<{ id: string; role: 'support'; organizationId: string; name: string; email: string }>(sql`
      select id, role::text as role, organization_id as "organizationId", name, email from users where email = 'support@vendor.test'`)
    const quiet = await quietOrganizations(support!, { now: seededAt, days: 60 })
    expect(quiet.ok).toBe(true)
    if (!quiet.ok) return
    expect(quiet.value.organizations.map((o) => o.name)).toEqual(['Elmhurst Energy Cooperative'])
    const [elmhurst] = quiet.value.organizations
    expect(elmhurst!.silentDays).toBeGreaterThanOrEqual(75)
    expect(elmhurst!.people.length).toBeGreaterThanOrEqual(2)
    // Those who wrote something signed in before they did; nobody there signed in since it went quiet.
    expect(elmhurst!.people.filter((p) => p.lastSignInAt).length).toBeGreaterThanOrEqual(1)
    // Everyone else signed in recently enough to be heard from in the last week.
    const recent = await one<{ n: number }>(sql`
      select count(distinct o.id)::int as n from organizations o join users u on u.organization_id = o.id
      where not o.is_vendor and u.last_sign_in_at > now() - interval '7 days'`)
    expect(recent.n).toBe((await one<{ n: number }>(sql`select count(*)::int as n from organizations where not is_vendor`)).n - 1)
  })

  it('gives one widely-felt open problem support’s status timeline, in order and in the past', async () => {
    const timeline = await rows<{ status: string; author: string; after: boolean; past: boolean; meToos: number; state: string; activity: boolean }>(sql`
      select s.status::text as status, u.email as author, s.created_at > p.created_at as after, s.created_at <= now() as past,
        p.me_too_count as "meToos", p.state::text as state, p.last_activity_at >= s.created_at as activity
      from status_updates s join posts p on p.id = s.post_id join users u on u.id = s.author_id
      order by s.created_at`)
    expect(timeline.map((t) => t.status)).toEqual(['investigating', 'identified', 'fix_deployed'])
    expect(timeline.every((t) => t.after && t.past && t.activity && t.meToos >= 3 && t.state !== 'solved')).toBe(true)
    expect(new Set(timeline.map((t) => t.author))).toEqual(new Set(['tomas@vendor.test', 'support@vendor.test']))
  })

  it('inserts directly: no emails, notifications or audit entries', async () => {
    const counts = await tableCounts()
    expect({ outbox: counts.outbox, notifications: counts.notifications, audit: counts.audit_log }).toEqual({
      outbox: 0,
      notifications: 0,
      audit: 0,
    })
  })

  it('does nothing on a database that already has people', async () => {
    const before = await tableCounts()
    expect(await seedDemoIfEmpty({ password: PASSWORD })).toBeNull()
    expect(await tableCounts()).toEqual(before)
  })

  it('builds the same world on every fresh start, placed relative to the moment of seeding', async () => {
    // Times as offsets from the newest post, so two seeds milliseconds apart compare equal;
    // everything as text, so PGlite and PostgreSQL answers compare too.
    const fingerprint = () =>
      rows<Record<string, string>>(sql`
        select concat_ws('|', p.kind, p.title, md5(p.body), p.state, p.migration_status, p.window_start::text, p.window_end::text,
                 p.me_too_count, p.reply_count, u.email, p.visibility, p.hidden_reason, p.accepted_at is not null, p.verified_at is not null,
                 round(extract(epoch from (select max(created_at) from posts) - p.created_at) * 1000),
                 round(extract(epoch from (select max(created_at) from posts) - p.last_activity_at) * 1000)) as row
        from posts p join users u on u.id = p.author_id order by 1`)
    const seededHere = await fingerprint()
    const original = getDatabaseHandle()
    const fresh = await openFreshDatabase()
    let seededAgain: Record<string, string>[]
    try {
      setDatabase(fresh.handle)
      await seedDemoIfEmpty({ password: PASSWORD, now: seededAt })
      seededAgain = await fingerprint()
    } finally {
      setDatabase(original)
      await fresh.dispose()
    }
    expect(seededAgain.length).toBe(seededHere.length)
    expect(seededAgain).toEqual(seededHere)
    // The freshest activity is from the hours before the seed ran.
    const newest = await one<{ hours: number }>(sql`select extract(epoch from now() - max(created_at))::int / 3600 as hours from posts`)
    expect(newest.hours).toBeLessThan(12)
  }, 120_000)
})
