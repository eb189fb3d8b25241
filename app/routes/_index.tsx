import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { Notice } from '~/components/ui/field'
import { KeysetPagination } from '~/components/ui/pagination'
import { PostCard } from '~/components/posts/post-card'
import { PostFilterFields } from '~/components/posts/filter-fields'
import { requireUser } from '~/modules/auth/auth.server'
import { listActivity, listProductsWithVersions } from '~/modules/posts/post-queries.server'
import { ActivityFiltersSchema } from '~/modules/posts/posts.schema'
import { noticeFrom } from '~/utils/notices'
import { cursorFrom } from '~/utils/keyset'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const url = new URL(args.request.url)
  const filters = ActivityFiltersSchema.parse(Object.fromEntries(url.searchParams))
  const [activity, products] = await Promise.all([
    listActivity(user, {
      kind: filters.kind,
      productSlug: filters.product,
      versionId: filters.version,
      state: filters.state,
      cursor: cursorFrom(url),
    }),
    listProductsWithVersions(),
  ])
  return { user: { name: user.name, role: user.role }, activity, products, filters, notice: noticeFrom(url) }
}

export const meta: MetaFunction = () => [{ title: 'Home · Switchboard' }]

export default function Home() {
  const { user, activity, products, filters, notice } = useLoaderData<typeof loader>()
  const filtered = Boolean(filters.kind || filters.product || filters.version || filters.state)
  return (
    <div className="space-y-6">
      {notice ? <Notice>{notice}</Notice> : null}
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1>Welcome, {user.name}</h1>
          <p className="mt-1 text-slate-700">
            Here is what customers shared recently. Search first — someone may already have solved it.
          </p>
        </div>
        <nav aria-label="Share something" className="flex flex-wrap gap-2">
          <Link to="/problems/new" className="btn-primary">
            Log a problem
          </Link>
          <Link to="/stories/new" className="btn-secondary">
            Share a success story
          </Link>
          <Link to="/migrations/new" className="btn-secondary">
            Plan a migration
          </Link>
        </nav>
      </div>

      <Form method="get" className="card flex flex-wrap items-end gap-3 p-4" aria-label="Filter activity">
        <PostFilterFields idPrefix="filter" products={products} values={filters} />
        <button type="submit" className="btn-secondary">
          Apply filters
        </button>
        {filtered ? (
          <Link to="/" className="text-sm">
            Clear filters
          </Link>
        ) : null}
      </Form>

      <section aria-labelledby="activity-heading" className="space-y-3">
        <h2 id="activity-heading">Recent activity</h2>
        {activity.items.length === 0 ? (
          <div className="card text-slate-700">
            {filtered ? (
              <p>Nothing matches these filters yet. Try fewer filters, or be the first to share something here.</p>
            ) : (
              <p>Nothing has been shared yet. Log the first problem, or tell others about a success.</p>
            )}
          </div>
        ) : (
          activity.items.map((post) => <PostCard key={post.id} post={post} />)
        )}
      </section>
      <KeysetPagination newer={activity.newer} older={activity.older} />
    </div>
  )
}
