/**
 * Status updates through the real pages: alice logs a problem, bob presses
 * "me too", support posts "Fix deployed — please test" on its timeline, and
 * bob finds it behind the bell and on the problem page (with the status
 * badge near the title, and no form for him). The same form works without
 * JavaScript: a refused post keeps what was typed, a good one appears in the
 * timeline and the form starts empty. Axe runs on the pages as support and
 * as a customer.
 */
import { describe, expect, test } from 'vitest'
import { expectNotice, logProblem, open, pressMeToo, uniqueWord } from './content'
import {
  DEMO,
  expectNoSeriousA11yViolations,
  expectText,
  setupBrowser,
  signedInPages,
} from './fixtures'

const browser = setupBrowser()
const as = signedInPages(browser)

const POSTED = 'Your status update is posted. Everyone who has this problem too or follows it was told.'

describe('status updates on a problem', () => {
  test(
    'support posts one; the customer who pressed “me too” sees it in the bell and on the problem page',
    { timeout: 120_000 },
    async () => {
      const [alice, bob, support] = await Promise.all([as(DEMO.alice.email), as(DEMO.bob.email), as(DEMO.support.email)])
      const word = uniqueWord()
      const title = `Gateway ${word} rejects tokens after the key rotation`
      const id = await logProblem(alice, { title, body: `Every ${word} request fails with 401 since the rotation.` })

      await open(bob, `/posts/${id}`)
      await pressMeToo(bob)
      // Nothing to show yet, so a customer sees no timeline.
      expect(await bob.locator('#status-updates').count()).toBe(0)

      await open(support, `/posts/${id}`)
      const timeline = support.getByRole('region', { name: /^Status updates/ })
      await expectText(support.locator('#status-updates-heading'), 'Status updates (0)')
      await expectNoSeriousA11yViolations(support, 'a problem with the status update form, as support')
      await timeline.getByLabel('Status', { exact: true }).selectOption({ label: 'Fix deployed — please test' })
      await timeline.getByLabel('What changed', { exact: true }).fill(`Gateway 5.1.2 fixes the **${word}** rotation. Please upgrade and test.`)
      await timeline.getByRole('button', { name: 'Post status update' }).click()
      await expectNotice(support, POSTED)
      await expectText(support.locator('#status-updates-heading'), 'Status updates (1)')
      // The form starts empty again.
      expect(await timeline.getByLabel('What changed', { exact: true }).inputValue()).toBe('')

      // Bob hears about it behind the bell, and the notification opens the update.
      await open(bob, '/')
      await bob.getByRole('link', { name: /^Notifications, \d+ unread$/ }).click()
      await bob.waitForURL('/notifications')
      await bob.getByRole('button', { name: `Unread: Fix deployed — please test: status update on “${title}”` }).click()
      await bob.waitForURL((url) => url.pathname === `/posts/${id}` && url.hash.startsWith('#status-update-'))

      // On the problem page: the badge near the title and the update in the timeline, without a form.
      await bob.locator('article[aria-labelledby="post-title"]').getByRole('link', { name: 'Status: Fix deployed — please test' }).waitFor()
      const entry = bob.locator('#status-updates li[id^="status-update-"]')
      expect(await entry.count()).toBe(1)
      await expectText(entry.getByRole('heading', { level: 3 }), 'Fix deployed — please test')
      expect(await entry.locator('.markdown strong').textContent()).toBe(word)
      expect(await entry.textContent()).toContain(DEMO.support.name)
      expect(await entry.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/)
      expect(await bob.getByRole('button', { name: 'Post status update' }).count()).toBe(0)
      await expectNoSeriousA11yViolations(bob, 'a problem with a status update, as a customer')
    },
  )

  test('the form works without JavaScript: a refused post keeps what was typed, a good one joins the timeline', async () => {
    const alice = await as(DEMO.alice.email)
    const word = uniqueWord()
    const id = await logProblem(alice, { title: `Sync ${word} stalls on large tables`, body: `The ${word} pipeline stalls.` })
    const support = await as(DEMO.support.email, { javaScriptEnabled: false })
    await open(support, `/posts/${id}`)
    const timeline = support.getByRole('region', { name: /^Status updates/ })

    // No text: refused, the chosen status kept.
    await timeline.getByLabel('Status', { exact: true }).selectOption('identified')
    await timeline.getByRole('button', { name: 'Post status update' }).click()
    await timeline.getByText('Write what changed, for everyone who has this problem.').waitFor()
    expect(await timeline.getByLabel('Status', { exact: true }).inputValue()).toBe('identified')
    await expectText(support.locator('#status-updates-heading'), 'Status updates (0)')

    await timeline.getByLabel('What changed', { exact: true }).fill(`The ${word} stall comes from one oversized batch.`)
    await timeline.getByRole('button', { name: 'Post status update' }).click()
    await expectNotice(support, POSTED)
    await expectText(support.locator('#status-updates-heading'), 'Status updates (1)')
    await expectText(support.locator('#status-updates li h3'), 'Cause identified')
    expect(await timeline.getByLabel('What changed', { exact: true }).inputValue()).toBe('')
    await support.locator('article[aria-labelledby="post-title"]').getByRole('link', { name: 'Status: Cause identified' }).waitFor()
  })
})
