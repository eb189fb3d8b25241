/**
 * The HTTP server around Remix. Everything that must hold for every request,
 * whatever route answers, lives here rather than in routes:
 * - security headers (with a fresh CSP nonce) on every response, errors too;
 * - `/healthz`, answering 503 until the database is connected and migrated;
 * - one CSRF check for every state-changing request (app/modules/auth/csrf.server.ts);
 * - request bodies over 1 MB refused with 413 before anything parses them;
 * - cookies that domain code asked for (`context.responseCookies`).
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { createRequestHandler, writeReadableStreamToWritable, type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express, { type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express'
import morgan from 'morgan'
import { checkCsrf } from '../app/modules/auth/csrf.server'
import { type Env } from '../app/utils/env.server'

export const MAX_BODY_BYTES = 1024 * 1024

/** What the Remix build's entry.server exports for the server (see app/entry.server.tsx). */
export type EntryExtras = {
  boot(): Promise<void>
  health(): Promise<{ status: string; detail?: string }>
  shutdown(): Promise<void>
}

export type BuildSource = {
  /** The current build (reloaded per request in development). */
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
    dev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
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

/** A small, self-contained HTML page for answers that never reach Remix. */
function plainPage(res: ExpressResponse, status: number, title: string, message: string, extra: Record<string, string> = {}) {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  res.status(status)
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value)
  res.type('html').send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)} · Switchboard</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937"><main><p style="color:#1d4ed8;font-weight:700">Switchboard</p><h1>${escape(title)}</h1><p>${escape(message)}</p><p><a href="/">Go to the home page</a></p></main></body></html>`,
  )
}

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
  if (response.body) await writeReadableStreamToWritable(response.body, res)
  else res.end()
}

export function createApp({ env: e, source }: { env: Env; source: BuildSource }) {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', e.TRUST_PROXY)

  let entry: EntryExtras | undefined
  const entryOf = async () => (await source.load()).entry.module as unknown as EntryExtras

  app.use(securityHeaders(e))
  app.use(compression())
  if (e.LOG_REQUESTS ?? e.NODE_ENV !== 'test') app.use(morgan('tiny'))

  app.get('/healthz', async (_req, res) => {
    try {
      entry ??= await entryOf()
      const status = await entry.health()
      res.status(status.status === 'ready' ? 200 : 503).json(status)
    } catch (error) {
      res.status(503).json({ status: 'starting', detail: error instanceof Error ? error.message : 'starting' })
    }
  })

  if (source.devMiddleware) {
    app.use(source.devMiddleware)
  } else {
    const client = path.resolve('build/client')
    app.use('/assets', express.static(path.join(client, 'assets'), { immutable: true, maxAge: '1y' }))
    app.use(express.static(client, { maxAge: '1h', index: false }))
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

  // Bodies are read here, capped at 1 MB: body-parser refuses a larger
  // Content-Length at once and stops reading a chunked body at the limit.
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }))

  app.all('*', async (req, res, next) => {
    try {
      const build = await source.load()
      entry ??= build.entry.module as unknown as EntryExtras
      const status = await entry.health()
      if (status.status !== 'ready' && status.status !== 'warming') {
        return plainPage(res, 503, 'Switchboard is starting', 'The hub is getting ready. Try again in a few seconds.', { 'Retry-After': '5' })
      }
      const handle = createRequestHandler(build, e.NODE_ENV === 'development' ? 'development' : 'production')
      const controller = new AbortController()
      res.on('close', () => controller.abort())
      const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined
      const url = new URL(req.originalUrl, `${req.protocol}://${req.get('Host') ?? 'localhost'}`)
      const request = new Request(url.href, {
        method: req.method,
        headers: requestHeaders(req),
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : (body as Uint8Array<ArrayBuffer> | undefined),
        signal: controller.signal,
      })
      const context = { cspNonce: res.locals.cspNonce as string, clientIp: req.ip ?? null, responseCookies: [] as string[] }
      const response = await handle(request, context)
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
