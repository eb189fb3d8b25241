/**
 * The request log: one line per request with method, route, status, size
 * and duration — and never a secret. Several addresses carry a credential
 * in their path (a calendar feed fetched all day by calendar apps, links to
 * reset a password, confirm a sign-up, accept an invitation or confirm a new
 * email address), and a log is read by more people, and kept longer, than
 * those links live. The logged URL shows the route pattern instead
 * (`GET /reset-password/:token`), and query values whose name says they are
 * secret are masked as well.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http'
import morgan from 'morgan'

/** First path segments whose next segment is a credential. */
const TOKEN_ROUTES = ['calendar', 'reset-password', 'signup', 'invitations', 'email-change']
const TOKEN_PATH = new RegExp(`^/(${TOKEN_ROUTES.join('|')})/([^/?#]+)`)
/** Suffixes kept after the mask: the calendar's file type, Remix's data requests. */
const KEPT_SUFFIX = /((?:\.ics)?(?:\.data)?)$/i
/** Query parameters whose value is a secret wherever they appear. */
const SECRET_PARAM = /^(token|key|secret|code|signature|sig|password|auth|session|otp)$/i

function maskPath(path: string) {
  return path.replace(TOKEN_PATH, (_all, route: string, segment: string) => `/${route}/:token${KEPT_SUFFIX.exec(segment)?.[1] ?? ''}`)
}

/**
 * `url` (a request target: path and query) with every credential masked:
 * token paths become their route pattern, secret query values become
 * `:token`, and a path passed as a query value (`redirectTo=/reset-password/…`)
 * is masked the same way.
 */
export function maskUrl(url: string): string {
  const at = url.indexOf('?')
  const path = maskPath(at < 0 ? url : url.slice(0, at))
  if (at < 0) return path
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      if (eq < 0) return pair
      const name = pair.slice(0, eq)
      let value: string
      try {
        value = decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '))
      } catch {
        return `${name}=:masked`
      }
      if (SECRET_PARAM.test(name)) return `${name}=:token`
      const masked = maskPath(value)
      return masked === value ? pair : `${name}=${encodeURIComponent(masked)}`
    })
    .join('&')
  return `${path}?${query}`
}

morgan.token('masked-url', (req: IncomingMessage & { originalUrl?: string }) => maskUrl(req.originalUrl ?? req.url ?? ''))

/** The line format: `GET /reset-password/:token 200 1234 - 5.123 ms`. */
export const REQUEST_LOG_FORMAT = ':method :masked-url :status :res[content-length] - :response-time ms'

/** The request-log middleware, writing to `stream` (stdout by default). */
export function requestLogger(options: { stream?: { write(line: string): void } } = {}) {
  return morgan<IncomingMessage, ServerResponse>(REQUEST_LOG_FORMAT, options)
}
