import { useFetcher } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { type SearchCard } from '~/modules/search/search.server'
import { type loader as similarLoader } from '~/routes/search.similar'
import { ResultCard } from './result-card'

/**
 * "This may already be solved": up to five similar earlier posts, solved
 * first, for the problem being written. With JavaScript it follows the title
 * and body as they are typed (debounced); without it, it shows what the
 * form's Preview returned (`initial`).
 */
export function SimilarPanel({ title, body, initial }: { title: string; body: string; initial?: SearchCard[] }) {
  const fetcher = useFetcher<typeof similarLoader>()
  const { load } = fetcher
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => {
    clearTimeout(timer.current)
    const text = `${title} ${body}`.trim()
    if (text.length < 4) return
    timer.current = setTimeout(() => load(`/search/similar?${new URLSearchParams({ title, body: body.slice(0, 1500) })}`), 350)
    return () => clearTimeout(timer.current)
  }, [title, body, load])
  const results = fetcher.data?.results ?? initial ?? []
  // Past the lookup limit (429): say so, rather than pretend nothing is similar.
  const limited = fetcher.data?.limited ? fetcher.data.message : null
  return (
    <aside aria-labelledby="similar-heading" aria-live="polite" className="space-y-2 rounded-lg border border-amber-200 bg-amber-50 p-4">
      <h2 id="similar-heading" className="text-base">
        This may already be solved
      </h2>
      {limited ? <p className="text-sm text-slate-700">{limited}</p> : null}
      {results.length === 0 ? (
        limited ? null : <p className="text-sm text-slate-700">As you describe the problem, similar earlier posts appear here — solved ones first.</p>
      ) : (
        <ul className="space-y-2">
          {results.map((r) => (
            <li key={r.id}>
              <ResultCard result={r} compact />
            </li>
          ))}
        </ul>
      )}
    </aside>
  )
}
