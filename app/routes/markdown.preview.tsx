import { type ActionFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/modules/auth/auth.server'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { HttpError } from '~/utils/http.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

/** The longest text that can be previewed: the longest body any form accepts. */
const PREVIEW_MAX = 50_000

const SIGNED_OUT =
  'Your session has ended. Sign in again in another tab to see the preview; your text is still here.'
const TOO_LONG = `The text is too long to preview: at most ${PREVIEW_MAX.toLocaleString('en-US')} characters.`

type PreviewResult = { html: string; error?: undefined } | { html?: undefined; error: string }

/** Previews are rendered on POST only (they read a body, and change nothing). */
export async function loader() {
  throw new HttpError(405, 'Send the text to preview with POST.', { Allow: 'POST' })
}

/**
 * The Markdown editor's preview (with JavaScript): form field `body` →
 * `{ html }`, the same sanitized HTML the post will show; or `{ error }`
 * with 400 (missing or too long), 401 (signed out) or 429 (too many, with
 * Retry-After; limit "preview").
 */
export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args).catch((thrown: unknown) => {
    // A redirect to sign in would make the fetcher leave the page and lose
    // the text being written; answer with a message instead.
    if (thrown instanceof Response && thrown.status >= 300 && thrown.status < 400) return null
    throw thrown
  })
  if (!user) return result({ error: SIGNED_OUT }, 401)
  // Rendering costs CPU (up to a few hundred ms for pathological text); people preview far less often.
  const limit = await consumeLimit('preview', user.id)
  if (!limit.ok) {
    return result({ error: limitMessage('preview', limit.retryAfter) }, 429, { 'Retry-After': String(limit.retryAfter) })
  }
  const body = (await args.request.formData()).get('body')
  if (typeof body !== 'string') return result({ error: 'There is no text to preview.' }, 400)
  if (body.length > PREVIEW_MAX) return result({ error: TOO_LONG }, 400)
  return result({ html: renderMarkdown(body) })
}

/**
 * A real Response, not `data()`: this is a resource route, and Remix drops a
 * `data()` init's status and headers on its document requests. Typed as its
 * JSON so the editor's fetcher knows what it reads.
 */
function result(value: PreviewResult, status = 200, headers?: HeadersInit) {
  return Response.json(value, { status, headers }) as unknown as PreviewResult
}

/** Retry-After on `.data` requests too. */
export const headers = limitHeaders
