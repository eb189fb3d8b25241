/**
 * Path parameters and URL filters, checked before they reach a query.
 *
 * Anything a visitor types into an address arrives here, and PostgreSQL
 * refuses some of it outright (a NUL byte: `invalid byte sequence for
 * encoding "UTF8": 0x00`), which would be a 500 and an error log line per
 * request, at will. Every id, slug and filter has a known shape, so one that
 * does not fit names nothing: a path parameter is a 404, a filter is ignored.
 */
import { notFound } from './http.server'
import { isSafeId, isSafeSlug } from './forms'

type Args = { params: Record<string, string | undefined> }

/** The row id in the path (`/posts/:id`), or a thrown 404 when it cannot be one. */
export function idParam(args: Args, name = 'id'): string {
  const value = args.params[name]
  if (!isSafeId(value)) throw notFound()
  return value
}

/** The slug in the path (`/products/:slug`), or a thrown 404 when it cannot be one. */
export function slugParam(args: Args, name = 'slug'): string {
  const value = args.params[name]
  if (!isSafeSlug(value)) throw notFound()
  return value
}

/** An id given in the query string (`?quote=`, `?solver=`): itself when well-formed, else null (ignored). */
export function idFromQuery(url: URL, name: string): string | null {
  const value = url.searchParams.get(name)
  return isSafeId(value) ? value : null
}
