import { Link } from '@remix-run/react'
import { AcceptedBadge, KindBadge, MigrationStatusBadge, PrivateBadge, StaffOnlyBadge, StateBadge, VerifiedBadge } from '~/components/posts/badges'
import { type SearchCard } from '~/modules/search/search.server'
import { formatDate } from '~/utils/format'
import { Highlight } from './highlight'

/** One search result: kind, state, marks, me-too count, product, highlighted title and snippet. */
export function ResultCard({ result, compact = false }: { result: SearchCard; compact?: boolean }) {
  return (
    <article className={compact ? 'rounded-md border border-slate-200 bg-white p-3' : 'card p-4'}>
      <div className="flex flex-wrap items-center gap-2">
        <KindBadge kind={result.kind} />
        {result.state ? <StateBadge state={result.state} /> : null}
        {result.accepted ? <AcceptedBadge /> : null}
        {result.verified ? <VerifiedBadge /> : null}
        {result.migrationStatus ? <MigrationStatusBadge status={result.migrationStatus as 'planned'} /> : null}
        {result.visibility === 'staff' ? <StaffOnlyBadge /> : null}
        {result.visibility === 'private' ? <PrivateBadge /> : null}
        <span className="text-xs text-slate-600">{result.productName}</span>
      </div>
      <h3 className={compact ? 'mt-1 text-sm font-semibold' : 'mt-2 text-base font-semibold'}>
        <Link to={`/posts/${result.id}`} className="text-slate-900">
          <Highlight parts={result.titleParts} />
        </Link>
      </h3>
      {!compact && result.snippet.length ? (
        <p className="mt-1 text-sm text-slate-700">
          <Highlight parts={result.snippet} />
        </p>
      ) : null}
      <p className="mt-1 text-xs text-slate-600">
        {result.authorName} · {formatDate(result.createdAt)}
        {result.kind === 'problem' ? ` · ${result.meTooCount} me too` : ''}
      </p>
    </article>
  )
}
