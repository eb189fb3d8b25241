/**
 * Stored XSS: what people write is shown as text or as sanitized Markdown
 * everywhere it appears — the post page, the home page, search results and
 * the Atom feed — and no payload ever runs. Oversized bodies are refused
 * before anything reads them.
 */
import { type Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import {
  acceptWorkaround,
  expectNotice,
  fillProblem,
  open,
  postIdOf,
  postReply,
  postWorkaround,
  problemForm,
  searchOutcome,
  uniqueWord,
} from './content'
import { baseURL, DEMO, expectText, setupBrowser, signedInPages } from './fixtures'

const browser = setupBrowser()
const as = signedInPages(browser)

/** Each sets `window.__xss` if it ever runs. */
const PAYLOADS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '[click](javascript:window.__xss=1)',
  '<svg onload="window.__xss=1">',
  '<iframe src="javascript:window.__xss=1">',
]

/** Every payload, one paragraph each, after a line with the test's word. */
const markdownWithPayloads = (word: string) => [`Payloads for ${word}:`, ...PAYLOADS].join('\n\n')

/** 5,000 levels of block quotes (the renderer stops at a fixed depth). */
const DEEP_NESTING = `${'>'.repeat(5_000)} deep`

/**
 * Records dialogs (alert, confirm, prompt) the page opens; a payload that ran
 * could open one instead of setting `window.__xss`.
 */
