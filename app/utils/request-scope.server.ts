/**
 * What the HTTP server knows about the request a piece of code runs for,
 * reachable from anywhere below it without passing it down: the request's
 * abort signal (so the database layer can cancel a read whose client has
 * gone) and a note of a database failure seen while answering (so the server
 * can answer 503 "database unreachable" instead of a 500).
 *
 * The storage lives on `globalThis`: the server (server/app.ts) and the
 * Remix build each load their own copy of this module, and both must see
 * the same store.
 */
import { AsyncLocalStorage } from 'node:async_hooks'

export type RequestScope = {
  /**
   * Aborted when the client went away before its answer was sent. Only set
   * for GET/HEAD requests: a form submission is carried through even if its
   * sender closes the tab, so nothing it started is cut in the middle.
   */
  signal?: AbortSignal
  /** Set by the error handler when a query failed because the database is away. */
  databaseFailure?: string
}

const holder = globalThis as { __switchboardRequestScope?: AsyncLocalStorage<RequestScope> }
const storage = (holder.__switchboardRequestScope ??= new AsyncLocalStorage<RequestScope>())

/** Runs `fn` (and everything it starts) inside `scope`. */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn)
}

/** The scope of the request being answered, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore()
}

/**
 * Runs `fn` outside any request scope: for work a request starts that must
 * outlive it (a background catch-up, a job), so that a client going away
 * never cancels it.
 */
export function outsideRequestScope<T>(fn: () => T): T {
  return storage.exit(fn)
}
