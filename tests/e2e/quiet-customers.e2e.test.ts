/**
 * Quiet customers, in the browser: support opens the list from the support
 * console, finds the demo world's quiet organization (Elmhurst Energy
 * Cooperative, not heard from in 75 days) with its people, and checks in on
 * it with the prefilled message edited a little. The form is sent from a
 * page whose scripts do not run (it needs none); a first try without a
 * subject is refused and keeps the edited message. Afterwards the
 * organization has left the list, and an administrator finds the email to
 * each of its people in the outbox, edit included. Axe runs on both pages
 * (with JavaScript: it needs scripts to run in the page).
 */
import { expect, test } from 'vitest'
import { expectNotice, open, uniqueWord } from './content'
import { DEMO, expectNoSeriousA11yViolations, expectText, setupBrowser, signedInPages } from './fixtures'

const browser = setupBrowser()
const signedIn = signedInPages(browser)

const ORGANIZATION = 'Elmhurst Energy Cooperative'
const PEOPLE = [
  { name: 'Nadia Haddad', email: 'nadia.haddad@customer-e.test' },
  { name: 'Owen Price', email: 'owen.price@customer-e.test' },
]

test('a quiet organization is checked in on and its email is in the outbox', async () => {
  // Support opens Quiet customers from the console's tabs.
  const support = await signedIn(DEMO.support.email)
  await open(support, '/support/queue')
  await support.getByRole('navigation', { name: 'Support' }).getByRole('link', { name: 'Quiet customers' }).click()
  await expectText(support.getByRole('heading', { level: 1 }), 'Quiet customers')
  const card = support.getByRole('region', { name: ORGANIZATION })
  await card.waitFor()
  const silence = await card.getByText(/^Silent for \d+ days\.$/).textContent()
  expect(Number(/\d+/.exec(silence ?? '')?.[0])).toBeGreaterThanOrEqual(75)
  for (const person of PEOPLE) {
    expect(await card.getByRole('row').filter({ hasText: person.email }).filter({ hasText: person.name }).count()).toBe(1)
  }
  await expectNoSeriousA11yViolations(support, 'quiet customers')
  await card.getByRole('link', { name: `Check in on ${ORGANIZATION}` }).click()
  await expectText(support.getByRole('heading', { level: 1 }), `Check in on ${ORGANIZATION}`)
  await expectNoSeriousA11yViolations(support, 'check-in form')

  // The check-in, from a page without JavaScript: a plain form post.
  const page = await signedIn(DEMO.support.email, { javaScriptEnabled: false })
  await page.goto('/support/quiet')
  await page.getByRole('link', { name: `Check in on ${ORGANIZATION}` }).click()
  await expectText(page.getByRole('heading', { level: 1 }), `Check in on ${ORGANIZATION}`)
  for (const person of PEOPLE) {
    expect(await page.getByRole('checkbox', { name: new RegExp(person.name) }).isChecked()).toBe(true)
  }
  const subject = page.getByLabel('Subject', { exact: true })
  const body = page.getByLabel('Message', { exact: true })
  expect(await subject.inputValue()).toContain(ORGANIZATION)
  const drafted = await body.inputValue()
  expect(drafted).toMatch(/^Hello Nadia and Owen,/)
  expect(drafted).toContain(`${ORGANIZATION}`)
  const word = uniqueWord()
  const edited = drafted.replace(
    'Best regards,',
    `PS: we are holding a ${word} workshop next month. Tell me if you would like a seat.\n\nBest regards,`,
  )
  expect(edited).not.toBe(drafted)
  await body.fill(edited)
  await subject.fill('')
  await page.getByRole('button', { name: 'Send check-in' }).click()

  // Refused: it says what is missing and keeps the edited message and the chosen people.
  await page.getByText('Enter a subject.', { exact: true }).waitFor()
  expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(edited)
  for (const person of PEOPLE) {
    expect(await page.getByRole('checkbox', { name: new RegExp(person.name) }).isChecked()).toBe(true)
  }
  const title = `Checking in with ${ORGANIZATION}`
  await page.getByLabel('Subject', { exact: true }).fill(title)
  await page.getByRole('button', { name: 'Send check-in' }).click()
  await page.waitForURL((url) => url.pathname === '/support/quiet')
  await expectNotice(page, `Checked in on ${ORGANIZATION}; it leaves the list until it is quiet again.`)
  expect(await page.getByRole('region', { name: ORGANIZATION }).count()).toBe(0)

  // An administrator finds the email to each of its people in the outbox.
  const admin = await signedIn(DEMO.admin.email)
  for (const person of PEOPLE) {
    await open(admin, '/admin/outbox')
    await admin.getByRole('row').filter({ hasText: person.email }).filter({ hasText: title }).first().getByRole('link').click()
    await admin.getByRole('heading', { level: 2, name: 'Message' }).waitFor()
    expect(await admin.locator('dd').first().textContent()).toBe(person.email)
    const text = (await admin.locator('pre').textContent()) ?? ''
    expect(text).toContain(`PS: we are holding a ${word} workshop next month.`)
    expect(text).toContain('Hello Nadia and Owen,')
    expect(text).toMatch(/\/check-ins\/[a-z0-9]+/)
  }
})
