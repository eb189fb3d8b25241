import { describe, expect, it } from 'vitest'
import {
  markdownParserForTests,
  SOURCE_MAX,
  renderMarkdown,
  renderMarkdownExcerpt,
  renderMarkdownForEmail,
  sanitizeRenderedHtml,
} from './markdown.server'

/** Tag → the attributes it may carry, and a check of each value. */
const ALLOWED: Record<string, Record<string, (value: string) => boolean>> = {
  p: {},
  br: {},
  strong: {},
  em: {},
  del: {},
  pre: { tabindex: (v) => v === '0' },
  blockquote: {},
  ul: {},
  ol: { start: (v) => /^\d+$/.test(v) },
  li: {},
  h2: {},
  h3: {},
  h4: {},
  hr: {},
  table: {},
  thead: {},
  tbody: {},
  tr: {},
  th: {},
  td: {},
  code: { class: (v) => /^language-[\w#+.-]+$/.test(v) },
  a: { href: isSafeHref, title: () => true, rel: (v) => v === 'nofollow ugc noopener' },
  // The scroll wrapper renderMarkdown puts around tables, with fixed attributes.
  div: {
    class: (v) => v === 'markdown-table',
    role: (v) => v === 'region',
    'aria-label': (v) => v === 'Table',
    tabindex: (v) => v === '0',
  },
}

function decode(value: string) {
  return value
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
}

// eslint-disable-next-line no-control-regex
const IGNORED_IN_URLS = /[\u0000-\u0020\u007F-\u009F]/g

function isSafeHref(raw: string) {
  const href = decode(raw).replace(IGNORED_IN_URLS, '').toLowerCase()
  return href.startsWith('/') || /^(https?|mailto):/.test(href)
}

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*(\/?)>/g
const ATTRIBUTE = /\s+([^\s=/>]+)(?:="([^"]*)")?/g

/**
 * Fails unless `html` is inert: every '<' opens a tag from the allow-list,
 * every attribute is allowed on its tag with a safe value, and none of the
 * usual XSS carriers appear inside a tag. (Escaped text like
 * "&lt;img onerror=…&gt;" is shown to the reader and is harmless.)
 */
function expectInert(html: string) {
  const lower = html.toLowerCase()
  for (const needle of [
    '<script',
    '<iframe',
    '<svg',
    '<img',
    '<style',
    '<form',
    '<input',
    '<object',
    '<embed',
    '<math',
    '<base',
    '<meta',
    '<link',
  ]) {
    expect(lower, `found ${needle}`).not.toContain(needle)
  }
  for (const match of html.matchAll(TAG)) {
    const [tag, , name, attributes = ''] = match
    const allowed = ALLOWED[name!.toLowerCase()]
    expect(allowed, `tag not allowed: ${tag}`).toBeDefined()
    // Attribute names only: a title may say "onmouseover=" as escaped text.
    expect(tag.replace(/="[^"]*"/g, '').toLowerCase()).not.toMatch(
      /\s(on[a-z]+|style|src|srcdoc|action|formaction|xlink:href)\b/,
    )
    for (const [, attribute, value = ''] of attributes.matchAll(ATTRIBUTE)) {
      const check = allowed![attribute!.toLowerCase()]
      expect(check, `attribute not allowed: ${attribute} in ${tag}`).toBeDefined()
      expect(check!(value), `unsafe value in ${tag}`).toBe(true)
    }
  }
  // Nothing that looks like a tag escaped the scan above.
  expect(html.replace(TAG, '')).not.toContain('<')
}

/**
 * Runs `run` counting every call of markdown-it's block, inline and core
 * rules: the parser's work, which (unlike a duration) does not depend on
 * how busy the machine is. Linear parsing makes a few dozen calls per
 * character at most; a quadratic one would make millions per thousand.
 */
function counted<T>(run: () => T): { result: T; calls: number } {
  let calls = 0
  const rulers = [markdownParserForTests.core.ruler, markdownParserForTests.block.ruler, markdownParserForTests.inline.ruler, markdownParserForTests.inline.ruler2]
  // getRules returns the ruler's cached array, which the parser reads on every pass: wrap its entries in place.
  const originals = rulers.map((ruler) => {
    const rules = ruler.getRules('') as ((...args: unknown[]) => unknown)[]
    const saved = [...rules]
    rules.forEach((rule, i) => {
      rules[i] = (...args: unknown[]) => {
        calls++
        return rule(...args)
      }
    })
    return saved
  })
  try {
    return { result: run(), calls }
  } finally {
    rulers.forEach((ruler, i) => {
      const rules = ruler.getRules('') as unknown[]
      originals[i]!.forEach((rule, j) => (rules[j] = rule))
    })
  }
}

/** Most rule calls per character of source a linear parse makes here (measured: about 23 for 50,000 '['). */
const CALLS_PER_CHAR = 30

const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](  javascript:alert(1)  )',
  '[x](<javascript:alert(1)>)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '[x](file:///etc/passwd)',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="https://evil.example/"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '<p style="background:url(javascript:alert(1))">styled</p>',
  '<div style="position:fixed;inset:0">overlay</div>',
  '[x](javascript&#58;alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](%6Aavascript:alert(1))',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '[x]: javascript:alert(1)\n\n[x]',
  '![x](javascript:alert(1))',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x" onerror="alert(1)](https://example.com/a.png)',
  '[x](https://example.com "\\" onmouseover=\\"alert(1)")',
  '[x](https://example.com/"onmouseover="alert(1))',
  'www.example.com/"onmouseover="alert(1)',
  '```"><script>alert(1)</script>\ncode\n```',
  '``` onclick=alert(1)\ncode\n```',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<form action="javascript:alert(1)"><input type="submit"><button>go</button></form>',
  '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
  '<base href="javascript:alert(1)//"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<style>body{display:none}</style>',
  '<!--><script>alert(1)</script>-->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '**<script>alert(1)</script>**',
  '> <iframe src=javascript:alert(1)>',
  '- <svg onload=alert(1)>',
  '| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |',
]

