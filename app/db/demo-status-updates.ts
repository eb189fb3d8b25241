/**
 * The demo world's status updates: support's timeline on the problem that
 * most customers have too — bob's replication slot that keeps WAL on quiet
 * databases — from "investigating" to "fix deployed — please test", so the
 * problem page, its badge and the timeline have something to show on a
 * fresh start.
 *
 * Called from seedDemoIfEmpty (app/db/seed.ts) inside its transaction, after
 * the posts are written. It finds the problem in what was seeded (by its
 * author and tag; any widely-felt unsolved problem otherwise, with words
 * that fit any problem) and skips quietly when there is none. Direct
 * inserts only: no notifications, no emails, no audit entries, like the rest
 * of the seed. Times fall between the problem's creation and `now`, and the
 * problem's last activity moves to the newest update.
 */
import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm'
import { newId } from '~/utils/result'
import { type Executor } from './client.server'
import { posts, postTags, statusUpdates, users, type StatusUpdateKind } from './schema'

type Step = {
  status: StatusUpdateKind
  /** Who writes it. */
  by: 'support@vendor.test' | 'tomas@vendor.test'
  /** Where it falls between the problem's creation (0) and now (1). */
  at: number
  body: string
}

/** For the retained-WAL problem. */
const WAL_STEPS: Step[] = [
  {
    status: 'investigating',
    by: 'tomas@vendor.test',
    at: 0.3,
    body: `Thank you, everyone who pressed “me too”: this is not one odd installation. We are reproducing it in our lab on PostgreSQL 14 and 15 with a busy database whose replicated tables rarely change.

Until we know more, the heartbeat workaround on this page keeps the slot moving, and \`max_slot_wal_keep_size\` protects the disk.`,
  },
  {
    status: 'identified',
    by: 'tomas@vendor.test',
    at: 0.55,
    body: `We found the cause. Relay Sync tells PostgreSQL how far it has read only after a change to a **replicated** table arrives. When only other schemas are busy, that never happens, so the slot keeps every WAL segment since the last replicated change.

The fix: confirm the current position on every keepalive, whether or not anything replicated changed.`,
  },
  {
    status: 'fix_deployed',
    by: 'support@vendor.test',
    at: 0.85,
    body: `The fix is released in the current Relay Sync patch builds for 2.8 and 3.0. Please upgrade a test pipeline first and check the retained WAL with the query from the problem: it should stay at a few MB.

Tell us here whether it holds for you. You can keep the heartbeat; it does no harm.`,
  },
]

/** For any other widely-felt problem, when the seeded world has no retained-WAL one. */
const GENERIC_STEPS: Step[] = [
  {
    status: 'investigating',
    by: 'support@vendor.test',
    at: 0.35,
    body: 'Several customers report this, so we are looking into it as a product issue. We will post here as soon as we know more.',
  },
  {
    status: 'fix_in_progress',
    by: 'tomas@vendor.test',
    at: 0.75,
    body: 'We know the cause and a fix is being tested. Until it ships, the workarounds on this page are the way to go.',
  },
]

async function widelyFeltProblem(tx: Executor) {
  const unsolvedCommunityProblem = and(
    eq(posts.kind, 'problem'),
    ne(posts.state, 'solved'),
    eq(posts.visibility, 'community'),
    isNull(posts.hiddenAt),
  )
  const [wal] = await tx
    .select({ id: posts.id, createdAt: posts.createdAt, lastActivityAt: posts.lastActivityAt })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(postTags, and(eq(postTags.postId, posts.id), eq(postTags.tag, 'replication-slot')))
    .where(and(unsolvedCommunityProblem, eq(users.email, 'bob@customer-b.test')))
    .orderBy(desc(posts.meTooCount), posts.id)
    .limit(1)
  if (wal) return { problem: wal, steps: WAL_STEPS }
  const [other] = await tx
    .select({ id: posts.id, createdAt: posts.createdAt, lastActivityAt: posts.lastActivityAt })
    .from(posts)
    .where(and(unsolvedCommunityProblem, sql`${posts.meTooCount} >= 3`))
    .orderBy(desc(posts.meTooCount), posts.id)
    .limit(1)
  return other ? { problem: other, steps: GENERIC_STEPS } : null
}

/** Seeds support's status updates on one widely-felt problem; returns how many. */
export async function seedStatusUpdates(tx: Executor, { now }: { now: Date }): Promise<number> {
  const found = await widelyFeltProblem(tx)
  if (!found) return 0
  const { problem, steps } = found
  const staff = await tx
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(sql`${users.email} in ('support@vendor.test', 'tomas@vendor.test')`)
  const idOf = (email: string) => staff.find((person) => person.email === email)?.id
  const span = now.getTime() - problem.createdAt.getTime()
  const rows = steps
    .filter((step) => idOf(step.by))
    .map((step) => ({
      id: newId(),
      postId: problem.id,
      authorId: idOf(step.by)!,
      status: step.status,
      body: step.body,
      createdAt: new Date(problem.createdAt.getTime() + Math.round(span * step.at)),
    }))
  if (!rows.length) return 0
  await tx.insert(statusUpdates).values(rows)
  const newest = rows.at(-1)!.createdAt
  if (newest > problem.lastActivityAt) {
    await tx.update(posts).set({ lastActivityAt: newest }).where(eq(posts.id, problem.id))
  }
  return rows.length
}
