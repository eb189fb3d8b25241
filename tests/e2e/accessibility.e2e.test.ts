/** axe-core on the pages everyone sees first: no serious or critical violations. */
import { test } from 'vitest'
import {
  DEMO,
  DEMO_PASSWORD,
  expectNoSeriousA11yViolations,
  signIn,
  setupBrowser,
} from './fixtures'

const browser = setupBrowser()

test('the sign-in page, also when it shows an error', async () => {
  const page = await browser.newPage()
  await page.goto('/login')
  await expectNoSeriousA11yViolations(page, '/login')

  await page.getByLabel('Email').fill(DEMO.alice.email)
  await page.getByLabel('Password').fill('not-the-right-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('alert').waitFor()
  await expectNoSeriousA11yViolations(page, '/login with an error')
})

test('the home page of a signed-in customer, with the account menu open', async () => {
  const page = await browser.newPage()
  await signIn(page, DEMO.alice.email, DEMO_PASSWORD)
  await expectNoSeriousA11yViolations(page, 'home')

  await page.locator('header details > summary').click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  await expectNoSeriousA11yViolations(page, 'home with the account menu open')
})

test('the 404 page', async () => {
  const page = await browser.newPage()
  await page.goto('/no/such/page')
  await expectNoSeriousA11yViolations(page, 'the 404 page')
})
