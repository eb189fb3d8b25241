/**
 * How a post's change reaches the search index of every app process
 * (docs/decisions/0016):
 *
 * 1. The database keeps the record: triggers on posts, post_tags and
 *    post_versions add a row to `post_changes` in the writing transaction,
 *    whoever writes. Nothing a commit promises the index can be lost.
 * 2. The writing transaction also calls `announcePostChanges`, a
 *    `pg_notify` that PostgreSQL delivers to every listening process only
 *    when the transaction commits (and never when it rolls back). It is only
 *    a wake-up: the processes read the log from their own position.
 * 3. After commit, `emitPostChange` tells this process's listeners at once.
 *
 * A writer that forgets 2 and 3 (plain SQL, a tool) is still caught by
 * every process's periodic reconcile, within SEARCH_RECONCILE_SECONDS.
 * Listeners must not throw into the command that committed: their errors are logged.
 */
import { sql } from 'drizzle-orm'
import { type Executor } from '~/db/client.server'

/** The NOTIFY channel: a notification means "the change log has new rows". */
export const POST_CHANGES_CHANNEL = 'switchboard_post_changes'

type Listener = (postId: string) => void

const holder = globalThis as { __switchboardPostListeners?: Set<Listener> }
const listeners = (holder.__switchboardPostListeners ??= new Set())

/**
 * Inside a writing transaction: has every process sharing the database read
 * the change log when (and only if) `tx` commits. PostgreSQL folds identical
 * notifications of one transaction into one, so calling it twice is free.
 * On the embedded database nobody else listens; it costs one statement.
 */
export async function announcePostChanges(tx: Executor) {
  await tx.execute(sql`select pg_notify(${POST_CHANGES_CHANNEL}, '')`)
}

/** Subscribes to committed post changes in this process; returns the unsubscribe function. */
export function onPostChange(listener: Listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** After commit: tells this process that `postId` changed (created, edited, hidden, accepted…). */
export function emitPostChange(postId: string) {
  for (const listener of listeners) {
    try {
      listener(postId)
    } catch (error) {
      console.error('[posts] a change listener failed:', error)
    }
  }
}
