/**
 * Markdown → safe HTML for posts, replies, feeds and emails ("Markdown is
 * rendered safely"). Everything people write goes through here; nothing
 * else in the app turns user text into HTML.
 *
 * The model, in two independent layers:
 * 1. markdown-it with `html: false`: raw HTML in the source is escaped and
 *    shown as text, never parsed. Its link check (`validateLink`) only lets
 *    http(s), mailto and site-relative ('/…') destinations become links.
 * 2. sanitize-html with an explicit allow-list over markdown-it's output, so
 *    a markdown-it bug or a future plugin cannot smuggle in a tag, an
 *    attribute or a URL scheme we did not choose. Every link is re-checked
 *    here and gets rel="nofollow ugc noopener".
 *
 * Pathological input is bounded: the source is cut at SOURCE_MAX characters
 * (forms allow 50,000) and nesting deeper than MAX_NESTING levels is not
 * rendered (markdown-it drops the rest of such a block), so 5,000 levels of
 * '>' cost a few milliseconds and never recurse 5,000 times.
 *
 * Non-goals: images (a picture is shown as a link to it, so nobody's browser
 * fetches third-party URLs by reading a post), raw HTML, heading anchors,
 * syntax highlighting (code keeps a `language-*` class for a future one).
 */
import MarkdownIt, { type Options } from 'markdown-it'
import sanitize from 'sanitize-html'
import { absoluteUrl } from '~/utils/env.server'

/** Sources longer than this are cut before rendering, with a note. */
export const SOURCE_MAX = 60_000

/** Deepest nesting (blockquotes, lists, emphasis) that is rendered. */
const MAX_NESTING = 20

/** The only URL schemes a link may use. Relative links must start with '/'. */
const ALLOWED_SCHEMES = ['http', 'https', 'mailto'] as const

/** Every link written by a member: no SEO endorsement, marked as user content, no window.opener. */
const LINK_REL = 'nofollow ugc noopener'

const TRUNCATION_NOTE = `<p><em>This text was cut short: only its first ${SOURCE_MAX.toLocaleString('en-US')} characters are shown.</em></p>`

// @types/markdown-it 14.2 lacks `maxNesting`, which markdown-it 14 reads from
// its options; a typed variable (not a literal) carries it past the check.
const OPTIONS: Options & { maxNesting: number } = {
  // Why: raw HTML is the classic stored-XSS vector; it is shown as text.
  html: false,
  linkify: true,
  typographer: false,
  breaks: false,
  // Why: blockquotes and lists recurse; this caps the depth (and the time).
  maxNesting: MAX_NESTING,
}

const md = new MarkdownIt(OPTIONS)

/**
 * The parser, for tests only: they count the work its rules do on
 * pathological input (bounded, linear) instead of timing it.
 */
export const markdownParserForTests: MarkdownIt = md

// Why: markdown-it's default check allows data:image/* and every unknown
// scheme except a short deny-list; ours is an allow-list.
md.validateLink = (url) => safeHref(url) !== null

// Why: images are not allowed (tracking pixels, huge files, IP leaks); show
// the picture as a link to it instead, labelled with its alt text.
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!
  const alt = self.renderInlineAsText(token.children ?? [], options, env)
  const label = md.utils.escapeHtml(alt.trim() || 'image')
  // An image inside a link ([![alt](img)](url)) would nest <a> in <a>: keep only its text.
  let openLinks = 0
  for (let i = 0; i < idx; i++) {
    if (tokens[i]!.type === 'link_open') openLinks++
    else if (tokens[i]!.type === 'link_close') openLinks--
  }
  const src = token.attrGet('src') ?? ''
  if (openLinks > 0 || !src) return label
  const title = token.attrGet('title')
  const titleAttr = title ? ` title="${md.utils.escapeHtml(title)}"` : ''
  return `<a href="${md.utils.escapeHtml(src)}"${titleAttr}>${label}</a>`
}

/**
 * The href to keep for `url`, or null when it must not be a link: only
 * http:, https: and mailto: URLs, and relative URLs that start with '/'.
 * Whitespace and control characters are ignored first, because browsers
 * ignore them too ("java\tscript:" runs as "javascript:").
 */
function safeHref(url: string): string | null {
  // eslint-disable-next-line no-control-regex
  const compact = url.replace(/[\u0000-\u0020\u007F-\u009F]/g, '')
  if (compact.startsWith('/')) return url.trim()
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1]?.toLowerCase()
  if (scheme && (ALLOWED_SCHEMES as readonly string[]).includes(scheme)) return url.trim()
  // javascript:, data:, vbscript:, file:…, and relative links like "page" or "#x".
  return null
}

/** `path` under PUBLIC_URL, or null when it is not a valid URL (e.g. '//[oops'). */
function absolute(path: string): string | null {
  try {
    return absoluteUrl(path)
  } catch {
    return null
  }
}

/** The only tags kept; any other disappears and its text stays. No img, svg, iframe, form… */
// prettier-ignore
const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h2', 'h3', 'h4', 'blockquote', 'pre',
  'ul', 'ol', 'li',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'a', 'strong', 'em', 'del', 'code',
]

type SanitizeMode = { absoluteLinks: boolean }