describe('renderMarkdown: stored XSS', () => {
  it.each(XSS_PAYLOADS)('renders %j inert', (payload) => {
    const { result, calls } = counted(() => renderMarkdown(payload))
    expectInert(result)
    expect(renderMarkdownForEmail(payload)).not.toMatch(/<(script|iframe|svg|img)/i)
    expectInert(renderMarkdownForEmail(payload))
    expect(calls).toBeLessThan(CALLS_PER_CHAR * payload.length + 100)
  })

  it('shows raw HTML as text instead of parsing it', () => {
    expect(renderMarkdown('<b>bold</b> <script>alert(1)</script>')).toBe(
      '<p>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n',
    )
  })

  it('does not turn script URLs into links, in any spelling', () => {
    for (const source of [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](javascript&#58;alert(1))',
      '<javascript:alert(1)>',
    ]) {
      expect(renderMarkdown(source)).not.toContain('<a')
    }
  })

  it('shows an image as a link to it, never as <img>', () => {
    expect(renderMarkdown('![The chart](https://example.com/chart.png "Q3")')).toBe(
      '<p><a href="https://example.com/chart.png" rel="nofollow ugc noopener" title="Q3">The chart</a></p>\n',
    )
    // Inside a link, only its text, so links never nest.
    expect(renderMarkdown('[![logo](https://example.com/l.png)](https://example.com)')).toBe(
      '<p><a href="https://example.com" rel="nofollow ugc noopener">logo</a></p>\n',
    )
  })
})

describe('renderMarkdown: pathological input', () => {
  const cases: [string, string][] = [
    ["5,000 levels of '>' on one line", '>'.repeat(5000) + ' deep'],
    [
      "5,000 lines of deepening '>'",
      Array.from({ length: 5000 }, (_, i) => '>'.repeat(i + 1) + ' x').join('\n'),
    ],
    ["5,000 levels of '- ' on one line", '- '.repeat(5000) + 'deep'],
    [
      '5,000 indented list levels',
      Array.from({ length: 5000 }, (_, i) => ' '.repeat(i * 2) + '- x').join('\n'),
    ],
    ["5,000 levels of '1. '", '1. '.repeat(5000) + 'deep'],
    ['alternating quotes and lists', '> - '.repeat(5000) + 'deep'],
  ]

  it.each(cases)('%s: bounded depth, no stack overflow, little work', (_, source) => {
    const { result, calls } = counted(() => renderMarkdown(source))
    expectInert(result)
    // The nesting cap stops the block after about MAX_NESTING levels: a few hundred rule calls, not thousands of levels.
    expect(calls).toBeLessThan(1000)
    // About MAX_NESTING (20) levels are rendered; the rest of such a block is dropped.
    const depth = (result.match(/<(blockquote|ul|ol|li)>/g) ?? []).length
    expect(depth).toBeGreaterThan(5)
    expect(depth).toBeLessThanOrEqual(22)
  })

  it.each([
    ['50,000 opening brackets', '['.repeat(50_000)],
    ['unclosed emphasis', '*a **a '.repeat(7000)],
    ['many backtick runs', '`a``'.repeat(15_000)],
  ])('%s: work linear in its length', (_, source) => {
    const { result, calls } = counted(() => renderMarkdown(source))
    expectInert(result)
    expect(calls).toBeGreaterThan(0)
    expect(calls).toBeLessThan(CALLS_PER_CHAR * source.length)
  })

  it('cuts an 11 MB body to the limit, with a note, parsing only the limit', () => {
    const source = 'Lots of text with **bold** and [a link](https://example.com). '.repeat(180_000)
    expect(source.length).toBeGreaterThan(11_000_000)
    const { result, calls } = counted(() => renderMarkdown(source))
    expectInert(result)
    expect(calls).toBeLessThan(CALLS_PER_CHAR * SOURCE_MAX)
    expect(result.length).toBeLessThan(SOURCE_MAX * 4)
    expect(result).toContain('This text was cut short: only its first 60,000 characters are shown.')
  })

  it('adds the note only beyond the limit', () => {
    expect(renderMarkdown('a'.repeat(SOURCE_MAX))).not.toContain('cut short')
    expect(renderMarkdown('a'.repeat(SOURCE_MAX + 1))).toContain('cut short')
  })

  it('never cuts an emoji in half', () => {
    const result = renderMarkdown('a' + '😀'.repeat(SOURCE_MAX))
    expect(result).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
  })
})