function recordDialogs(page: Page) {
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`)
    void dialog.dismiss()
  })
  return dialogs
}

/** Nothing ran, and the page holds no element or link a payload could run from. */
async function expectNothingRan(page: Page, dialogs: string[], where: string) {
  expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss), where).toBeUndefined()
  expect(dialogs, where).toEqual([])
  const found = await page.evaluate(() => {
    const main = document.querySelector('main') ?? document.documentElement
    const inMain = [...main.querySelectorAll('*')]
    return {
      // Scripts belong in the layout (with the CSP nonce), never in what people wrote.
      scripts: [
        ...main.querySelectorAll(
          'script, iframe, svg:not([aria-hidden="true"]), img, object, embed',
        ),
      ].map((e) => e.outerHTML.slice(0, 120)),
      handlers: inMain.flatMap((e) =>
        e
          .getAttributeNames()
          .filter((n) => n.startsWith('on'))
          .map((n) => `${e.tagName} ${n}`),
      ),
      scriptLinks: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
        .flatMap((e) => ['href', 'src', 'action', 'formaction'].map((n) => e.getAttribute(n) ?? ''))
        // Browsers ignore whitespace and control characters in a URL's scheme.
        // eslint-disable-next-line no-control-regex
        .filter((v) => /^javascript:/i.test(v.replace(/[\u0000-\u0020]/g, ''))),
    }
  })
  expect(found, where).toEqual({ scripts: [], handlers: [], scriptLinks: [] })
}

/** The entry of the Atom feed whose title contains `word`, its content as the HTML a reader would render. */
function feedEntryHtml(feed: string, word: string) {
  const entry = feed.split('<entry>').find((e) => e.includes(word))
  expect(entry, `no feed entry for ${word}`).toBeDefined()
  const content = /<content type="html">([\s\S]*?)<\/content>/.exec(entry!)?.[1]
  expect(content, 'the entry has HTML content').toBeDefined()
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(content!.trim())
  if (cdata) return cdata[1]!
  return content!
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

describe('stored XSS', () => {
  test(
    'payloads in a title, body, tags, reply and workaround never run on the post, home, search or feed',
    { timeout: 90_000 },
    async () => {
      const alice = await as(DEMO.alice.email)
      const aliceDialogs = recordDialogs(alice)
      const word = uniqueWord()
      const title = `${word} <script>window.__xss=1</script> <img src=x onerror="window.__xss=1">`
      const body = markdownWithPayloads(word)

      // Tags refuse odd characters with a clear message, keeping what was typed.
      await open(alice, '/problems/new')
      await fillProblem(alice, {
        title,
        body,
        tags: `ok, <svg/onload=window.__xss=1>, javascript:x`,
      })
      const [refused] = await Promise.all([
        alice.waitForResponse(
          (r) =>
            r.request().method() === 'POST' &&
            /^\/problems\/new(\.data)?$/.test(new URL(r.url()).pathname),
        ),
        problemForm(alice).submit.click(),
      ])
      expect(refused.status()).toBe(400)
      const tags = problemForm(alice).tags
      // The response can arrive before React re-renders the form with its errors.
      await expect.poll(() => tags.getAttribute('aria-invalid'), { timeout: 20_000 }).toBe('true')
      await expectText(
        alice.locator(
          `[id="${await tags.getAttribute('aria-describedby').then((ids) => ids!.split(' ')[0])}"]`,
        ),
        'Tags are single words of letters and digits (with - . + # _), separated by commas or spaces.',
      )
      expect(await tags.getAttribute('aria-invalid')).toBe('true')
      expect(await problemForm(alice).title.inputValue()).toBe(title)
      expect(await problemForm(alice).body.inputValue()).toBe(body)
      expect(await searchOutcome(await as(DEMO.alice.email), word)).toBe('nothing')

      // With acceptable tags it is logged; the title is shown as text.
      await tags.fill(`xss, ${word}`)
      await problemForm(alice).submit.click()
      await alice.waitForURL((url) => url.pathname.startsWith('/posts/'))
      const id = postIdOf(alice.url())
      await expectText(alice.getByRole('heading', { level: 1 }), title)

      // Bob answers with payloads, including 5,000 nested quotes.
      const bob = await as(DEMO.bob.email)
      const bobDialogs = recordDialogs(bob)
      await open(bob, `/posts/${id}`)
      await postReply(bob, markdownWithPayloads(word))
      await postReply(bob, DEEP_NESTING)
      await postWorkaround(bob, markdownWithPayloads(word))
      await expectText(bob.locator('#replies-heading'), 'Conversation (2)')
      await expectNothingRan(bob, bobDialogs, 'the post page, as the replier')

      await open(alice, `/posts/${id}`)
      await acceptWorkaround(alice, DEMO.bob.name)
      await expectNothingRan(alice, aliceDialogs, 'the post page')
      // The payloads are there, as text: the post body, the workaround and the first reply.
      const rendered = alice.locator('main .markdown')
      expect(await rendered.count()).toBe(4)
      for (const i of [0, 1, 2]) {
        const text = await rendered.nth(i).textContent()
        for (const payload of PAYLOADS) expect(text).toContain(payload)
      }
      // The deep quote renders (bounded), with no runaway nesting.
      expect(await alice.locator('main .markdown blockquote').count()).toBeLessThan(100)

      await open(alice, '/')
      await alice.getByRole('link', { name: title }).first().waitFor()
      await expectNothingRan(alice, aliceDialogs, 'the home page')

      await open(alice, `/search?${new URLSearchParams({ q: word })}`)
      await alice.locator('mark', { hasText: word }).first().waitFor()
      await expectNothingRan(alice, aliceDialogs, 'the search results')

      // The Atom feed lists the accepted workaround: its HTML is sanitized too.
      const response = await alice.request.get('/feeds/solutions.atom')
      expect(response.status()).toBe(200)
      expect(response.headers()['content-type']).toBe('application/atom+xml; charset=utf-8')
      const feed = await response.text()
      const html = feedEntryHtml(feed, word)
      expect(html).toContain(`Payloads for ${word}:`)
      expect(html).not.toMatch(/<(script|img|svg|iframe|object|embed)\b/i)
      expect(html).not.toMatch(/<[a-z][^>]*\son\w+\s*=/i)
      expect(html).not.toMatch(/href\s*=\s*["']?\s*javascript:/i)
      // Opened in the browser, it runs nothing either.
      await alice.goto('/feeds/solutions.atom')
      expect(await alice.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined()
      expect(aliceDialogs).toEqual([])
    },
  )

  test('an 11 MB body posted to /problems/new is answered 413 and creates nothing', async () => {
    const alice = await as(DEMO.alice.email)
    await open(alice, '/problems/new')
    const productId = await problemForm(alice)
      .product.locator('option', { hasText: 'Relay Gateway' })
      .getAttribute('value')
    const word = uniqueWord()
    const response = await alice.request.post('/problems/new', {
      headers: { Origin: baseURL, 'Sec-Fetch-Site': 'same-origin' },
      form: {
        title: `Huge ${word}`,
        productId: productId!,
        body: `${word} ${'x'.repeat(11 * 1024 * 1024)}`,
      },
      maxRedirects: 0,
    })
    expect(response.status()).toBe(413)
    expect(await response.text()).toContain('That was too much to send')
    expect(await searchOutcome(alice, word)).toBe('nothing')

    // The same request, small, is accepted (so the 413 was about the size).
    const small = await alice.request.post('/problems/new', {
      headers: { Origin: baseURL, 'Sec-Fetch-Site': 'same-origin' },
      form: { title: `Small ${word}`, productId: productId!, body: `${word} fits.` },
      maxRedirects: 0,
    })
    expect(small.status()).toBe(302)
    expect(small.headers()['location']).toMatch(/^\/posts\/[^/?]+\?notice=problem-logged$/)
    await open(alice, small.headers()['location']!)
    await expectNotice(alice, 'Your problem is logged.')
    expect(await searchOutcome(alice, word)).toBe('1 result')
  })
})
