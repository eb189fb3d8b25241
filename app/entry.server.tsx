/**
 * Server rendering. Besides rendering, this module is the server's door into
 * the app: it re-exports `boot`, `health` and `shutdown` (app/boot.server.ts)
 * so the HTTP server runs them inside the Remix build, with one copy of every
 * module in development and production alike.
 */
import { PassThrough } from 'node:stream'
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { reportDatabaseFailure } from '~/boot.server'
import { isDatabaseUnreachableError } from '~/db/client.server'
import { isInvalidTextEncoding } from '~/utils/db-errors.server'
import { NonceProvider } from '~/utils/nonce'
import { currentRequestScope } from '~/utils/request-scope.server'

export { boot, health, shutdown } from './boot.server'

export const streamTimeout = 5_000

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? ''
  // Last line of defence: a query that failed on bytes the request sent is its fault (see handleError).
  if (loadContext.badInput && responseStatusCode >= 500) responseStatusCode = 400
  // Bots and no-JS clients get the whole document at once; browsers stream.
  const readyEvent = isbot(request.headers.get('user-agent') ?? '') ? 'onAllReady' : 'onShellReady'
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={streamTimeout} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true
          const body = new PassThrough()
          responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          )
          pipe(body)
        },
        onShellError(error: unknown) {
          reject(error)
        },
        onError(error: unknown) {
          responseStatusCode = 500
          // Errors after the shell are logged here; before it, by Remix.
          if (shellRendered) console.error(error)
        },
      },
    )
    setTimeout(abort, streamTimeout + 1000)
  })
}

/**
 * Errors thrown by loaders, actions and rendering.
 * - One whose cause is an unreachable database is noted on the request's
 *   scope — the server then answers 503 "database unreachable" instead of a
 *   500 — and logged as one line rather than a stack per request during an outage.
 * - A NUL byte that slipped past the central id and filter checks
 *   (app/utils/params.server.ts) makes PostgreSQL refuse the query (22021);
 *   that is bad input, not a bug: it is noted on the context so the answer
 *   becomes 400, and logged on one line rather than as a stack, so visitors
 *   cannot fill the error log at will.
 */
export function handleError(error: unknown, { request, context }: { request: Request; context?: AppLoadContext }) {
  if (isDatabaseUnreachableError(error)) {
    reportDatabaseFailure(error)
    const scope = currentRequestScope()
    if (scope) scope.databaseFailure = error instanceof Error ? error.message : String(error)
    if (!request.signal.aborted) console.warn(`[server] a request failed: the database is unreachable (${scope?.databaseFailure ?? String(error)})`)
    return
  }
  if (request.signal.aborted) return
  if (isInvalidTextEncoding(error)) {
    if (context) context.badInput = true
    console.warn(`[request] ${request.method} ${new URL(request.url).pathname}: refused bytes the database cannot store (answered 400)`)
    return
  }
  console.error(error)
}

/** `.data` requests (client navigation): the same 400 for bad bytes as documents get. */
export function handleDataRequest(response: Response, { context }: { context: AppLoadContext }) {
  if (!context.badInput || response.status < 500) return response
  return new Response(response.body, { status: 400, statusText: 'Bad Request', headers: response.headers })
}