describe('renderMarkdown: what members write', () => {
  it('gives every link rel="nofollow ugc noopener"', () => {
    expect(
      renderMarkdown(
        '[docs](https://example.com/docs) and https://example.org and <mailto:a@example.com>',
      ),
    ).toBe(
      '<p><a href="https://example.com/docs" rel="nofollow ugc noopener">docs</a> and ' +
        '<a href="https://example.org" rel="nofollow ugc noopener">https://example.org</a> and ' +
        '<a href="mailto:a@example.com" rel="nofollow ugc noopener">mailto:a@example.com</a></p>\n',
    )
  })

  it("keeps relative links only when they start with '/'", () => {
    expect(renderMarkdown('[post](/posts/42)')).toBe(
      '<p><a href="/posts/42" rel="nofollow ugc noopener">post</a></p>\n',
    )
    expect(renderMarkdown('[post](posts/42)')).toBe('<p>[post](posts/42)</p>\n')
    expect(renderMarkdown('[top](#top)')).toBe('<p>[top](#top)</p>\n')
  })

  it('keeps code blocks and their whitespace', () => {
    expect(renderMarkdown('```ts\n  const a  =  1\n\n\tindented()\n```')).toBe(
      '<pre tabindex="0"><code class="language-ts">  const a  =  1\n\n\tindented()\n</code></pre>\n',
    )
    expect(renderMarkdown('    if (x) {\n      y()\n    }')).toBe(
      '<pre tabindex="0"><code>if (x) {\n  y()\n}\n</code></pre>\n',
    )
    expect(renderMarkdown('Run `npm  ci` <now>')).toBe(
      '<p>Run <code>npm  ci</code> &lt;now&gt;</p>\n',
    )
  })

  it('downgrades headings so a post never has a second h1', () => {
    expect(renderMarkdown('# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six')).toBe(
      '<h2>One</h2>\n<h2>Two</h2>\n<h3>Three</h3>\n<h4>Four</h4>\n<h4>Five</h4>\n<h4>Six</h4>\n',
    )
  })

  it('renders lists, quotes, emphasis, strikethrough and rules', () => {
    expect(renderMarkdown('> **bold** _it_ ~~old~~\n\n3. three\n4. four\n\n- a\n\n---')).toBe(
      '<blockquote>\n<p><strong>bold</strong> <em>it</em> <del>old</del></p>\n</blockquote>\n' +
        '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n<ul>\n<li>a</li>\n</ul>\n<hr />\n',
    )
  })

  it('wraps tables in a focusable scroll region', () => {
    expect(renderMarkdown('| a | b |\n|--:|---|\n| 1 | 2 |')).toBe(
      '<div class="markdown-table" role="region" aria-label="Table" tabindex="0"><table>\n' +
        '<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table></div>\n',
    )
  })

  it('keeps soft line breaks as spaces (breaks: false)', () => {
    expect(renderMarkdown('one\ntwo')).toBe('<p>one\ntwo</p>\n')
  })

  it('renders nothing for nothing', () => {
    expect(renderMarkdown('')).toBe('')
  })
})

