import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { requireRole } from '~/modules/auth/auth.server'
import { listRevisions } from '~/modules/posts/post-queries.server'
import { formatDateTime } from '~/utils/format'
import { notFound } from '~/utils/http.server'
import { idParam } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireRole(args, 'support')
  const history = await listRevisions(user, idParam(args))
  if (!history) throw notFound()
  return history
}

export const meta: MetaFunction = () => [{ title: 'Edit history · Switchboard' }]

export default function HistoryPage() {
  const { post, revisions } = useLoaderData<typeof loader>()
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p className="text-sm">
        <Link to={`/posts/${post.id}`}>← Back to the post</Link>
      </p>
      <h1>Edit history of “{post.title}”</h1>
      <p className="text-slate-700">Earlier versions of the post and its replies, newest change first. Only support sees this page.</p>
      {revisions.length === 0 ? <p className="card">Nothing was edited.</p> : null}
      <ol className="space-y-4">
        {revisions.map((r) => (
          <li key={r.id} className="card space-y-2">
            <p className="text-sm text-slate-600">
              {r.replyId ? 'A reply' : 'The post'} by {r.authorName ?? 'someone'}, written {formatDateTime(r.createdAt)}, replaced{' '}
              {formatDateTime(r.replacedAt)}
            </p>
            {r.title ? <p className="font-semibold">{r.title}</p> : null}
            <pre className="whitespace-pre-wrap break-words rounded bg-slate-50 p-3 text-sm">{r.body}</pre>
          </li>
        ))}
      </ol>
    </div>
  )
}
