import { type LoaderFunctionArgs } from '@remix-run/node'
import { requireAuth } from '~/modules/auth/auth.server'
import { suggest } from '~/modules/search/search.server'
import { limitedJson, resourceJson } from '~/utils/http.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

/** Suggestions for the header search box: completions and top matches (JSON). Rate-limited per session ("suggest"). */
export async function loader(args: LoaderFunctionArgs) {
  const { user, session } = await requireAuth(args)
  const limit = await consumeLimit('suggest', session.id)
  if (!limit.ok) {
    return limitedJson(
      { completions: [], matches: [], limited: true, message: limitMessage('suggest', limit.retryAfter) },
      limit.retryAfter,
    )
  }
  const q = new URL(args.request.url).searchParams.get('q') ?? ''
  const { completions, matches } = suggest(user, q)
  return resourceJson(
    {
      completions,
      matches: matches.map((m) => ({ id: m.id, title: m.title, kind: m.kind, state: m.state, accepted: m.accepted, verified: m.verified })),
      limited: false,
      message: null as string | null,
    },
    { headers: { 'Cache-Control': 'private, max-age=10' } },
  )
}

/** Retry-After (and the Cache-Control above) on `.data` requests too. */
export const headers = limitHeaders
