/**
 * HTTP helpers for routes: thrown errors that the error boundary turns into
 * a friendly page, and the standard 400 answer of a form that did not pass.
 */
import { data } from '@remix-run/node'
import { type FormFailure } from './forms'
import { type Failure } from './result'

/** Throw from a loader or action: the error boundary shows `message` with the status page. */
export class HttpError extends Response {
  constructor(status: number, message: string, headers?: Record<string, string>) {
    super(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers } })
  }
}

export const notFound = (message = 'We could not find that page.') => new HttpError(404, message)
export const forbidden = (message = 'You do not have access to this.') => new HttpError(403, message)

/** A form's errors and typed values, status 400 (or `status`). */
export function formFailure(failure: FormFailure, status = 400) {
  return data({ errors: failure.errors, values: failure.values }, { status })
}

/** A domain failure shown on a form: its message on its field or the whole form. */
export function commandFailure(
  failure: Failure,
  values: Record<string, string>,
  status = 400,
  headers?: HeadersInit,
) {
  return data(
    { errors: { [failure.field ?? '']: [failure.message] }, values },
    { status, headers },
  )
}

/** Values typed in a form, without password fields, to refill it after a failure. */
export function typedValues(formData: FormData, fields: string[]) {
  const values: Record<string, string> = {}
  for (const field of fields) {
    const value = formData.get(field)
    if (typeof value === 'string' && !/password/i.test(field)) values[field] = value.slice(0, 5000)
  }
  return values
}

/**
 * A form refused by a rate limit: 429 with Retry-After (seconds), the message
 * on the whole form and the typed values kept. The route needs
 * `export const headers = limitHeaders` (utils/limit-headers.ts) for the
 * header to reach the client.
 */
export function limitedFailure<T>(body: T, retryAfter: number) {
  return data(body, { status: 429, headers: { 'Retry-After': String(retryAfter) } })
}

/**
 * A resource route's JSON answer. A real Response, not `data()`: Remix sends
 * a resource route's Response as it is, while on document requests it drops
 * a `data()` init's status and headers (and warns about plain objects).
 * Typed as its body, so that fetchers of the route know what they read.
 */
export function resourceJson<T>(body: T, init?: ResponseInit): T {
  return Response.json(body, init) as unknown as T
}

/** A resource route's JSON answer past a rate limit: 429 with Retry-After (seconds). */
export function limitedJson<T>(body: T, retryAfter: number): T {
  return resourceJson(body, { status: 429, headers: { 'Retry-After': String(retryAfter) } })
}
