/**
 * Atom feeds of new solutions (accepted or verified workarounds), written
 * with fast-xml-parser's XML builder, which escapes every text and
 * attribute. Only community posts that are not hidden, on problems that are
 * neither staff-only nor hidden, ever appear (see listFeedSolutions).
 *
 * Titles, names and categories are plain text: `<title type="text">`,
 * escaped, so a title like `"><script>` is shown as those characters by
 * every reader instead of being parsed as markup (`type="html"` inside
 * CDATA made readers render it, and `]]>` in a title could close the
 * CDATA). They are also stripped of bidirectional controls and of the
 * control characters XML 1.0 cannot carry. Entry content is the same
 * sanitized HTML as the page, escaped as `type="html"` text.
 */
import { XMLBuilder } from 'fast-xml-parser'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { listFeedSolutions } from '~/modules/posts/post-queries.server'
import { absoluteUrl } from '~/utils/env.server'
import { stripBidiControls } from '~/utils/text'

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

/** A one-line text for the feed: no bidi controls, nothing XML 1.0 refuses. */
function plain(text: string) {
  return stripBidiControls(text).replace(NOT_XML, '')
}

const text = (value: string) => ({ '@_type': 'text', '#text': plain(value) })

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
  processEntities: true,
})

/** The Atom document of the latest solutions, of one product or all. */
export async function solutionsFeed({ productSlug, productName }: { productSlug?: string; productName?: string } = {}) {
  const items = await listFeedSolutions({ productSlug })
  const self = absoluteUrl(productSlug ? `/products/${productSlug}/solutions.atom` : '/feeds/solutions.atom')
  const updated = items[0] ? new Date(items[0].solvedAt) : new Date(0)
  const entries = items.map((item) => {
    const url = absoluteUrl(`/posts/${item.problemId}#workaround-${item.id}`)
    const marks = [item.acceptedAt ? 'accepted' : null, item.verifiedAt ? 'verified by support' : null]
      .filter(Boolean)
      .join(', ')
    return {
      title: text(`${item.problemTitle ?? 'A problem'} (${marks})`),
      id: url,
      link: { '@_href': url },
      updated: new Date(item.solvedAt).toISOString(),
      author: { name: plain(item.authorName) },
      category: { '@_term': plain(item.productName) },
      content: { '@_type': 'html', '#text': renderMarkdown(item.body).replace(NOT_XML, '') },
    }
  })
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    feed: {
      '@_xmlns': 'http://www.w3.org/2005/Atom',
      id: self,
      title: text(productName ? `Switchboard — new solutions for ${productName}` : 'Switchboard — new solutions'),
      subtitle: text('Workarounds accepted by the people who had the problem, or verified by support.'),
      updated: updated.toISOString(),
      generator: 'Switchboard',
      link: [
        { '@_rel': 'alternate', '@_href': absoluteUrl(productSlug ? `/products/${productSlug}` : '/') },
        { '@_rel': 'self', '@_href': self },
      ],
      entry: entries,
    },
  }
  return builder.build(document) as string
}