describe('renderMarkdownForEmail', () => {
  it('makes site-relative links absolute from PUBLIC_URL', () => {
    expect(renderMarkdownForEmail('[post](/posts/42?x=1#r) and [ext](https://example.com)')).toBe(
      '<p><a href="http://switchboard.test/posts/42?x=1#r" rel="nofollow ugc noopener">post</a> and ' +
        '<a href="https://example.com" rel="nofollow ugc noopener">ext</a></p>\n',
    )
  })

  it('has no scroll wrappers or tab stops', () => {
    expect(renderMarkdownForEmail('```\nx\n```\n\n|a|\n|-|\n|1|')).toBe(
      '<pre><code>x\n</code></pre>\n<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n',
    )
  })

  it('drops a link it cannot make absolute, keeping its text', () => {
    expect(sanitizeRenderedHtml('<a href="//[oops">text</a>', { absoluteLinks: true })).toBe('text')
  })
})

describe('sanitizeRenderedHtml (the second layer, attacked directly)', () => {
  const RAW = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<svg onload=alert(1)><circle/></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href="jav&#x09;ascript:alert(1)">a</a>',
    '<a href="&#106;avascript:alert(1)">a</a>',
    '<a href=" javascript:alert(1)">a</a>',
    '<a href="data:text/html,<script>alert(1)</script>">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    '<a href="relative/page">a</a>',
    '<p style="color:red" class="x" id="y" onclick="alert(1)">p</p>',
    '<scr<script>ipt>alert(1)</script>',
    '<code class="language-js evil" data-x="1">c</code>',
    '<code class="language-&quot;onclick=alert(1)">c</code>',
    '<form action="/x"><input name="a"><textarea>t</textarea><select><option>o</option></select><button>b</button></form>',
    '<object data="x"></object><embed src="x"><base href="/"><link rel="stylesheet" href="x"><meta charset="x">',
    '<details open ontoggle=alert(1)><summary>s</summary></details>',
    '<table background="javascript:alert(1)"><tr><td style="x">1</td></tr></table>',
  ]

  it.each(RAW)('leaves %j inert', (html) => {
    expectInert(sanitizeRenderedHtml(html))
    expectInert(sanitizeRenderedHtml(html, { absoluteLinks: true }))
  })

  it('rewrites every link: fixed rel, no target, only href and title', () => {
    expect(
      sanitizeRenderedHtml(
        '<a href="https://example.com" target="_blank" rel="opener" title="T" data-x="1">x</a>',
      ),
    ).toBe('<a href="https://example.com" rel="nofollow ugc noopener" title="T">x</a>')
  })

  it('drops unsafe links but keeps their text, without breaking the next link', () => {
    expect(
      sanitizeRenderedHtml('<p><a href="javascript:alert(1)">a</a> <a href="/b">b</a> c</p>'),
    ).toBe('<p>a <a href="/b" rel="nofollow ugc noopener">b</a> c</p>')
  })

  it('maps h1 to h2 and keeps the language class of code', () => {
    expect(
      sanitizeRenderedHtml('<h1>T</h1><pre><code class="language-sql">select 1</code></pre>'),
    ).toBe('<h2>T</h2><pre><code class="language-sql">select 1</code></pre>')
  })
})

describe('renderMarkdownExcerpt', () => {
  it('strips the Markdown and keeps the words', () => {
    expect(
      renderMarkdownExcerpt(
        '# Title\n\nSome **bold** and [a link](https://example.com) with `code`.\n\n- item ![pic](https://example.com/p.png)',
        200,
      ),
    ).toBe('Title Some bold and a link with code. item pic')
  })

  it('returns plain text, not HTML', () => {
    expect(renderMarkdownExcerpt('a < b && <script>x</script>', 100)).toBe(
      'a < b && <script>x</script>',
    )
  })

  it('leaves code blocks out unless they are all there is', () => {
    expect(renderMarkdownExcerpt('Before\n\n```\nnoise()\n```\n\nAfter', 100)).toBe('Before After')
    expect(renderMarkdownExcerpt('```\nonly(code)\n```', 100)).toBe('only(code)')
  })

  it('cuts at a word within maxChars and ends with an ellipsis', () => {
    const excerpt = renderMarkdownExcerpt('The quick brown fox jumps over the lazy dog', 20)
    expect(excerpt).toBe('The quick brown fox…')
    expect(excerpt.length).toBeLessThanOrEqual(20)
    expect(renderMarkdownExcerpt('short', 20)).toBe('short')
  })

  it('copes with huge and deeply nested sources, parsing only a bounded part', () => {
    const { result, calls } = counted(() =>
      renderMarkdownExcerpt('>'.repeat(5000) + ' deep\n\n' + 'word '.repeat(2_000_000), 100),
    )
    expect(result.length).toBeLessThanOrEqual(100)
    expect(calls).toBeLessThan(CALLS_PER_CHAR * SOURCE_MAX)
  })
})
