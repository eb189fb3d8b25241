/**
 * The HTTP server around Remix. Everything that must hold for every request,
 * whatever route answers, lives here rather than in routes:
 * - security headers (with a fresh CSP nonce) on every response, errors too;
 * - `/healthz`, answering within 1 s with the hub's state (200 only when ready);
 * - a fast 503 while the hub starts, while its database is unreachable, and
 *   when more requests arrive than it answers at once plus a bounded queue
 *   (server/admission.ts; sign-in keeps reserved slots);
 * - one CSRF check for every state-changing request (app/modules/auth/csrf.server.ts);
 * - request bodies over 1 MB refused with 413 before anything parses them;
 * - the request's abort signal made reachable to the database layer, which
 *   cancels reads whose client went away (app/utils/request-scope.server.ts);
 * - `Cache-Control: private, no-store` on every page and data answer that
 *   does not choose its own (pages carry a per-response nonce and, signed in,
 *   private data);
 * - cookies that domain code asked for (`context.responseCookies`);
 * - a request log with credentials masked (server/request-log.ts).
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { createRequestHandler, writeReadableStreamToWritable, type RequestHandler, type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express, { type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express'
import { checkCsrf } from '../app/modules/auth/csrf.server'
import { type Env } from '../app/utils/env.server'
import { runInRequestScope, type RequestScope } from '../app/utils/request-scope.server'
import { Admission } from './admission'
import { requestLogger } from './request-log'

export const MAX_BODY_BYTES = 1024 * 1024

/** What the Remix build's entry.server exports for the server (see app/entry.server.tsx). */
export type EntryExtras = {
  boot(): Promise<void>
  health(): Promise<{ status: string; detail?: string }>
  shutdown(): Promise<void>
}

export type BuildSource = {
  /**
   * The current build. Production returns one build for the process; in
   * development Vite returns the same module until a change reloads it, and
   * the request handler is rebuilt only then.
   */
  load(): Promise<ServerBuild>
  /** Vite's middlewares in development, for assets and HMR. */
  devMiddleware?: express.RequestHandler
}

function contentSecurityPolicy(nonce: string, e: Env) {
  const dev = e.NODE_ENV === 'development'
  const https = e.PUBLIC_URL.startsWith('https://')
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // Vite injects styles inline while developing; the built CSS is a file.
    // The server's own plain pages (503, 403…) style themselves with a nonce'd <style>.
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    dev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ')
}

function securityHeaders(e: Env) {
  const https = e.PUBLIC_URL.startsWith('https://')
  return (_req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const nonce = crypto.randomBytes(16).toString('base64')
    res.locals.cspNonce = nonce
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce, e))
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'same-origin')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()')
    if (https) res.setHeader('Strict-Transport-Security', 'max-age=63072000; includeSubDomains')
    next()
  }
}

/**
 * A small, self-contained HTML page for answers that never reach Remix.
 * Its style is a nonce'd element, not style attributes, which the CSP blocks.
 */
function plainPage(res: ExpressResponse, status: number, title: string, message: string, extra: Record<string, string> = {}) {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  const nonce = escape(String(res.locals.cspNonce ?? ''))
  res.status(status)
  res.setHeader('Cache-Control', 'no-store')
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value)
  res.type('html').send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)} · Switchboard</title>` +
      `<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937}.brand{color:#1d4ed8;font-weight:700}</style></head>` +
      `<body><main><p class="brand">Switchboard</p><h1>${escape(title)}</h1><p>${escape(message)}</p><p><a href="/">Go to the home page</a></p></main></body></html>`,
  )
}

/** Seconds a client is asked to wait before trying again, per reason. */
const RETRY_AFTER = { starting: '5', unreachable: '10', busy: '2' } as const

const startingPage = (res: ExpressResponse) =>
  plainPage(res, 503, 'Switchboard is starting', 'The hub is getting ready. Try again in a few seconds.', { 'Retry-After': RETRY_AFTER.starting })

const unreachablePage = (res: ExpressResponse) =>
  plainPage(
    res,
    503,
    'The database is unreachable',
    'Switchboard cannot reach its database right now. Try again shortly; if you were saving something, check whether it arrived before sending it again — what you typed is still in your browser if you go back.',
    { 'Retry-After': RETRY_AFTER.unreachable },
  )

