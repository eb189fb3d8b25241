import { type LoaderFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/modules/auth/auth.server'
import { solutionsFeed } from '~/modules/feeds/atom.server'
import { listProductsWithVersions } from '~/modules/posts/post-queries.server'
import { notFound } from '~/utils/http.server'
import { slugParam } from '~/utils/params.server'

/** New accepted and verified workarounds of one product. Signed-in readers. */
export async function loader(args: LoaderFunctionArgs) {
  await requireUser(args)
  const slug = slugParam(args)
  const product = (await listProductsWithVersions()).find((p) => p.slug === slug)
  if (!product) throw notFound('We could not find that product.')
  return new Response(await solutionsFeed({ productSlug: product.slug, productName: product.name }), {
    headers: { 'Content-Type': 'application/atom+xml; charset=utf-8', 'Cache-Control': 'private, max-age=300' },
  })
}
