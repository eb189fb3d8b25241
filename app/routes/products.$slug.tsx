import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { PostCard } from '~/components/posts/post-card'
import { requireUser } from '~/modules/auth/auth.server'
import { getProductPage } from '~/modules/posts/post-queries.server'
import { formatCount } from '~/utils/bounded-count'
import { notFound } from '~/utils/http.server'
import { slugParam } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const page = await getProductPage(user, slugParam(args))
  if (!page) throw notFound('We could not find that product.')
  return page
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.product.name ?? 'Product'} · Switchboard` }]

type Section = Awaited<ReturnType<typeof loader>>['openProblems']

function PostSection({ id, title, section, more, empty }: { id: string; title: string; section: Section; more: string; empty: string }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div className="flex items-baseline justify-between gap-2">
        <h2 id={id}>
          {title} <span className="text-slate-600">({formatCount(section.total)})</span>
        </h2>
        {section.total.atLeast || section.total.value > section.items.length ? (
          <Link to={more} className="text-sm">
            See all
          </Link>
        ) : null}
      </div>
      {section.items.length === 0 ? <p className="text-sm text-slate-700">{empty}</p> : section.items.map((post) => <PostCard key={post.id} post={post} />)}
    </section>
  )
}

export default function ProductPage() {
  const { product, versions, openProblems, solutions, stories, migrations } = useLoaderData<typeof loader>()
  const base = `/?product=${product.slug}`
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1>{product.name}</h1>
          {product.description ? <p className="mt-1 text-slate-700">{product.description}</p> : null}
          <p className="mt-2 flex flex-wrap gap-2 text-sm">
            <span className="text-slate-600">Versions:</span>
            {versions.map((v) => (
              <Link key={v.id} to={`/?product=${product.slug}&version=${v.id}`} className={v.retiredAt ? 'text-slate-500 line-through' : ''}>
                {v.name}
                {v.retiredAt ? <span className="sr-only"> (retired)</span> : null}
              </Link>
            ))}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link to={`/problems/new?product=${product.slug}`} className="btn-primary">
            Log a problem
          </Link>
          <Link to={`/migrations/new?product=${product.slug}`} className="btn-secondary">
            Plan a migration
          </Link>
          <a href={`/products/${product.slug}/solutions.atom`} className="btn-secondary">
            Solutions feed (Atom)
          </a>
        </div>
      </div>
      <div className="grid gap-8 lg:grid-cols-2">
        <PostSection id="open-problems" title="Open problems" section={openProblems} more={`${base}&kind=problem&state=open`} empty="No open problems. 🎉" />
        <PostSection id="solutions" title="Accepted and verified workarounds" section={solutions} more={`${base}&kind=workaround`} empty="No accepted workarounds yet." />
        <PostSection id="migrations" title="Upcoming migrations" section={migrations} more={`${base}&kind=migration`} empty="No migrations planned." />
        <PostSection id="stories" title="Success stories" section={stories} more={`${base}&kind=story`} empty="No stories yet — be the first." />
      </div>
    </div>
  )
}
