import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { requireRole } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  // Guard before forwarding: Remix may run this loader without the layout's,
  // and a customer should meet a 403 here, not a redirect to a staff page.
  await requireRole(args, 'admin')
  throw redirect('/admin/organizations')
}