function sanitizeOptions({ absoluteLinks }: SanitizeMode): sanitize.IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'] },
    // Only fenced code's language, for a future highlighter; nothing to style or script with.
    allowedClasses: { code: [/^language-[\w#+.-]{1,40}$/] },
    allowedSchemes: [...ALLOWED_SCHEMES],
    allowedSchemesByTag: {},
    allowedSchemesAppliedToAttributes: ['href'],
    allowProtocolRelative: true,
    // Disallowed tags disappear but their text stays (script/style text goes too).
    disallowedTagsMode: 'discard',
    transformTags: {
      // A post sits under the page's own h1; h5/h6 are not worth their own styles.
      h1: 'h2',
      h5: 'h4',
      h6: 'h4',
      // markdown-it writes ~~strike~~ as <s>; <del> is the one we allow.
      s: 'del',
      a: (_tagName, attribs) => {
        let href = attribs.href === undefined ? null : safeHref(attribs.href)
        if (href !== null && absoluteLinks && href.startsWith('/')) href = absolute(href)
        // Not a safe link: no attributes at all, and exclusiveFilter below drops the tag
        // but keeps its text. (Renaming it to a disallowed tag instead trips a
        // sanitize-html 2.17 bug that closes the next link at that depth with that name.)
        if (href === null) return { tagName: 'a', attribs: {} }
        const kept: sanitize.Attributes = { href, rel: LINK_REL }
        if (attribs.title) kept.title = attribs.title
        return { tagName: 'a', attribs: kept }
      },
    },
    exclusiveFilter: (frame) => (frame.tag === 'a' && !frame.attribs.href ? 'excludeTag' : false),
  }
}

const WEB_OPTIONS = sanitizeOptions({ absoluteLinks: false })
const EMAIL_OPTIONS = sanitizeOptions({ absoluteLinks: true })

/**
 * The second layer: keeps only the allow-listed tags, attributes, classes
 * and link schemes of `html`, and sets rel="nofollow ugc noopener" on every
 * link. Exported so tests can attack it directly; pages use renderMarkdown.
 */
export function sanitizeRenderedHtml(
  html: string,
  { absoluteLinks = false }: Partial<SanitizeMode> = {},
): string {
  return sanitize(html, absoluteLinks ? EMAIL_OPTIONS : WEB_OPTIONS)
}

/** `source` cut to SOURCE_MAX characters (never inside a surrogate pair), and whether it was cut. */
function bounded(source: string): { text: string; truncated: boolean } {
  if (source.length <= SOURCE_MAX) return { text: source, truncated: false }
  let end = SOURCE_MAX
  const last = source.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return { text: source.slice(0, end), truncated: true }
}

function render(source: string, absoluteLinks: boolean) {
  const { text, truncated } = bounded(source)
  const html = sanitizeRenderedHtml(md.render(text), { absoluteLinks })
  return truncated ? html + TRUNCATION_NOTE : html
}

/**
 * Renders a member's Markdown to sanitized HTML for the site (posts, replies,
 * previews, feeds). Safe to put in the page as is (see `<Markdown>`). Never
 * throws; an empty source gives ''. Sources over SOURCE_MAX characters are
 * cut, with a note at the end.
 */
export function renderMarkdown(source: string): string {
  return addKeyboardAccess(render(source, false))
}

/**
 * Like renderMarkdown, for the HTML part of an email: the same allow-list,
 * and site-relative links ('/posts/…') made absolute from PUBLIC_URL so they
 * work in a mail client.
 */
export function renderMarkdownForEmail(source: string): string {
  return render(source, true)
}

/**
 * Plain text of `source` without its Markdown (no `**`, `#`, link targets),
 * on one line, at most `maxChars` characters with '…' when cut — for cards
 * and emails' text parts. Code blocks are left out unless they are all there
 * is. The result is text, NOT HTML: escape it where HTML is written (React does).
 */
export function renderMarkdownExcerpt(source: string, maxChars: number): string {
  const tokens = md.parse(bounded(source).text, {})
  const prose: string[] = []
  const code: string[] = []
  for (const token of tokens) {
    if (token.type === 'inline') {
      for (const child of token.children ?? []) {
        if (child.type === 'text' || child.type === 'code_inline') prose.push(child.content)
        else if (child.type === 'softbreak' || child.type === 'hardbreak') prose.push(' ')
        else if (child.type === 'image') prose.push(child.content)
      }
      prose.push(' ')
    } else if (token.type === 'fence' || token.type === 'code_block') {
      code.push(token.content, ' ')
    }
  }
  const text = (prose.join('').trim() ? prose : code).join('').replace(/\s+/g, ' ').trim()
  return shorten(text, maxChars)
}

/** `text` within `max` characters, cut at a word boundary when one is near, ending in '…'. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text
  if (max <= 1) return max === 1 ? '…' : ''
  let cut = text.slice(0, max - 1)
  // Mid-word: back up to the last space, unless that loses too much.
  const space = cut.lastIndexOf(' ')
  if (text[max - 1] !== ' ' && space > max * 0.6) cut = cut.slice(0, space)
  const last = cut.charCodeAt(cut.length - 1)
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1)
  return `${cut.trimEnd()}…`
}

/**
 * Code blocks and tables scroll sideways on narrow screens; a scrolling box
 * must be focusable so keyboard users can scroll it. Runs on sanitized HTML,
 * where every literal '<' starts a real tag and these tags have no attributes,
 * so plain string replacement is exact.
 */
function addKeyboardAccess(html: string): string {
  return html
    .replaceAll('<pre>', '<pre tabindex="0">')
    .replaceAll(
      '<table>',
      '<div class="markdown-table" role="region" aria-label="Table" tabindex="0"><table>',
    )
    .replaceAll('</table>', '</table></div>')
}
