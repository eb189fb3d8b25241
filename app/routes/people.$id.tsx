import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { PostCard } from '~/components/posts/post-card'
import { KeysetPagination } from '~/components/ui/pagination'
import { requireUser } from '~/modules/auth/auth.server'
import { countHelped } from '~/modules/introductions/introductions.server'
import { getPersonPage } from '~/modules/posts/post-queries.server'
import { formatDate } from '~/utils/format'
import { notFound } from '~/utils/http.server'
import { formatCount } from '~/utils/bounded-count'
import { cursorFrom } from '~/utils/keyset'
import { idParam } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const page = await getPersonPage(user, idParam(args), cursorFrom(new URL(args.request.url)))
  if (!page) throw notFound('We could not find that person.')
  return { ...page, helped: await countHelped(page.person.id) }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.person.name ?? 'Person'} · Switchboard` }]

const ROLE = { customer: null, support: 'Support engineer', admin: 'Support engineer' } as const

export default function PersonPage() {
  const { person, acceptedWorkarounds, postCount, posts, helped } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-6">
      <div className="card flex flex-wrap items-center gap-4">
        <span aria-hidden="true" className="flex h-14 w-14 items-center justify-center rounded-full bg-brand-100 text-xl font-semibold text-brand-800">
          {person.name.trim().charAt(0).toUpperCase() || '?'}
        </span>
        <div>
          <h1>{person.name}</h1>
          <p className="text-slate-700">
            {person.organizationName}
            {ROLE[person.role] ? ` · ${ROLE[person.role]}` : ''} · member since {formatDate(person.createdAt)}
            {person.active ? '' : ' · no longer active'}
          </p>
          {helped > 0 ? (
            <p className="mt-1 text-sm font-medium text-emerald-800">
              Helped {helped} {helped === 1 ? 'customer' : 'customers'} through introductions
            </p>
          ) : null}
        </div>
        <dl className="ml-auto flex gap-6 text-center">
          <div>
            <dt className="text-xs text-slate-600">Posts</dt>
            <dd className="text-2xl font-semibold">{formatCount(postCount)}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-600">Workarounds accepted</dt>
            <dd className="text-2xl font-semibold">{formatCount(acceptedWorkarounds)}</dd>
          </div>
        </dl>
      </div>
      <section aria-labelledby="their-posts" className="space-y-3">
        <h2 id="their-posts">Posts</h2>
        {posts.items.length === 0 ? <p className="text-slate-700">Nothing shared yet.</p> : posts.items.map((p) => <PostCard key={p.id} post={p} />)}
      </section>
      <KeysetPagination newer={posts.newer} older={posts.older} />
    </div>
  )
}
