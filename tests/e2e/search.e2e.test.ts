/**
 * Finding earlier solutions: the header search box (a combobox with
 * suggestions, and a plain GET form without JavaScript), the "This may
 * already be solved" panel while a problem is written, and the way from an
 * empty search to logging the problem.
 */
import { describe, expect, test } from 'vitest'
import { acceptWorkaround, logProblem, open, problemForm, stateBadge, uniqueWord } from './content'
import { DEMO, expectText, setupBrowser, signedInPages } from './fixtures'

const browser = setupBrowser()
const as = signedInPages(browser)

const SEARCH_BOX = 'Search problems, workarounds, stories and migrations'

describe('the header search box', () => {
  test('suggests matches as a symptom is typed; ArrowDown and Enter open one', async () => {
    const bob = await as(DEMO.bob.email)
    const [first, second] = [uniqueWord(), uniqueWord()]
    const title = `Proxy ${first} rejects ${second} headers`
    const id = await logProblem(bob, { title, body: `Requests through ${first} fail with 431.` })

    const alice = await as(DEMO.alice.email)
    await open(alice, '/')
    const box = alice.getByRole('combobox', { name: SEARCH_BOX })
    expect(await box.getAttribute('aria-expanded')).toBe('false')
    // The last word is typed only in part: suggestions match prefixes.
    await box.fill(`${second} ${first.slice(0, 6)}`)
    const listbox = alice.getByRole('listbox', { name: 'Suggestions' })
    const match = listbox.getByRole('option').filter({ hasText: title })
    await match.waitFor()
    expect(await box.getAttribute('aria-expanded')).toBe('true')
    expect(await match.textContent()).toBe(`${title}Problem`)

    // Down to the match (completions may come first), then Enter.
    const labels = await listbox.getByRole('option').allTextContents()
    const index = labels.findIndex((label) => label.startsWith(title))
    for (let i = 0; i <= index; i++) await box.press('ArrowDown')
    expect(await box.getAttribute('aria-activedescendant')).toBe(await match.getAttribute('id'))
    expect(await match.getAttribute('aria-selected')).toBe('true')
    await box.press('Enter')
    await alice.waitForURL(`/posts/${id}`)
    await expectText(alice.getByRole('heading', { level: 1 }), title)
    expect(await listbox.isHidden()).toBe(true)
  })

  test('without JavaScript it is a form to /search, whose results highlight the words', async () => {
    const bob = await as(DEMO.bob.email)
    const word = uniqueWord()
    const title = `Mailer ${word} queue grows forever`
    const id = await logProblem(bob, {
      title,
      body: `When the SMTP relay is down the ${word} queue grows without a limit.`,
    })

    const alice = await as(DEMO.alice.email, { javaScriptEnabled: false })
    await open(alice, '/')
    await alice.getByRole('combobox', { name: SEARCH_BOX }).fill(`${word} forever`)
    await alice.getByRole('combobox', { name: SEARCH_BOX }).press('Enter')
    await alice.waitForURL((url) => url.pathname === '/search')
    expect(new URL(alice.url()).searchParams.get('q')).toBe(`${word} forever`)

    const result = alice
      .getByRole('article')
      .filter({ has: alice.getByRole('link', { name: title }) })
    expect(await result.count()).toBe(1)
    // The title and the snippet mark the words that matched.
    expect(await result.locator('h3 mark').allTextContents()).toEqual([word, 'forever'])
    expect(await result.locator('p mark').allTextContents()).toContain(word)
    expect(await result.getByText('0 me too', { exact: false }).count()).toBe(1)

    await result.getByRole('link', { name: title }).click()
    await alice.waitForURL(`/posts/${id}`)
  })
})

describe('already solved?', () => {
  test(
    'while a problem is written, a similar solved one is shown first and can be opened',
    { timeout: 60_000 },
    async () => {
      const [a, b, c] = [uniqueWord(), uniqueWord(), uniqueWord()]

      // Bob solved it: he logs the problem with his workaround and accepts it.
      const bob = await as(DEMO.bob.email)
      const solvedTitle = `Upload ${a} stalls at 99 percent`
      const solvedId = await logProblem(bob, {
        title: solvedTitle,
        body: `Large files sent through ${b} stop just before the end; ${c} shows no error.`,
        workaround: `Raise the ${c} chunk timeout to 120 seconds.`,
      })
      await acceptWorkaround(bob, DEMO.bob.name)

      // Carol has the same words in an open problem, more of them, in its title.
      const carol = await as(DEMO.carol.email)
      const openTitle = `${c} ${a} ${b} upload never finishes`
      await logProblem(carol, { title: openTitle, body: `${c} ${a} ${b} again, and ${c} again.` })
      await expectText(stateBadge(carol), 'Open')

      // Alice describes the symptom in her own words and order.
      const alice = await as(DEMO.alice.email)
      await open(alice, '/problems/new')
      const panel = alice.getByRole('complementary', { name: 'This may already be solved' })
      await panel
        .getByText(
          'As you describe the problem, similar earlier posts appear here — solved ones first.',
        )
        .waitFor()
      await problemForm(alice).title.fill(`${c} with ${a}`)
      await problemForm(alice).body.fill(`It is ${b} again.`)

      const items = panel.getByRole('listitem')
      await items.filter({ hasText: openTitle }).waitFor()
      await items.filter({ hasText: solvedTitle }).waitFor()
      const titles = await items.getByRole('heading').allTextContents()
      expect(titles.indexOf(solvedTitle)).toBe(0)
      expect(titles.indexOf(openTitle)).toBeGreaterThan(0)
      await items.first().getByText('Solved', { exact: true }).waitFor()

      await items.first().getByRole('link', { name: solvedTitle }).click()
      await alice.waitForURL(`/posts/${solvedId}`)
      await expectText(alice.getByRole('heading', { level: 1 }), solvedTitle)
      await expectText(stateBadge(alice), 'Solved')
    },
  )
})

describe('a search that finds nothing', () => {
  test('offers to log it as a problem, with the query as the title', async () => {
    const alice = await as(DEMO.alice.email)
    const query = `${uniqueWord()} ${uniqueWord()}`
    await open(alice, `/search?${new URLSearchParams({ q: query })}`)
    const results = alice.getByRole('region', { name: 'Results' })
    await expectText(results.locator('p').first(), `Nothing matches “${query}”.`)
    const log = results.getByRole('link', { name: 'Log it as a problem' })
    expect(await log.getAttribute('href')).toBe(
      `/problems/new?${new URLSearchParams({ title: query })}`,
    )

    await log.click()
    await alice.waitForURL((url) => url.pathname === '/problems/new')
    expect(await problemForm(alice).title.inputValue()).toBe(query)
  })
})
