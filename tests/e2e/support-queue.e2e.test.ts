/**
 * The support queue through the real pages: alice logs a new problem, support
 * finds it at the end of the queue (oldest first) with its age and same-day
 * target, opens it and replies; back on the queue it is gone and the
 * response metrics moved with it. Axe runs on the queue.
 *
 * The hub is shared with the other browser tests and seeded with the demo
 * world, so the test finds its problem by a unique title and asserts how the
 * metrics changed, not what they are.
 */
import { type Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { logProblem, open, postReply, uniqueWord } from './content'
import { DEMO, expectNoSeriousA11yViolations, setupBrowser, signedInPages } from './fixtures'

const browser = setupBrowser()
const as = signedInPages(browser)

/** "2 days 3 hours", "5 minutes", "under a minute" (describeDuration) back to whole minutes. */
function minutesOf(text: string) {
  if (text === 'under a minute') return 0
  let minutes = 0
  for (const [, n, unit] of text.matchAll(/(\d+) (day|hour|minute)s?/g)) {
    minutes += Number(n) * (unit === 'day' ? 1440 : unit === 'hour' ? 60 : 1)
  }
  return minutes
}

/** The figures of one metrics panel ("Last 7 days" or "Last 30 days") as the page shows them. */
async function readMetrics(page: Page, days: 7 | 30) {
  const panel = page.getByRole('region', { name: `Last ${days} days`, exact: true })
  const value = async (term: string) =>
    ((await panel.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '').trim()
  const sameDay = await value('Answered the same day')
  const parts = /^(—|\d+%)\s*(\d+) of (\d+) due so far$/.exec(sameDay)
  if (!parts) throw new Error(`e2e: unexpected "Answered the same day" figure: ${sameDay}`)
  const median = await value('Median time to first response')
  return {
    days,
    logged: Number(await value('Problems logged')),
    stillUnanswered: Number(await value('Still unanswered')),
    share: parts[1]!,
    answeredSameDay: Number(parts[2]),
    decided: Number(parts[3]),
    median,
    medianMinutes: median === '—' ? null : minutesOf(median),
  }
}

type Metrics = Awaited<ReturnType<typeof readMetrics>>

/** The queue's rows (the header row left out). */
const queueRows = (page: Page) => page.locator('table tbody tr')

describe('the support queue', () => {
  test(
    'a new problem appears in the queue; support answers it and it leaves, with the metrics updated',
    { timeout: 120_000 },
    async () => {
      const [alice, support] = await Promise.all([as(DEMO.alice.email), as(DEMO.support.email)])
      const word = uniqueWord()
      const title = `Gateway ${word} drops webhooks after a restart`

      // Alice logs a problem through the form.
      const id = await logProblem(alice, {
        title,
        body: `After restarting the ${word} node, queued webhooks are never delivered.`,
      })

      // Support sees it in the queue: the newest, so after every older problem, with its age and target.
      await open(support, '/support/queue')
      await expectNoSeriousA11yViolations(support, 'the support queue')
      const row = queueRows(support).filter({ has: support.getByRole('link', { name: title, exact: true }) })
      await row.waitFor()
      const cells = row.getByRole('cell')
      expect(await cells.nth(1).textContent()).toContain(DEMO.alice.name)
      const age = row.locator('time')
      expect((await age.textContent())?.trim()).toMatch(/^(under a minute|\d+ minutes?)$/)
      const loggedAt = Date.parse((await age.getAttribute('datetime')) ?? '')
      expect(Number.isNaN(loggedAt)).toBe(false)
      expect(await cells.nth(3).textContent()).toMatch(/^On time/)
      // Oldest first: every row's logging time is at or after the one above it.
      const times = (await queueRows(support).locator('time').evaluateAll((els) => els.map((el) => el.getAttribute('datetime') ?? ''))).map(
        (t) => Date.parse(t),
      )
      expect(times.length).toBeGreaterThan(0)
      expect(times).toEqual([...times].sort((a, b) => a - b))
      expect(times).toContain(loggedAt)
      const before: Metrics[] = [await readMetrics(support, 7), await readMetrics(support, 30)]

      // Support opens it from the queue and answers.
      await row.getByRole('link', { name: title, exact: true }).click()
      await support.waitForURL((url) => url.pathname === `/posts/${id}`)
      await postReply(support, `Thanks — the ${word} spool is rebuilt on start since 5.1.2; upgrading fixes it.`)

      // Back to the queue through the header's Support link: the problem is gone.
      await support.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support', exact: true }).click()
      await support.waitForURL((url) => url.pathname === '/support/queue')
      await support.getByRole('link', { name: title, exact: true }).waitFor({ state: 'detached' })
      await support.getByRole('heading', { level: 1, name: 'Queue' }).waitFor()
      const after: Metrics[] = [await readMetrics(support, 7), await readMetrics(support, 30)]

      // The metrics moved by exactly this answer. A panel whose "Problems logged" changed meanwhile
      // (a problem sliding out of its window, or another test logging one) is left out; at least one is not.
      const undisturbed = before.map((b, i) => ({ before: b, after: after[i]! })).filter((p) => p.before.logged === p.after.logged)
      expect(undisturbed.length).toBeGreaterThan(0)
      for (const { before: b, after: a } of undisturbed) {
        expect(a.stillUnanswered, `still unanswered, last ${a.days} days`).toBe(b.stillUnanswered - 1)
        expect(a.answeredSameDay, `answered the same day, last ${a.days} days`).toBe(b.answeredSameDay + 1)
        // It was not due yet, so answering it made it count (others may have fallen due meanwhile).
        expect(a.decided).toBeGreaterThanOrEqual(b.decided + 1)
        expect(a.share).toBe(`${Math.round((a.answeredSameDay / a.decided) * 100)}%`)
        // A first response within minutes: the median appears, or it cannot grow when it was an hour or more.
        if (b.medianMinutes === null) expect(a.medianMinutes).not.toBeNull()
        else if (b.medianMinutes >= 60) expect(a.medianMinutes!).toBeLessThanOrEqual(b.medianMinutes)
      }
      await expectNoSeriousA11yViolations(support, 'the support queue after an answer')
    },
  )
})
