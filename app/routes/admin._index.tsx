import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { requireRole } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  // Guard before forwarding: Remix may run this loader without the layout's,
  // and a customer should meet a 403 here, not a redirect to a staff page.
  await requireRole(args, 'admin')
  throw redirect('/admin/organizations')
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
