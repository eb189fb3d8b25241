/**
 * After a post's write commits, its id is announced here; the search index
 * (and, on PostgreSQL, other app processes) listen. Listeners must not throw
 * into the command that committed: their errors are logged.
 */
type Listener = (postId: string) => void

const holder = globalThis as { __switchboardPostListeners?: Set<Listener> }
const listeners = (holder.__switchboardPostListeners ??= new Set())

/** Subscribes to committed post changes; returns the unsubscribe function. */
export function onPostChange(listener: Listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Announces that `postId` changed (created, edited, hidden, accepted…). */
export function emitPostChange(postId: string) {
  for (const listener of listeners) {
    try {
      listener(postId)
    } catch (error) {
      console.error('[posts] a change listener failed:', error)
    }
  }
}
