import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { requireAuth } from '~/modules/auth/auth.server'
import { similarPosts } from '~/modules/search/search.server'
import { allowRequest } from '~/utils/rate-limit.server'

/** "Already solved?": posts similar to a problem being written (title and body), solved first (JSON). */
export async function loader(args: LoaderFunctionArgs) {
  const { user, session } = await requireAuth(args)
  if (!allowRequest(`similar:${session.id}`, 30, 10_000)) {
    return data({ results: [], limited: true }, { status: 429, headers: { 'Retry-After': '10' } })
  }
  const url = new URL(args.request.url)
  const text = `${url.searchParams.get('title') ?? ''} ${url.searchParams.get('body') ?? ''}`.slice(0, 2000)
  return { results: await similarPosts(user, text, { limit: 5 }), limited: false }
}
