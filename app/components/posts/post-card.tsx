import { Link } from '@remix-run/react'
import { formatDate, formatWindow } from '~/utils/format'
import { AcceptedBadge, KindBadge, MigrationStatusBadge, PrivateBadge, StaffOnlyBadge, StateBadge, VerifiedBadge } from './badges'

export type PostCardData = {
  id: string
  kind: 'problem' | 'workaround' | 'story' | 'migration'
  title: string | null
  problemId: string | null
  problemTitle: string | null
  state: 'open' | 'answered' | 'solved' | null
  visibility: 'community' | 'staff' | 'private'
  meTooCount: number
  replyCount: number
  accepted: boolean
  verified: boolean
  migrationStatus: string | null
  windowStart: string | null
  windowEnd: string | null
  lastActivityAt: string | Date
  authorId: string
  authorName: string
  organizationName: string
  productName: string
  productSlug: string
  excerpt: string
}

/** One post in a list: kind, state, marks, title, excerpt, who and where. */
export function PostCard({ post }: { post: PostCardData }) {
  const href = post.kind === 'workaround' ? `/posts/${post.problemId}#workaround-${post.id}` : `/posts/${post.id}`
  const title = post.kind === 'workaround' ? `Workaround for “${post.problemTitle ?? 'a problem'}”` : post.title
  return (
    <article className="card p-4">
      <div className="flex flex-wrap items-center gap-2">
        <KindBadge kind={post.kind} />
        {post.state ? <StateBadge state={post.state} /> : null}
        {post.accepted ? <AcceptedBadge /> : null}
        {post.verified ? <VerifiedBadge /> : null}
        {post.migrationStatus ? <MigrationStatusBadge status={post.migrationStatus as 'planned'} /> : null}
        {post.visibility === 'staff' ? <StaffOnlyBadge /> : null}
        {post.visibility === 'private' ? <PrivateBadge /> : null}
        <span className="text-xs text-slate-600">
          <Link to={`/products/${post.productSlug}`}>{post.productName}</Link>
        </span>
      </div>
      <h3 className="mt-2 text-base font-semibold">
        <Link to={href} className="text-slate-900">
          {title}
        </Link>
      </h3>
      {post.kind === 'migration' && post.windowStart ? (
        <p className="mt-1 text-sm text-slate-700">Planned {formatWindow(post.windowStart, post.windowEnd)}</p>
      ) : null}
      {post.excerpt ? <p className="mt-1 line-clamp-2 text-sm text-slate-700">{post.excerpt}</p> : null}
      <p className="mt-2 flex flex-wrap gap-x-3 text-xs text-slate-600">
        <span>
          <Link to={`/people/${post.authorId}`}>{post.authorName}</Link> · {post.organizationName}
        </span>
        <span>Active {formatDate(post.lastActivityAt)}</span>
        {post.kind === 'problem' ? <span>{post.meTooCount} me too</span> : null}
        <span>
          {post.replyCount} {post.replyCount === 1 ? 'reply' : 'replies'}
        </span>
      </p>
    </article>
  )
}