const busyPage = (res: ExpressResponse) =>
  plainPage(res, 503, 'Switchboard is busy', 'More requests arrived than the hub can answer at once. Nothing was changed. Try again in a few seconds.', {
    'Retry-After': RETRY_AFTER.busy,
  })

/** Marks a request given up on because the database went silent while it ran. */
const OUTAGE = Symbol('outage')
/** How often a running request checks whether the database went away under it. */
const OUTAGE_CHECK_MS = 500

/** A request that waited this long for a slot gets the busy page instead. */
const MAX_QUEUE_WAIT_MS = 5_000
/** Slots beyond MAX_IN_FLIGHT that only sign-in may take, so people can sign in on a saturated hub. */
const SIGN_IN_RESERVE = 4

/** Sign-in (the page and its form, as a document or a data request) has reserved capacity. */
const isSignIn = (path: string) => path === '/login' || path === '/login.data'

function requestHeaders(req: ExpressRequest) {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.set(name, value)
  }
  return headers
}

async function sendResponse(res: ExpressResponse, response: Response) {
  res.status(response.status)
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.append(name, value)
  }
  for (const cookie of response.headers.getSetCookie()) res.append('Set-Cookie', cookie)
  // Pages and data are never stored by the browser or a proxy unless a
  // route says otherwise (feeds and calendars set their own).
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'private, no-store')
  if (response.body) await writeReadableStreamToWritable(response.body, res)
  else res.end()
}

export type CreateAppOptions = {
  env: Env
  source: BuildSource
  /** The built client (assets, public files); default build/client. */
  clientDir?: string
}

