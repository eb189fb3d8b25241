/**
 * The migration radar against the demo world: support sees the seeded plans
 * by week and by target version (organizations, people, open problems) and
 * the plans that slipped their window; the product filter narrows it; and
 * "connect these customers" leads, without JavaScript, to an introduction
 * proposal with the notes filled in. Then the migration calendar: support
 * makes a secret address in the settings, a calendar app (here: fetch, with
 * no session) reads it, and after a reset the old address is a bare 404.
 *
 * What the seed guarantees (app/db/seed.ts): Carol (Cobalt Savings Bank) and
 * Bob (Birchwood Health) both plan Relay Sync 2.8 → 3.0 in the coming weeks;
 * Jonas Berg (Dunmore Logistics) and Tom Whitaker (Birchwood Health) have
 * plans whose window ended without being marked done.
 */
import { type Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { open } from './content'
import { baseURL, DEMO, expectNoSeriousA11yViolations, setupBrowser, signedInPages } from './fixtures'

const browser = setupBrowser()
const signedIn = signedInPages(browser)

async function support(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const page = await signedIn(DEMO.support.email, options)
  page.setDefaultTimeout(20_000)
  return page
}

describe('the migration radar', () => {
  test('shows the seeded migrations by week, by target version, and the slipped ones', async () => {
    const page = await support()
    await open(page, '/support/queue')
    await page.getByRole('navigation', { name: 'Support' }).getByRole('link', { name: 'Migration radar' }).click()
    await page.waitForURL((url) => url.pathname === '/support/radar')
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Migration radar')

    // Twelve weeks, this one first.
    const byWeek = page.getByRole('region', { name: 'By week', exact: true })
    await expect.poll(() => byWeek.getByRole('heading', { level: 3 }).count()).toBe(12)
    expect(await byWeek.getByRole('heading', { level: 3 }).first().textContent()).toMatch(/^Week \d+: .+ \(this week\)/)
    const weekTables = await byWeek.getByRole('table').allTextContents()
    const weeks = weekTables.join('\n')
    expect(weeks).toContain('Cobalt Savings Bank')
    expect(weeks).toContain('Carol Castillo')
    expect(weeks).toContain('Birchwood Health')
    expect(weeks).toContain('Bob Brennan')
    expect(weeks).toContain('Relay Sync 2.8 → 3.0')

    // By target version: who moves, and what is still open in that version.
    const sync = page.getByRole('region', { name: /^To Relay Sync 3\.0/ })
    const syncHeading = await sync.getByRole('heading', { level: 3 }).textContent()
    const organizations = Number(/(\d+) organizations moving/.exec(syncHeading ?? '')?.[1])
    expect(organizations).toBeGreaterThanOrEqual(2)
    const movers = await sync.getByRole('listitem').allTextContents()
    expect(movers.some((text) => text.includes('Cobalt Savings Bank') && text.includes('Carol Castillo'))).toBe(true)
    expect(movers.some((text) => text.includes('Birchwood Health') && text.includes('Bob Brennan'))).toBe(true)
    expect(await sync.getByRole('heading', { name: /^Open problems known in Relay Sync 3\.0 \(\d+\)$/ }).count()).toBe(1)

    // Slipped: windows that ended without the plan being marked done.
    const slipped = page.getByRole('region', { name: 'Slipped', exact: true })
    const slippedText = (await slipped.getByRole('table').textContent()) ?? ''
    expect(slippedText).toContain('Dunmore Logistics')
    expect(slippedText).toContain('Jonas Berg')
    expect(slippedText).toContain('Relay Sync 2.8 → 3.0')
    expect(slippedText).toContain('Tom Whitaker')
    expect(slippedText).toMatch(/\d+ days ago/)

    await expectNoSeriousA11yViolations(page, 'migration radar')
  })

  test('filters by product', async () => {
    const page = await support()
    await open(page, '/support/radar')
    await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Relay Insight' })
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL((url) => url.searchParams.get('product') !== null)
    // Wait for what the filter changes (Relay Insight was on the page before it too): the URL can move before the page renders.
    await expect.poll(() => page.getByRole('region', { name: /^To Relay Sync/ }).count()).toBe(0)
    expect(await page.getByRole('region', { name: /^To Relay Insight 12\.0/ }).count()).toBe(1)
    const slippedText = (await page.getByRole('region', { name: 'Slipped', exact: true }).textContent()) ?? ''
    expect(slippedText).toContain('Tom Whitaker')
    expect(slippedText).not.toContain('Jonas Berg')
  })

  test('"connect these customers" leads to a prefilled introduction proposal, without JavaScript', async () => {
    const page = await support({ javaScriptEnabled: false })
    await open(page, '/support/radar')
    const sync = page.getByRole('region', { name: /^To Relay Sync 3\.0/ })
    const form = sync.getByRole('form', { name: /^Connect these customers/ })
    const optionValue = (select: string, name: string) =>
      form.locator(`select[name="${select}"] option`, { hasText: name }).first().getAttribute('value')
    const carolPlan = await optionValue('migrationId', 'Carol Castillo, Cobalt Savings Bank')
    const bobPlan = await optionValue('otherMigrationId', 'Bob Brennan, Birchwood Health')
    await form.getByLabel('Ask first').selectOption(carolPlan!)
    await form.getByLabel('Introduce them to').selectOption(bobPlan!)
    await form.getByRole('button', { name: /^Prepare the introduction/ }).click()
    await page.waitForURL((url) => url.pathname === `/posts/${carolPlan}/introduce`)
    expect(await page.getByRole('heading', { name: 'The migration plan' }).count()).toBe(1)
    expect(await page.getByRole('heading', { name: 'Who makes the same move' }).count()).toBe(1)
    const askerNote = await page.getByLabel(/^Note to Carol Castillo/).inputValue()
    expect(askerNote).toContain('About your migration plan “Relay Sync')
    expect(askerNote).not.toContain('Bob')
    const solverNote = await page.getByLabel(/^Note to Bob Brennan/).inputValue()
    expect(solverNote).not.toContain('Carol')
    // axe needs scripts: check the same page in a browser that runs them.
    const withScripts = await support()
    await open(withScripts, new URL(page.url()).pathname + new URL(page.url()).search)
    await expectNoSeriousA11yViolations(withScripts, 'same-move introduction proposal')

    // Choosing the same person twice is refused with a message, keeping the choice.
    await open(page, '/support/radar')
    await form.getByLabel('Ask first').selectOption(carolPlan!)
    await form.getByLabel('Introduce them to').selectOption(carolPlan!)
    await form.getByRole('button', { name: /^Prepare the introduction/ }).click()
    await page.waitForLoadState()
    expect(await form.getByText('Choose two different customers').count()).toBe(1)
    expect(await form.getByLabel('Introduce them to').inputValue()).toBe(carolPlan)
  })
})

describe('the migration calendar', () => {
  test('support makes a secret address a calendar app reads without a session; a reset kills the old one', async () => {
    const page = await support()
    await open(page, '/support/radar')
    await page.getByRole('link', { name: 'Subscribe to the migration calendar' }).click()
    await page.waitForURL((url) => url.pathname === '/settings/calendar')
    const create = page.getByRole('button', { name: /^(Create my calendar address|Reset the address)$/ })
    await create.click()
    const address = page.getByLabel(/^Calendar address/)
    await expect.poll(() => address.inputValue()).toMatch(/\/calendar\/[a-z2-7]{32}\.ics$/)
    const first = new URL(await address.inputValue())
    expect(first.origin).toBe(new URL(baseURL).origin)
    await expectNoSeriousA11yViolations(page, 'calendar settings with a new address')

    const feed = await fetch(first)
    expect(feed.status).toBe(200)
    expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8')
    const ics = await feed.text()
    expect(ics).toMatch(/^BEGIN:VCALENDAR/)
    expect(ics).toContain('Dunmore Logistics: Relay Sync 2.8 → 3.0')

    await page.getByRole('button', { name: 'Reset the address' }).click()
    await expect.poll(async () => (await address.inputValue()) !== first.toString()).toBe(true)
    const old = await fetch(first)
    expect(old.status).toBe(404)
    expect(await old.text()).toBe('Not found')
    expect((await fetch(await address.inputValue())).status).toBe(200)
  })
})
