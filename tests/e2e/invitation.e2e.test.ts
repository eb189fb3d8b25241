/**
 * An administrator invites someone; the invitation email (read in the
 * outbox, as no SMTP server is configured) carries a link that creates the
 * account once, and only once.
 */
import { randomUUID } from 'node:crypto'
import { expect, test } from 'vitest'
import {
  baseURL,
  DEMO,
  DEMO_PASSWORD,
  expectText,
  sessionCookie,
  signIn,
  setupBrowser,
} from './fixtures'

const browser = setupBrowser()

test('an invited customer signs up from the emailed link, which then cannot be used again', async () => {
  const email = `invitee-${randomUUID().slice(0, 8)}@customer-a.test`
  const name = 'Ivy Invitee'
  const password = `lantern ${randomUUID().slice(0, 6)} orchard meadow`

  // The administrator invites a new customer to Acme Freight.
  const admin = await browser.newPage()
  await signIn(admin, DEMO.admin.email, DEMO_PASSWORD)
  await admin.goto('/admin/organizations')
  await admin.getByRole('link', { name: 'Acme Freight', exact: true }).click()
  await expectText(admin.getByRole('heading', { level: 1 }), 'Acme Freight')
  const organizationUrl = admin.url()
  await admin.getByLabel('Email', { exact: true }).fill(email)
  await admin.getByLabel('Role').selectOption('customer')
  await admin.getByRole('button', { name: 'Send invitation' }).click()
  await expectText(
    admin.getByRole('status'),
    'The invitation was sent. The link works once and expires in 7 days.',
  )
  expect(await admin.getByRole('listitem').filter({ hasText: email }).count()).toBe(1)

  // The newest email to that address, in the outbox.
  await admin.goto('/admin/outbox')
  await admin.getByRole('row').filter({ hasText: email }).first().getByRole('link').click()
  await admin.getByRole('heading', { level: 2, name: 'Message' }).waitFor()
  expect(await admin.locator('dd').first().textContent()).toBe(email)
  const href = await admin.locator('a[href*="/invitations/"]').getAttribute('href')
  expect(href).toMatch(new RegExp(`^${baseURL}/invitations/[^/\\s]+$`))
  const link = href!

  // The invitee, in a browser of their own.
  const invitee = await browser.newPage()
  await invitee.goto(link)
  await expectText(invitee.getByRole('heading', { level: 1 }), 'Welcome to Switchboard')
  expect(
    await invitee.getByText('You were invited to join Acme Freight.', { exact: false }).count(),
  ).toBe(1)
  expect(await invitee.getByLabel('Email').inputValue()).toBe(email)
  await invitee.getByLabel('Your name').fill(name)
  await invitee.getByLabel('Password', { exact: true }).fill(password)
  await invitee.getByLabel('Password again').fill(password)
  await invitee.getByRole('button', { name: 'Create my account' }).click()
  await invitee.waitForURL((url) => url.pathname === '/')

  await expectText(invitee.getByRole('status'), 'Welcome to Switchboard! Your account is ready.')
  await expectText(invitee.getByRole('heading', { level: 1 }), `Welcome, ${name}`)
  expect(await sessionCookie(invitee.context())).toBeDefined()

  // The administrator now sees a member, not an open invitation.
  await admin.goto(organizationUrl)
  expect(await admin.getByRole('row').filter({ hasText: email }).count()).toBe(1)
  expect(await admin.getByRole('listitem').filter({ hasText: email }).count()).toBe(0)

  // The same link, again, from a signed-out browser.
  const again = await browser.newPage()
  const response = await again.goto(link)
  expect(response?.status()).toBe(410)
  expect(await again.getByRole('heading', { level: 1 }).textContent()).toBe(
    'This invitation cannot be used',
  )
  expect(await again.getByRole('alert').textContent()).toBe(
    'This link has already been used. Sign in, or ask for a new one.',
  )
  expect(await again.getByRole('textbox').count()).toBe(0)
})
