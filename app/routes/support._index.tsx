import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { requireRole } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'support')
  throw redirect('/support/queue')
}

/**
 * Never shown: the loader always forwards or refuses. Having a component
 * makes this a page route, so a refusal renders the error page in the
 * layout; without one Remix treats the route as a resource and sends the
 * refusal as bare text.
 */
export default function Forward() {
  return null
}
