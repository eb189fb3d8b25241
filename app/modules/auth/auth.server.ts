/**
 * Request guards: who is signed in, and throwing redirects or 403s for
 * loaders and actions that need someone. A request's session is looked up
 * once and shared by every loader of that request (memoized on its context).
 */
import { type AppLoadContext, redirect } from '@remix-run/node'
import { type Role } from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import { HttpError } from '~/utils/http.server'
import {
  readSessionToken,
  serializeBlankSessionCookie,
  serializeSessionCookie,
  validateSessionToken,
  type Session,
  type SessionMeta,
} from './session.server'

export type Auth = { user: Actor; session: Session } | null

type Args = { request: Request; context: AppLoadContext }

/** The signed-in user and session of this request, or null. */
export async function getAuth({ request, context }: Args): Promise<Auth> {
  context.auth ??= (async (): Promise<Auth> => {
    const token = readSessionToken(request.headers.get('Cookie'))
    if (!token) return null
    const result = await validateSessionToken(token)
    if (!result) {
      // A stale or forged cookie: remove it so the browser stops sending it.
      context.responseCookies.push(serializeBlankSessionCookie())
      return null
    }
    if (result.renewed) context.responseCookies.push(serializeSessionCookie(token, result.session.expiresAt))
    return { user: result.user, session: result.session }
  })()
  return context.auth as Promise<Auth>
}

export async function getOptionalUser(args: Args): Promise<Actor | null> {
  return (await getAuth(args))?.user ?? null
}

/** Where to come back to after signing in: the current path, if it is ours. */
function loginRedirect(request: Request) {
  const url = new URL(request.url)
  const back = url.pathname + url.search
  return redirect(back === '/' ? '/login' : `/login?${new URLSearchParams({ redirectTo: back })}`)
}

/** The signed-in user and session; otherwise redirects to the sign-in page. */
export async function requireAuth(args: Args): Promise<NonNullable<Auth>> {
  const auth = await getAuth(args)
  if (!auth) throw loginRedirect(args.request)
  return auth
}

/** The signed-in user; otherwise redirects to the sign-in page. */
export async function requireUser(args: Args): Promise<Actor> {
  return (await requireAuth(args)).user
}

const RANK: Record<Role, number> = { customer: 0, support: 1, admin: 2 }

/** The signed-in user if their role is at least `role`; otherwise 403. */
export async function requireRole(args: Args, role: Role): Promise<Actor> {
  const user = await requireUser(args)
  if (RANK[user.role] < RANK[role]) {
    throw new HttpError(403, role === 'admin' ? 'This page is for administrators.' : 'This page is for the support team.')
  }
  return user
}

/** Redirects signed-in people away from pages meant for visitors (sign-in, sign-up). */
export async function requireAnonymous(args: Args) {
  if (await getAuth(args)) throw redirect('/')
}

/** The session's metadata to record (shown on the sessions page). */
export function sessionMeta({ request, context }: Args): SessionMeta {
  return { userAgent: request.headers.get('User-Agent'), ipAddress: context.clientIp }
}

/** Stores a new session token in the cookie with the response. */
export function setSessionCookie(context: AppLoadContext, token: string, expiresAt: Date) {
  context.responseCookies.push(serializeSessionCookie(token, expiresAt))
}

export function clearSessionCookie(context: AppLoadContext) {
  context.responseCookies.push(serializeBlankSessionCookie())
}

// Characters that never belong in a redirect target: whitespace (browsers drop
// tabs and newlines from URLs, so `/\t/evil.test` becomes `//evil.test`),
// control and format characters (CR/LF would also break the Location header),
// and backslashes (browsers read `\` as `/`).
const UNSAFE_IN_REDIRECT = /[\s\\\p{Cc}\p{Cf}]/u

/**
 * A same-origin path to go to after signing in; anything else becomes
 * `fallback`. Accepted: a path starting with one `/`, without whitespace,
 * control characters or backslashes, neither as typed nor after
 * percent-decoding its path (the query may carry encoded spaces), that
 * resolves to this origin. Rejected examples: `//evil.test`, `/\\evil.test`,
 * `/\t/evil.test`, `/%09/evil.test`, `https://evil.test`, `/%5C%5Cevil.test`.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/') {
  if (typeof to !== 'string' || to.length > 2048 || UNSAFE_IN_REDIRECT.test(to)) return fallback
  const pathEnd = to.search(/[?#]/)
  let path: string
  try {
    path = decodeURIComponent(pathEnd === -1 ? to : to.slice(0, pathEnd))
  } catch {
    return fallback // malformed percent-encoding
  }
  for (const candidate of [to, path]) {
    if (!candidate.startsWith('/') || candidate.startsWith('//')) return fallback
  }
  if (UNSAFE_IN_REDIRECT.test(path)) return fallback
  // Last check: the browser's own parser must keep it on this origin.
  const base = 'http://switchboard.invalid'
  if (new URL(to, base).origin !== base) return fallback
  return to
}
