import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { requireAuth } from '~/modules/auth/auth.server'
import { suggest } from '~/modules/search/search.server'
import { allowRequest } from '~/utils/rate-limit.server'

/** Suggestions for the header search box: completions and top matches (JSON). 30 per 10 s per session. */
export async function loader(args: LoaderFunctionArgs) {
  const { user, session } = await requireAuth(args)
  if (!allowRequest(`suggest:${session.id}`, 30, 10_000)) {
    return data({ completions: [], matches: [], limited: true }, { status: 429, headers: { 'Retry-After': '10' } })
  }
  const q = new URL(args.request.url).searchParams.get('q') ?? ''
  const { completions, matches } = suggest(user, q)
  return data(
    {
      completions,
      matches: matches.map((m) => ({ id: m.id, title: m.title, kind: m.kind, state: m.state, accepted: m.accepted, verified: m.verified })),
      limited: false,
    },
    { headers: { 'Cache-Control': 'private, max-age=10' } },
  )
}
