/**
 * Cross-site request forgery defence, applied once for every request in the
 * HTTP server (server/app.ts), never per route.
 *
 * A state-changing request (anything but GET, HEAD and OPTIONS) is accepted
 * only when the browser says it came from this site:
 * - `Sec-Fetch-Site: same-origin` (or `none`: typed in the address bar, a
 *   bookmark), sent by every current browser and not settable by pages; or
 * - failing that header (older browsers, non-browser clients), an `Origin`
 *   header whose host equals the request's host.
 * A request with neither is refused: without them we cannot tell a form
 * posted from another site from our own. SameSite=Lax session cookies are a
 * second line of defence, not the first.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export type CsrfInput = {
  method: string
  /** The Host header (or the forwarded host behind a trusted proxy). */
  host: string | undefined
  origin: string | undefined
  secFetchSite: string | undefined
}

export type CsrfVerdict = { allowed: true } | { allowed: false; reason: string }

/** Decides whether a request may change anything. Pure; unit-tested. */
export function checkCsrf(input: CsrfInput): CsrfVerdict {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return { allowed: true }

  const site = input.secFetchSite?.toLowerCase()
  if (site === 'same-origin' || site === 'none') return { allowed: true }
  if (site === 'same-site' || site === 'cross-site') {
    return { allowed: false, reason: `Sec-Fetch-Site is ${site}` }
  }

  if (!input.origin || input.origin === 'null') {
    return { allowed: false, reason: 'no Sec-Fetch-Site and no Origin header' }
  }
  let originHost: string
  try {
    originHost = new URL(input.origin).host
  } catch {
    return { allowed: false, reason: 'malformed Origin header' }
  }
  if (input.host && originHost.toLowerCase() === input.host.toLowerCase()) return { allowed: true }
  return { allowed: false, reason: `Origin ${input.origin} does not match host ${input.host ?? '(none)'}` }
}
