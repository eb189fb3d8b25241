import { Link, useLocation } from '@remix-run/react'

/** Previous/next links that keep the other query parameters. */
export function Pagination({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  const location = useLocation()
  const pages = Math.max(1, Math.ceil(total / pageSize))
  if (pages <= 1) return null
  const hrefFor = (target: number) => {
    const params = new URLSearchParams(location.search)
    params.set('page', String(target))
    return `${location.pathname}?${params}`
  }
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between text-sm">
      {page > 1 ? (
        <Link to={hrefFor(page - 1)} rel="prev" className="btn-secondary">
          ← Newer
        </Link>
      ) : (
        <span />
      )}
      <span className="text-slate-600">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <Link to={hrefFor(page + 1)} rel="next" className="btn-secondary">
          Older →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  )
}

/**
 * Newer/older links for a keyset list (`?before=` / `?after=` a cursor),
 * keeping the other query parameters; "Newest" goes back to the first page.
 */
export function KeysetPagination({ newer, older }: { newer: string | null; older: string | null }) {
  const location = useLocation()
  if (!newer && !older) return null
  const hrefFor = (direction: 'after' | 'before' | null, cursor: string | null) => {
    const params = new URLSearchParams(location.search)
    params.delete('after')
    params.delete('before')
    params.delete('page')
    if (direction && cursor) params.set(direction, cursor)
    const query = params.toString()
    return query ? `${location.pathname}?${query}` : location.pathname
  }
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-2 text-sm">
      {newer ? (
        <span className="flex gap-2">
          <Link to={hrefFor(null, null)} className="btn-secondary">
            ⇤ Newest
          </Link>
          <Link to={hrefFor('before', newer)} rel="prev" className="btn-secondary">
            ← Newer
          </Link>
        </span>
      ) : (
        <span />
      )}
      {older ? (
        <Link to={hrefFor('after', older)} rel="next" className="btn-secondary">
          Older →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  )
}