/** The Express app: every guard above, then Remix. */
export function createApp({ env: e, source, clientDir = path.resolve('build/client') }: CreateAppOptions) {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', e.TRUST_PROXY)

  let entry: EntryExtras | undefined
  const entryOf = async () => (entry ??= (await source.load()).entry.module as unknown as EntryExtras)

  // The request handler is built once per build: building it walks every
  // route, which cost as much as rendering the cheapest page when it was
  // done per request.
  let built: { build: ServerBuild; handle: RequestHandler } | undefined
  const handlerOf = (build: ServerBuild) => {
    if (built?.build !== build) built = { build, handle: createRequestHandler(build, e.NODE_ENV === 'development' ? 'development' : 'production') }
    return built.handle
  }

  /**
   * Resolves to OUTAGE if health turns to `database unreachable` while
   * `answer` is pending (checked every OUTAGE_CHECK_MS after the first
   * OUTAGE_CHECK_MS); never resolves otherwise.
   */
  const outageDuring = (answer: Promise<unknown>) =>
    new Promise<typeof OUTAGE>((resolve) => {
      let settled = false
      let timer: NodeJS.Timeout | undefined
      const later = () => {
        if (!settled) timer = setTimeout(check, OUTAGE_CHECK_MS).unref()
      }
      const check = () => {
        entryOf()
          .then((entry) => entry.health())
          .then((status) => (status.status === 'database unreachable' ? resolve(OUTAGE) : later()), later)
      }
      answer
        .finally(() => {
          settled = true
          clearTimeout(timer)
        })
        .catch(() => {})
      later()
    })

  const admission = new Admission({ maxInFlight: e.MAX_IN_FLIGHT, maxQueued: e.MAX_QUEUED_REQUESTS, reserved: SIGN_IN_RESERVE, maxWaitMs: MAX_QUEUE_WAIT_MS })

  app.use(securityHeaders(e))
  // Level 4 (zlib's default is 6) gives nearly the same size for HTML at a
  // fraction of the CPU; bodies under 2 KB are not worth a compressor.
  app.use(compression({ level: 4, threshold: 2048 }))
  if (e.LOG_REQUESTS ?? e.NODE_ENV !== 'test') app.use(requestLogger())

  // Outside admission control: a load balancer must get its answer when the
  // hub is busy. health() pings the database at most once a second, with a
  // timeout, so this answers within 1 s in every state.
  app.get('/healthz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store')
    try {
      const status = await (await entryOf()).health()
      res.status(status.status === 'ready' ? 200 : 503).json({ ...status, pid: process.pid })
    } catch (error) {
      res.status(503).json({ status: 'starting', detail: error instanceof Error ? error.message : 'starting', pid: process.pid })
    }
  })

  if (source.devMiddleware) {
    app.use(source.devMiddleware)
  } else {
    app.use('/assets', express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '1y' }))
    // Public files all have an extension; a page address has none, and
    // asking the file system for every page view cost a stat() each.
    const publicFiles = express.static(clientDir, { maxAge: '1h', index: false })
    app.use((req, res, next) => (path.extname(req.path) ? publicFiles(req, res, next) : next()))
  }

  // Central CSRF check: one place, every route, before any body is read.
  app.use((req, res, next) => {
    const verdict = checkCsrf({
      method: req.method,
      host: (e.TRUST_PROXY ? req.get('X-Forwarded-Host') : undefined) ?? req.get('Host'),
      origin: req.get('Origin'),
      secFetchSite: req.get('Sec-Fetch-Site'),
    })
    if (verdict.allowed) return next()
    console.warn(`[csrf] refused ${req.method} ${req.path}: ${verdict.reason}`)
    plainPage(res, 403, 'This request was refused', 'It did not come from a Switchboard page, so nothing was changed. Go back to the page, reload it and try again.')
  })

  // The gate, before any body is read: not ready → 503; too many at once → 503.
  app.use(async (req, res, next) => {
    try {
      const status = await (await entryOf()).health()
      if (status.status === 'database unreachable') return unreachablePage(res)
      if (status.status !== 'ready' && status.status !== 'warming') return startingPage(res)
      const gone = new AbortController()
      const onClose = () => gone.abort()
      res.once('close', onClose)
      const release = await admission.admit({ priority: isSignIn(req.path), signal: gone.signal })
      res.off('close', onClose)
      if (!release) return gone.signal.aborted ? undefined : busyPage(res)
      res.once('close', release)
      next()
    } catch (error) {
      next(error)
    }
  })

  // Bodies are read here, capped at 1 MB: body-parser refuses a larger
  // Content-Length at once and stops reading a chunked body at the limit.
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }))

  app.all('*', async (req, res, next) => {
    try {
      const handle = handlerOf(await source.load())
      const controller = new AbortController()
      // Only a client that left before its answer was complete aborts.
      res.on('close', () => {
        if (!res.writableFinished) controller.abort()
      })
      const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined
      const url = new URL(req.originalUrl, `${req.protocol}://${req.get('Host') ?? 'localhost'}`)
      const reads = req.method === 'GET' || req.method === 'HEAD'
      const request = new Request(url.href, {
        method: req.method,
        headers: requestHeaders(req),
        body: reads ? undefined : (body as Uint8Array<ArrayBuffer> | undefined),
        signal: controller.signal,
      })
      const context = { cspNonce: res.locals.cspNonce as string, clientIp: req.ip ?? null, responseCookies: [] as string[] }
      // Reads are cancelled when their client leaves; a submitted form is
      // carried through (see request-scope.server.ts).
      const scope: RequestScope = reads ? { signal: controller.signal } : {}
      const answer = runInRequestScope(scope, () => handle(request, context))
      const response = await Promise.race([answer, outageDuring(answer)])
      if (response === OUTAGE) {
        // A database that stopped answering (no refusal, just silence) would
        // hold this request until TCP gives up; answer now, and let the
        // handler finish or fail on its own.
        controller.abort()
        answer.then((late) => late.body?.cancel().catch(() => {}), () => {})
        return unreachablePage(res)
      }
      if (response.status >= 500 && scope.databaseFailure) {
        await response.body?.cancel().catch(() => {})
        return unreachablePage(res)
      }
      for (const cookie of context.responseCookies) response.headers.append('Set-Cookie', cookie)
      await sendResponse(res, response)
    } catch (error) {
      next(error)
    }
  })

  // Errors outside Remix (an oversized body, a malformed request, a bug here).
  app.use((error: { status?: number; type?: string }, _req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    if (res.headersSent) return next(error)
    if (error.type === 'entity.too.large' || error.status === 413) {
      return plainPage(res, 413, 'That was too much to send', 'Requests are limited to 1 MB. Shorten the text or leave out large pasted content, then try again.')
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      return plainPage(res, error.status, 'That request could not be read', 'Go back, reload the page and try again.')
    }
    console.error('[server] unhandled error:', error)
    plainPage(res, 500, 'Something went wrong on our side', 'The error was logged. Try again in a moment; if it keeps happening, tell the support team.')
  })

  return app
}
