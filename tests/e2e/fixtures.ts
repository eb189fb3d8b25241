/**
 * Helpers for the browser tests. Each test file calls `setupBrowser()` once at
 * its top: Chromium is launched before the file's first test and closed after
 * its last; every context a test opens is closed after that test, so tests
 * never share cookies.
 */
import AxeBuilder from '@axe-core/playwright'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest'
import { DEMO_PASSWORD } from './accounts'
import { chromiumPath } from './chromium'

export { DEMO, DEMO_PASSWORD } from './accounts'

/** The hub started by the global setup, e.g. http://localhost:41234. */
export const baseURL = inject('baseURL')

/** The session cookie's name over plain HTTP (app/modules/auth/session.server.ts). */
export const SESSION_COOKIE = 'switchboard_session'

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Launches Debian's Chromium (never a downloaded one). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!executablePath)
    throw new Error(
      'e2e: Chromium was not found; install it (apt-get install chromium) or set CHROMIUM_PATH',
    )
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS })
}

export type BrowserHelpers = {
  /** A fresh context (own cookies) whose relative URLs resolve against the hub. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>
  /** A page in a fresh context. */
  newPage(options?: BrowserContextOptions): Promise<Page>
}

/** Registers the hooks that launch and close the browser for this file. */
export function setupBrowser(): BrowserHelpers {
  let browser: Browser | undefined
  const open: BrowserContext[] = []

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((context) => context.close()))
  })
  afterAll(async () => {
    await browser?.close()
  })

  const newContext = async (options: BrowserContextOptions = {}) => {
    if (!browser)
      throw new Error('e2e: the browser is not running; call setupBrowser() at the top of the file')
    const context = await browser.newContext({ baseURL, ...options })
    context.setDefaultTimeout(20_000)
    open.push(context)
    return context
  }
  return {
    newContext,
    newPage: async (options) => (await newContext(options)).newPage(),
  }
}

/**
 * Signs in through the sign-in form and waits until the hub has sent the
 * browser on (to `/` unless the page asked for somewhere else). Works with
 * and without JavaScript.
 */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

/** Signs out through the account menu in the header and waits for the sign-in page. */
export async function signOut(page: Page) {
  await page.locator('header details > summary').click()
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL((url) => url.pathname === '/login')
}

/**
 * Waits until the one element `locator` matches has exactly `expected` as
 * its text. After a client-side navigation the URL can change a moment
 * before the new page is rendered, so reading the text once could see the
 * old page.
 */
export async function expectText(locator: Locator, expected: string) {
  await expect
    .poll(() => locator.textContent({ timeout: 1_000 }).catch((error: Error) => error.message), {
      timeout: 20_000,
    })
    .toBe(expected)
}

/** The session cookie the browser holds for the hub, if any. */
export async function sessionCookie(context: BrowserContext) {
  const cookies = await context.cookies(baseURL)
  return cookies.find((cookie) => cookie.name === SESSION_COOKIE && cookie.value !== '')
}

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number]

function describeViolation(violation: Violation) {
  const nodes = violation.nodes.map((node) => {
    const target = node.target.join(' ')
    const why = node.failureSummary?.replace(/\s+/g, ' ').trim()
    return `      at ${target}\n        ${node.html.slice(0, 200)}${why ? `\n        ${why}` : ''}`
  })
  return `  [${violation.impact}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes.join('\n')}`
}

/**
 * Runs axe on the page as it is now. Fails on serious or critical
 * violations, listing each with its elements; lesser ones are printed as
 * warnings so they are seen without failing the run.
 */
export async function expectNoSeriousA11yViolations(page: Page, label = page.url()) {
  const { violations } = await new AxeBuilder({ page }).analyze()
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  const lesser = violations.filter((v) => !serious.includes(v))
  if (lesser.length) {
    console.warn(
      `[axe] ${label}: ${lesser.length} minor or moderate issue(s):\n${lesser.map(describeViolation).join('\n')}`,
    )
  }
  if (serious.length) {
    expect.fail(
      `axe found ${serious.length} serious or critical violation(s) on ${label}:\n${serious.map(describeViolation).join('\n')}`,
    )
  }
}

/**
 * Waits until React has hydrated the page, so typing and clicking reach its
 * handlers instead of the server-rendered HTML (a controlled field filled
 * before hydration is reset by it). The sign: React Router's
 * ScrollRestoration sets `history.scrollRestoration` to 'manual' in an
 * effect, which runs only after the hydrated tree is committed; a new
 * document starts at 'auto'. Never resolves on a page without JavaScript.
 */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => window.history.scrollRestoration === 'manual')
}

/**
 * Whether the page's own scripts run (false in a context opened with
 * `javaScriptEnabled: false`; Playwright's evaluate works either way).
 */
export async function pageScriptsRun(page: Page) {
  return page.evaluate(() => '__remixContext' in window)
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>

/**
 * Pages signed in as demo people, for files whose tests need several people
 * at once. Each person signs in through the form once per file (password
 * hashing is slow on purpose); later pages reuse that session's cookie in a
 * fresh context, with or without JavaScript. Do not sign these pages out:
 * that would end the shared session.
 */
export function signedInPages(browser: BrowserHelpers, password = DEMO_PASSWORD) {
  const states = new Map<string, StorageState>()
  return async (email: string, options: BrowserContextOptions = {}): Promise<Page> => {
    const state = states.get(email)
    if (state) return (await browser.newContext({ ...options, storageState: state })).newPage()
    const page = await browser.newPage(options)
    await signIn(page, email, password)
    states.set(email, await page.context().storageState())
    return page
  }
}
