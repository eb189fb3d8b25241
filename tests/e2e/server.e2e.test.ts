/**
 * What the HTTP server adds to a signed-in visit: no Content Security Policy
 * violation on the support queue (its charts used to carry style
 * attributes), `Cache-Control: private, no-store` on signed-in pages, and
 * client-side navigation working from the route manifest file.
 */
import { describe, expect, test } from 'vitest'
import { DEMO, DEMO_PASSWORD, setupBrowser, signIn } from './fixtures'

const browser = setupBrowser()

describe('a signed-in visit to the support console', () => {
  test('the queue page breaks no CSP rule, is never stored, and links navigate in the page', async () => {
    const page = await browser.newPage()
    const cspErrors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text())
    })
    await signIn(page, DEMO.support.email, DEMO_PASSWORD)

    const response = (await page.goto('/support/queue'))!
    expect(response.status()).toBe(200)
    expect((await response.allHeaders())['cache-control']).toBe('private, no-store')
    await expect.poll(() => page.locator('figure svg').count()).toBeGreaterThan(0)
    await page.waitForFunction(() => '__remixRouter' in window)
    expect(cspErrors).toEqual([])

    // A client-side navigation (no full page load) still finds its route.
    await page.evaluate(() => ((window as unknown as { __loadMarker: boolean }).__loadMarker = true))
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Introductions' }).click()
    await page.waitForURL((url) => url.pathname === '/introductions')
    await expect.poll(() => page.locator('h1').first().textContent()).toBeTruthy()
    expect(await page.evaluate(() => (window as unknown as { __loadMarker?: boolean }).__loadMarker)).toBe(true)
  })
})
