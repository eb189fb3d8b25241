import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { signOut } from '~/modules/accounts/accounts.server'
import { clearSessionCookie, getAuth } from '~/modules/auth/auth.server'

/** Signing out only by POST: a link or an image cannot sign anyone out. */
export async function loader() {
  throw redirect('/')
}

export async function action(args: ActionFunctionArgs) {
  const auth = await getAuth(args)
  if (auth) await signOut(auth.session.id)
  clearSessionCookie(args.context)
  throw redirect('/login?notice=signed-out')
}
