/**
 * Writing content through the real forms, for the browser tests of posts,
 * search and stored XSS. Every helper works with and without JavaScript and
 * waits until the hub has answered, so tests read top to bottom.
 */
import crypto from 'node:crypto'
import { type Locator, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { expectText, pageScriptsRun, waitForHydration } from './fixtures'

/** The demo product every test posts about (app/db/demo-content.ts). */
export const PRODUCT = 'Relay Gateway'

const LETTERS = 'bcdfghjklmnpqrtvwxz'
const VOWELS = 'aeiou'

/**
 * A word nobody else wrote: nine lower-case letters in syllables, so search,
 * stemming (which folds a plural "s") and highlighting treat it as one plain
 * word, and no two of them are within a typo of each other.
 */
export function uniqueWord(): string {
  const bytes = crypto.randomBytes(9)
  let word = ''
  for (let i = 0; i < 9; i++) {
    const pool = i % 2 === 1 ? VOWELS : LETTERS
    word += pool[bytes[i]! % pool.length]
  }
  return word
}

/** The id in a /posts/:id URL. */
export function postIdOf(url: string): string {
  const match = /^\/posts\/([^/]+)$/.exec(new URL(url).pathname)
  if (!match) throw new Error(`e2e: ${url} is not a post page`)
  return match[1]!
}

/** Opens `path` and, when the page's scripts run, waits until it is hydrated. */
export async function open(page: Page, path: string) {
  const response = await page.goto(path)
  if (await pageScriptsRun(page)) await waitForHydration(page)
  return response
}

/** The fields of the problem form, by their labels. */
export function problemForm(page: Page) {
  return {
    title: page.getByLabel('Title', { exact: true }),
    product: page.getByLabel('Product', { exact: true }),
    body: page.getByLabel('What happens', { exact: true }),
    tags: page.getByLabel('Tags (optional)', { exact: true }),
    workaroundPart: page.getByText('I found a workaround', { exact: true }),
    workaround: page.getByLabel('Your workaround (optional)', { exact: true }),
    submit: page.getByRole('button', { name: 'Log this problem' }),
  }
}

export type ProblemInput = {
  title: string
  body: string
  tags?: string
  /** Filled in the form's "I found a workaround" part. */
  workaround?: string
}

/** Fills the problem form on /problems/new (already open) without sending it. */
export async function fillProblem(page: Page, input: ProblemInput) {
  const form = problemForm(page)
  await form.title.fill(input.title)
  await form.product.selectOption({ label: PRODUCT })
  await form.body.fill(input.body)
  if (input.tags !== undefined) await form.tags.fill(input.tags)
  if (input.workaround !== undefined) {
    await form.workaroundPart.click()
    await form.workaround.fill(input.workaround)
  }
}

/**
 * Logs a problem through /problems/new and waits for its page; returns its
 * id. The page is left on the new problem.
 */
export async function logProblem(page: Page, input: ProblemInput): Promise<string> {
  await open(page, '/problems/new')
  await fillProblem(page, input)
  await problemForm(page).submit.click()
  await page.waitForURL((url) => url.pathname.startsWith('/posts/'))
  await expectNotice(
    page,
    'Your problem is logged. We emailed you this page’s link so you can track it; you will hear when someone replies or posts a workaround.',
  )
  return postIdOf(page.url())
}

/** Waits for the confirmation a redirect shows (`?notice=…`). */
export async function expectNotice(page: Page, text: string) {
  await page.getByRole('status').filter({ hasText: text }).waitFor({ timeout: 30_000 })
}

/** Posts a reply on the post page that is open and waits until it is shown. */
export async function postReply(page: Page, body: string) {
  const before = page.url()
  await page.getByLabel('Your reply', { exact: true }).fill(body)
  await page.getByRole('button', { name: 'Post reply' }).click()
  // The notice may still show from an earlier reply: wait for this reply's anchor.
  await page.waitForURL((url) => url.href !== before && url.hash.startsWith('#reply-'), { timeout: 30_000 })
  await expectNotice(page, 'Your reply was posted.')
}

/** Posts a workaround on the problem page that is open; returns its id. */
export async function postWorkaround(page: Page, body: string): Promise<string> {
  const before = page.url()
  await page.getByLabel('How you solved or avoided it', { exact: true }).fill(body)
  await page.getByRole('button', { name: 'Post workaround' }).click()
  await page.waitForURL((url) => url.href !== before && url.hash.startsWith('#workaround-'), { timeout: 30_000 })
  await expectNotice(page, 'Your workaround was added. Thank you — it may save someone days.')
  const id = /^#workaround-(.+)$/.exec(new URL(page.url()).hash)?.[1]
  if (!id) throw new Error(`e2e: no workaround anchor in ${page.url()}`)
  return id
}

/** Presses "me too" on the open problem page, which nobody had pressed yet, and waits until it counts. */
export async function pressMeToo(page: Page) {
  await page.getByRole('button', { name: 'Me too · 0' }).click()
  await page.getByRole('button', { name: /^You have this too · 1/ }).waitFor()
}

/** The card of one workaround on a problem page. */
export function workaroundCard(page: Page, id: string): Locator {
  return page.locator(`article[id="workaround-${id}"]`)
}

/** The problem's state badge (Open, Answered, Solved), next to its kind. */
export function stateBadge(page: Page): Locator {
  return page.locator('article[aria-labelledby="post-title"] > div').first().locator('span').nth(1)
}

/** Accepts a workaround as the problem's author (or support) on the open problem page. */
export async function acceptWorkaround(page: Page, authorName: string) {
  await page.getByRole('button', { name: `Accept this workaround by ${authorName}` }).click()
  await expectNotice(page, 'The workaround is accepted and the problem is marked solved.')
  await expectText(stateBadge(page), 'Solved')
}

/** The text of the search page's result count ("3 results"), or its "Nothing matches" line. */
export async function searchOutcome(page: Page, query: string) {
  await open(page, `/search?${new URLSearchParams({ q: query })}`)
  const section = page.locator('section[aria-labelledby="results-heading"]')
  const nothing = section.getByText('Nothing matches')
  if (await nothing.count()) return 'nothing'
  const count = await section.locator('p').first().textContent()
  expect(count).toMatch(/^\d+ results?$/)
  return count!
}
