/** Signing in and out through the real pages, with and without JavaScript. */
import { describe, expect, test } from 'vitest'
import {
  DEMO,
  DEMO_PASSWORD,
  expectText,
  sessionCookie,
  signIn,
  signOut,
  setupBrowser,
} from './fixtures'

const browser = setupBrowser()

describe('signing in and out', () => {
  test('a demo customer signs in, sees the home page and signs out through the account menu', async () => {
    const page = await browser.newPage()
    await signIn(page, DEMO.alice.email, DEMO_PASSWORD)

    expect(new URL(page.url()).pathname).toBe('/')
    await expectText(page.getByRole('heading', { level: 1 }), `Welcome, ${DEMO.alice.name}`)
    expect(await sessionCookie(page.context())).toBeDefined()

    await signOut(page)
    await expectText(page.getByRole('status'), 'You are signed out.')
    expect(await sessionCookie(page.context())).toBeUndefined()

    // The session is really over: the home page sends us back to sign in.
    await page.goto('/')
    expect(new URL(page.url()).pathname).toBe('/login')
  })

  test('a wrong password is refused with a message; the email stays, the password is cleared', async () => {
    const page = await browser.newPage()
    await page.goto('/login')
    await page.getByLabel('Email').fill(DEMO.bob.email)
    await page.getByLabel('Password').fill('not-the-right-password')
    const [response] = await Promise.all([
      // With JavaScript, Remix posts to /login.data (single fetch).
      page.waitForResponse(
        (r) =>
          r.request().method() === 'POST' && /^\/login(\.data)?$/.test(new URL(r.url()).pathname),
      ),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ])
    expect(response.status()).toBe(400)

    await expectText(
      page.getByRole('alert'),
      'That email and password do not match an account. Check both and try again.',
    )
    expect(new URL(page.url()).pathname).toBe('/login')
    expect(await page.getByLabel('Email').inputValue()).toBe(DEMO.bob.email)
    expect(await page.getByLabel('Password').inputValue()).toBe('')
    expect(await sessionCookie(page.context())).toBeUndefined()
  })

  describe('without JavaScript', () => {
    test('signing in and out works with plain forms', async () => {
      const page = await browser.newPage({ javaScriptEnabled: false })
      await signIn(page, DEMO.carol.email, DEMO_PASSWORD)
      expect(new URL(page.url()).pathname).toBe('/')
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        `Welcome, ${DEMO.carol.name}`,
      )

      await signOut(page)
      await expectText(page.getByRole('status'), 'You are signed out.')
      expect(await sessionCookie(page.context())).toBeUndefined()
    })

    test('a wrong password shows the message in a full page, the email refilled', async () => {
      const page = await browser.newPage({ javaScriptEnabled: false })
      await page.goto('/login')
      await page.getByLabel('Email').fill(DEMO.carol.email)
      await page.getByLabel('Password').fill('not-the-right-password')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState()

      expect(await page.getByRole('alert').textContent()).toBe(
        'That email and password do not match an account. Check both and try again.',
      )
      expect(await page.getByLabel('Email').inputValue()).toBe(DEMO.carol.email)
      expect(await page.getByLabel('Password').inputValue()).toBe('')
    })
  })
})
