import { type HeadersFunction } from '@remix-run/node'

/** Headers a loader or action may set that must reach the client. */
const FORWARDED = ['Retry-After', 'Cache-Control']

/**
 * A route `headers` export that forwards Retry-After (and a route's own
 * Cache-Control) from its loader, action or error to the response. Without a
 * `headers` export Remix answers documents and `.data` requests with the
 * parent's headers only, so a 429's Retry-After would never arrive.
 * Use it as `export const headers = limitHeaders`.
 */
export const limitHeaders: HeadersFunction = ({ parentHeaders, loaderHeaders, actionHeaders, errorHeaders }) => {
  const headers = new Headers(parentHeaders)
  for (const source of [loaderHeaders, actionHeaders, errorHeaders]) {
    for (const name of FORWARDED) {
      const value = source?.get(name)
      if (value) headers.set(name, value)
    }
  }
  return headers
}
