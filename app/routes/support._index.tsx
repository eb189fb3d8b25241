import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { requireRole } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'support')
  throw redirect('/support/queue')
}
