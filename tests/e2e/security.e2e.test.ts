/**
 * What the HTTP server promises for every request (server/app.ts): requests
 * from other sites change nothing, every page carries the security headers
 * with a fresh CSP nonce, and guarded pages answer with friendly 403 and 404
 * pages.
 */
import http from 'node:http'
import { type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  baseURL,
  DEMO,
  DEMO_PASSWORD,
  SESSION_COOKIE,
  sessionCookie,
  signIn,
  setupBrowser,
} from './fixtures'

const browser = setupBrowser()

/** POSTs valid demo credentials to /login with the given extra headers, not following redirects. */
function postLogin(headers: Record<string, string>) {
  return fetch(`${baseURL}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email: DEMO.alice.email, password: DEMO_PASSWORD }).toString(),
  })
}

const sessionCookies = (response: Response) =>
  response.headers
    .getSetCookie()
    .filter((c) => c.startsWith(`${SESSION_COOKIE}=`) && !c.startsWith(`${SESSION_COOKIE}=;`))

describe('cross-site requests', () => {
  test('the same credentials sign in from our own origin (control for the tests below)', async () => {
    const response = await postLogin({ Origin: baseURL, 'Sec-Fetch-Site': 'same-origin' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/')
    expect(sessionCookies(response)).toHaveLength(1)
  })

  test('a POST that says it comes from another site is refused with 403 and sets no session', async () => {
    const response = await postLogin({
      Origin: 'http://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    })
    expect(response.status).toBe(403)
    expect(response.headers.getSetCookie()).toEqual([])
    expect(await response.text()).toContain('This request was refused')
  })

  test('a POST from another origin without Sec-Fetch-Site is refused too', async () => {
    const response = await postLogin({ Origin: 'http://evil.example' })
    expect(response.status).toBe(403)
    expect(response.headers.getSetCookie()).toEqual([])
  })

  describe('a real form on another site', () => {
    // The attacker's page: served from 127.0.0.1 while the hub is at
    // localhost, so the browser treats it as another site.
    let evil: http.Server
    let evilURL: string
    beforeAll(async () => {
      evil = http.createServer((_req, res) => {
        res.setHeader('Content-Type', 'text/html; charset=utf-8')
        res.end(`<!doctype html><html lang="en"><title>Win a prize</title>
<form id="f" method="post" action="${baseURL}/login">
  <input name="email" value="${DEMO.alice.email}">
  <input name="password" value="${DEMO_PASSWORD}">
</form>
<script>document.getElementById('f').submit()</script></html>`)
      })
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
      evilURL = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`
    })
    afterAll(async () => {
      await new Promise((resolve) => evil.close(resolve))
    })

    test('auto-submitting valid credentials to the hub is refused and leaves no session', async () => {
      const page = await browser.newPage()
      const [response] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && r.url() === `${baseURL}/login`,
        ),
        page.goto(evilURL),
      ])
      expect(await response.request().headerValue('sec-fetch-site')).toBe('cross-site')
      expect(response.status()).toBe(403)
      await page.waitForURL(`${baseURL}/login`)
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'This request was refused',
      )
      expect(await sessionCookie(page.context())).toBeUndefined()

      // And the hub indeed does not know this browser.
      await page.goto('/')
      expect(new URL(page.url()).pathname).toBe('/login')
    })
  })
})

describe('friendly error pages', () => {
  test('a customer opening the admin area gets the 403 page', async () => {
    const page = await browser.newPage()
    await signIn(page, DEMO.alice.email, DEMO_PASSWORD)
    const response = await page.goto('/admin')
    expect(response?.status()).toBe(403)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'You do not have access to this page',
    )
    expect(await page.getByText('This page is for administrators.').count()).toBe(1)
    // Still inside the layout, signed in, with a way back.
    expect(await page.getByRole('link', { name: 'Go to the home page' }).getAttribute('href')).toBe(
      '/',
    )
    expect(await page.locator('header details > summary').getAttribute('aria-label')).toBe(
      `Account menu for ${DEMO.alice.name}`,
    )
    // The support console's own front door refuses the same way.
    const support = await page.goto('/support')
    expect(support?.status()).toBe(403)
    expect(await page.getByText('This page is for the support team.').count()).toBe(1)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You do not have access to this page')
  })

  test('an unknown URL gets the 404 page', async () => {
    const page = await browser.newPage()
    const response = await page.goto('/no/such/page')
    expect(response?.status()).toBe(404)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'We could not find that page',
    )
    expect(await page.getByRole('link', { name: 'Go to the home page' }).count()).toBe(1)
  })
})

describe('security headers', () => {
  /** The nonce of the CSP's script-src, after checking the other headers every page must have. */
  function checkHeaders(headers: Record<string, string>) {
    expect(headers['x-content-type-options']).toBe('nosniff')
    const csp = headers['content-security-policy'] ?? ''
    const directives = csp.split(';').map((d) => d.trim())
    expect(directives).toContain("frame-ancestors 'none'")
    expect(directives).toContain("object-src 'none'")
    const scriptSrc = directives.find((d) => d.startsWith('script-src ')) ?? ''
    expect(scriptSrc).not.toContain('unsafe-inline')
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc)?.[1]
    expect(nonce, `no nonce in ${csp}`).toBeDefined()
    return nonce!
  }

  /** The nonce attribute of every <script> in the served HTML (the DOM hides it). */
  function scriptNonces(html: string) {
    const scripts = html.match(/<script\b[^>]*>/g) ?? []
    expect(scripts.length).toBeGreaterThan(0)
    return scripts.map((tag) => /\bnonce="([^"]*)"/.exec(tag)?.[1] ?? `(none on ${tag})`)
  }

  test.each([
    ['a page', '/login', 200],
    ['the 404 page', '/no/such/page', 404],
  ])('%s carries them, with a CSP nonce that matches its scripts', async (_label, path, status) => {
    const page = await browser.newPage()
    const cspErrors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        cspErrors.push(message.text())
    })
    const response = (await page.goto(path))!
    expect(response.status()).toBe(status)
    const nonce = checkHeaders(await response.allHeaders())
    expect(new Set(scriptNonces(await response.text()))).toEqual(new Set([nonce]))

    // The scripts really ran under that policy: React took over the page.
    await page.waitForFunction(() => '__remixRouter' in window)
    expect(cspErrors).toEqual([])

    // A fresh nonce for every response.
    const again = (await page.goto(path))!
    expect(checkHeaders(await again.allHeaders())).not.toBe(nonce)
  })

  test('the refusal of a cross-site request carries them too', async () => {
    const response = await postLogin({
      Origin: 'http://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    })
    const headers = Object.fromEntries(response.headers)
    checkHeaders(headers)
    expect(headers['x-frame-options']).toBe('DENY')
  })
})
