/**
 * Atom feeds of new solutions (accepted or verified workarounds). Built with
 * the `feed` package; entry content is the same sanitized HTML as the page.
 * Only community posts that are not hidden, on problems that are neither
 * staff-only nor hidden, ever appear (see listFeedSolutions).
 */
import { Feed } from 'feed'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { listFeedSolutions } from '~/modules/posts/post-queries.server'
import { absoluteUrl } from '~/utils/env.server'

export async function solutionsFeed({ productSlug, productName }: { productSlug?: string; productName?: string } = {}) {
  const items = await listFeedSolutions({ productSlug })
  const self = absoluteUrl(productSlug ? `/products/${productSlug}/solutions.atom` : '/feeds/solutions.atom')
  const feed = new Feed({
    id: self,
    title: productName ? `Switchboard — new solutions for ${productName}` : 'Switchboard — new solutions',
    description: 'Workarounds accepted by the people who had the problem, or verified by support.',
    link: absoluteUrl(productSlug ? `/products/${productSlug}` : '/'),
    updated: items[0] ? new Date(items[0].solvedAt) : new Date(0),
    copyright: '',
    feedLinks: { atom: self },
  })
  for (const item of items) {
    const url = absoluteUrl(`/posts/${item.problemId}#workaround-${item.id}`)
    const marks = [item.acceptedAt ? 'accepted' : null, item.verifiedAt ? 'verified by support' : null].filter(Boolean).join(', ')
    feed.addItem({
      id: url,
      link: url,
      title: `${item.problemTitle ?? 'A problem'} (${marks})`,
      date: new Date(item.solvedAt),
      author: [{ name: item.authorName }],
      category: [{ name: item.productName }],
      content: renderMarkdown(item.body),
    })
  }
  return feed.atom1()
}
