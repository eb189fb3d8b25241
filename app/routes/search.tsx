import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { PostFilterFields } from '~/components/posts/filter-fields'
import { ResultCard } from '~/components/search/result-card'
import { Pagination } from '~/components/ui/pagination'
import { requireUser } from '~/modules/auth/auth.server'
import { listProductsWithVersions } from '~/modules/posts/post-queries.server'
import { QUERY_MAX, SearchParamsSchema } from '~/modules/search/search.schema'
import { cleanQuery, searchPosts } from '~/modules/search/search.server'
import { pageFrom } from '~/utils/pagination'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const url = new URL(args.request.url)
  const params = SearchParamsSchema.parse(Object.fromEntries(url.searchParams))
  const query = cleanQuery(params.q)
  const filters = { kind: params.kind, productSlug: params.product, versionId: params.version, state: params.state, from: params.from, to: params.to }
  const outcome = query || Object.values(filters).some(Boolean) ? searchPosts(user, query, filters, pageFrom(url)) : null
  return { query, params, outcome, products: await listProductsWithVersions() }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.query ? `“${data.query}” · Search · Switchboard` : 'Search · Switchboard' },
]

export default function SearchPage() {
  const { query, params, outcome, products } = useLoaderData<typeof loader>()
  const logLink = `/problems/new?${new URLSearchParams({ title: query })}`
  return (
    <div className="space-y-6">
      <h1>Search</h1>
      <Form method="get" role="search" className="card space-y-4 p-4" aria-label="Search posts">
        <div className="flex flex-wrap gap-2">
          <label htmlFor="search-q" className="sr-only">
            Search for
          </label>
          <input id="search-q" type="search" name="q" defaultValue={query} maxLength={QUERY_MAX} className="input flex-1" placeholder="A symptom, an error message, a feature…" />
          <button type="submit" className="btn-primary">
            Search
          </button>
        </div>
        <fieldset className="flex flex-wrap items-end gap-3">
          <legend className="sr-only">Filters</legend>
          <PostFilterFields idPrefix="search" products={products} values={params} kinds={['problem', 'story', 'migration']} />
          <div>
            <label htmlFor="search-from" className="label">
              From
            </label>
            <input id="search-from" type="date" name="from" defaultValue={params.from ?? ''} className="input" />
          </div>
          <div>
            <label htmlFor="search-to" className="label">
              To
            </label>
            <input id="search-to" type="date" name="to" defaultValue={params.to ?? ''} className="input" />
          </div>
        </fieldset>
      </Form>

      <section aria-labelledby="results-heading" aria-live="polite" className="space-y-3">
        <h2 id="results-heading" className="sr-only">
          Results
        </h2>
        {!outcome ? (
          <p className="text-slate-700">Search every problem, workaround, success story and migration plan. Try an error message.</p>
        ) : outcome.status === 'warming' ? (
          <p className="card">Search is warming up after a restart. Try again in a few seconds.</p>
        ) : outcome.status === 'empty_query' ? (
          <p className="card">{outcome.message}</p>
        ) : outcome.total === 0 ? (
          <div className="card space-y-3">
            <p>
              Nothing matches <strong>“{query}”</strong>
              {Object.values(params).filter(Boolean).length > 1 ? ' with these filters' : ''}.
            </p>
            {outcome.suggestion ? (
              <p>
                Did you mean{' '}
                <Link to={`/search?${new URLSearchParams({ ...Object.fromEntries(Object.entries(params).filter(([, v]) => v)), q: outcome.suggestion })}`}>
                  {outcome.suggestion}
                </Link>
                ?
              </p>
            ) : null}
            <p>
              Nobody has logged this yet. <Link to={logLink}>Log it as a problem</Link> — you will be told as soon as someone
              answers.
            </p>
          </div>
        ) : (
          <>
            <p className="text-sm text-slate-700">
              {outcome.total} {outcome.total === 1 ? 'result' : 'results'}
            </p>
            {outcome.results.map((r) => (
              <ResultCard key={r.id} result={r} />
            ))}
            <Pagination page={outcome.page} pageSize={outcome.pageSize} total={outcome.total} />
          </>
        )}
      </section>
    </div>
  )
}
