/**
 * Calls route loaders and actions the way the HTTP server does, without a
 * server: a Request, a fresh load context, and the outcome unwrapped
 * (a `data()` result, a plain object, or a thrown redirect/error Response).
 */
import { type AppLoadContext } from '@remix-run/node'
import { createSession } from '~/modules/auth/session.server'

type RouteFn = (args: { request: Request; context: AppLoadContext; params: Record<string, string | undefined> }) => unknown

export type Outcome = {
  status: number
  data: { errors?: Record<string, string[] | undefined>; values?: Record<string, string> } & Record<string, unknown>
  headers: Headers
  context: AppLoadContext
}

export async function signedInCookie(userId: string) {
  const { token } = await createSession(userId)
  return `switchboard_session=${token}`
}

async function call(fn: RouteFn, request: Request, params: Record<string, string>, clientIp = '203.0.113.7'): Promise<Outcome> {
  const context: AppLoadContext = { cspNonce: 'test', clientIp, responseCookies: [] }
  let value: unknown
  try {
    value = await fn({ request, context, params })
  } catch (thrown) {
    value = thrown
  }
  // A thrown error (not a Response or data()) is what Remix answers with 500.
  if (value instanceof Error) {
    return { status: 500, data: { error: value.message }, headers: new Headers(), context }
  }
  if (value instanceof Response) {
    const text = await value.text()
    return { status: value.status, data: { text }, headers: value.headers, context }
  }
  const wrapped = value as { type?: string; data?: unknown; init?: { status?: number; headers?: HeadersInit } | null }
  if (wrapped && wrapped.type === 'DataWithResponseInit') {
    return {
      status: wrapped.init?.status ?? 200,
      data: wrapped.data as Outcome['data'],
      headers: new Headers(wrapped.init?.headers),
      context,
    }
  }
  return { status: 200, data: (value ?? {}) as Outcome['data'], headers: new Headers(), context }
}

export function postForm(
  action: RouteFn,
  path: string,
  fields: Record<string, string> | URLSearchParams,
  { cookie, params = {}, clientIp }: { cookie?: string; params?: Record<string, string>; clientIp?: string } = {},
) {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' }
  if (cookie) headers.Cookie = cookie
  const request = new Request(`http://switchboard.test${path}`, {
    method: 'POST',
    headers,
    body: fields instanceof URLSearchParams ? fields : new URLSearchParams(fields),
  })
  return call(action, request, params, clientIp)
}

export function get(loader: RouteFn, path: string, { cookie, params = {} }: { cookie?: string; params?: Record<string, string> } = {}) {
  const request = new Request(`http://switchboard.test${path}`, { headers: cookie ? { Cookie: cookie } : {} })
  return call(loader, request, params)
}
