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
 * Errors thrown by loaders, actions and rendering. One whose cause is an
 * unreachable database is noted on the request's scope — the server then
 * answers 503 "database unreachable" instead of a 500 — and logged as one
 * line rather than a stack per request during an outage.
 */
export function handleError(error: unknown, { request }: { request: Request }) {
  if (isDatabaseUnreachableError(error)) {
    reportDatabaseFailure(error)
    const scope = currentRequestScope()
    if (scope) scope.databaseFailure = error instanceof Error ? error.message : String(error)
    if (!request.signal.aborted) console.warn(`[server] a request failed: the database is unreachable (${scope?.databaseFailure ?? String(error)})`)
    return
  }
  if (request.signal.aborted) return
  console.error(error)
}
