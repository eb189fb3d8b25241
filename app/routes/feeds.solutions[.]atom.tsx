import { type LoaderFunctionArgs } from '@remix-run/node'
import { solutionsFeed } from '~/modules/feeds/atom.server'
import { requireUser } from '~/modules/auth/auth.server'

/** New accepted and verified workarounds, all products. Signed-in readers. */
export async function loader(args: LoaderFunctionArgs) {
  await requireUser(args)
  return new Response(await solutionsFeed(), {
    headers: { 'Content-Type': 'application/atom+xml; charset=utf-8', 'Cache-Control': 'private, max-age=300' },
  })
}
