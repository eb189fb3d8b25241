import { type LoaderFunctionArgs } from '@remix-run/node'
import { requireAuth } from '~/modules/auth/auth.server'
import { similarPosts } from '~/modules/search/search.server'
import { limitedJson, resourceJson } from '~/utils/http.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

/** "Already solved?": posts similar to a problem being written (title and body), solved first (JSON). Rate-limited per session ("similar"). */
export async function loader(args: LoaderFunctionArgs) {
  const { user, session } = await requireAuth(args)
  const limit = await consumeLimit('similar', session.id)
  if (!limit.ok) {
    return limitedJson({ results: [], limited: true, message: limitMessage('similar', limit.retryAfter) }, limit.retryAfter)
  }
  const url = new URL(args.request.url)
  const text = `${url.searchParams.get('title') ?? ''} ${url.searchParams.get('body') ?? ''}`.slice(0, 2000)
  return resourceJson({ results: await similarPosts(user, text, { limit: 5 }), limited: false, message: null as string | null })
}

/** Retry-After on `.data` requests too. */
export const headers = limitHeaders
