import { Link } from '@remix-run/react'

type CandidateView = {
  id: string
  name: string
  organizationName: string
  openIntroductions: number
  reasons: { kind: string; postId: string; path: string; label: string }[]
}

type IntroductionRow = {
  id: string
  askerName: string | null
  solverName: string | null
  label: string
  createdAt: string
  createdDate: string
  age: string
}

/**
 * Support tools on a problem: the customers who could help its author (each
 * with why, linked), and the introductions already proposed for it.
 */
export function PeopleWhoSolvedThis({
  problemId,
  communityVisible,
  candidates,
  introductions,
}: {
  problemId: string
  communityVisible: boolean
  candidates: CandidateView[]
  introductions: IntroductionRow[]
}) {
  return (
    <div className="space-y-4">
      <section aria-labelledby="people-who-solved-this">
        <h3 id="people-who-solved-this" className="text-sm font-semibold">
          People who solved this ({candidates.length})
        </h3>
        <p className="text-sm text-slate-600">
          Customers of other organizations with an accepted or verified workaround on a similar problem, a completed
          migration to an affected version, or a success story on this product. People who turned introductions off are
          never listed.
        </p>
        {!communityVisible ? (
          <p className="alert mt-2">
            This problem is not visible to the community (staff-only or private): introductions start only from community
            problems, so nothing of a restricted problem reaches another customer.
          </p>
        ) : null}
        {candidates.length ? (
          <ul className="mt-2 space-y-3">
            {candidates.map((c) => (
              <li key={c.id} className="rounded-md border border-slate-200 bg-white p-3 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <p>
                    <Link to={`/people/${c.id}`} className="font-medium">
                      {c.name}
                    </Link>{' '}
                    · {c.organizationName} ·{' '}
                    <span className="text-slate-600">
                      {c.openIntroductions} open {c.openIntroductions === 1 ? 'introduction' : 'introductions'}
                    </span>
                  </p>
                  {communityVisible ? (
                    <Link
                      to={`/posts/${problemId}/introduce?${new URLSearchParams({ solver: c.id, ...(c.reasons[0] ? { via: c.reasons[0].postId } : {}) })}`}
                      className="btn-secondary px-3 py-1"
                    >
                      Propose an introduction<span className="sr-only"> to {c.name}</span>
                    </Link>
                  ) : null}
                </div>
                <ul className="mt-1 list-disc pl-5 text-slate-700" aria-label={`Why ${c.name}`}>
                  {c.reasons.map((r) => (
                    <li key={r.postId}>
                      <Link to={r.path}>{r.label}</Link>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-700">
            Nobody found yet. When someone’s workaround on a similar problem is accepted or verified, they appear here.
          </p>
        )}
      </section>
      <section aria-labelledby="problem-introductions">
        <h3 id="problem-introductions" className="text-sm font-semibold">
          Introductions for this problem ({introductions.length})
        </h3>
        {introductions.length ? (
          <ul className="mt-1 space-y-1 text-sm">
            {introductions.map((i) => (
              <li key={i.id}>
                <Link to={`/introductions/${i.id}`}>
                  {i.askerName} → {i.solverName}
                </Link>{' '}
                · {i.label} · proposed <time dateTime={i.createdAt}>{i.createdDate}</time> ({i.age} ago)
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-700">None yet.</p>
        )}
        <p className="mt-1 text-sm">
          <Link to="/introductions">All introductions</Link>
        </p>
      </section>
    </div>
  )
}
