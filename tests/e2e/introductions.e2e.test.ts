/**
 * Introductions, double opt-in, with support, the asker and the solver each in
 * their own browser context: support proposes one from the "People who solved this" panel of a
 * problem, the customer who solved a similar problem says yes, then the one
 * who asked; only then do they see each other's name and contact email, and
 * they talk in their private thread. A second introduction is declined by the
 * solver, and the asker learns only that it did not happen. Axe runs on every
 * introduction page, in every state.
 *
 * The test builds its own content (a problem solved by someone, then a
 * similar one by someone of another organization), so it never depends on
 * the introductions the demo world seeds.
 */
import { type BrowserContextOptions, type Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import {
  acceptWorkaround,
  expectNotice,
  logProblem,
  open,
  postWorkaround,
  uniqueWord,
} from './content'
import {
  DEMO,
  expectNoSeriousA11yViolations,
  expectText,
  setupBrowser,
  signedInPages,
} from './fixtures'

const browser = setupBrowser()
const signedIn = signedInPages(browser)

/** The machine running these may be slow: every wait of these pages gets longer. */
async function as(email: string, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await signedIn(email, options)
  page.setDefaultTimeout(20_000)
  return page
}

type Person = { email: string; name: string }

const NOTICES = {
  proposed:
    'The introduction is proposed. Each side was asked separately; nothing is shared until both say yes.',
  accepted: 'You said yes. We will let you know when the other side answers.',
  connected:
    'You are connected: you both said yes. Your contact details are now shared, and your private thread is open.',
  declined:
    'You said no, thank you. Nobody is told it was you: the other side learns only that the introduction did not happen.',
  messagePosted: 'Your message was posted. The others in this introduction were notified.',
  settingsSaved: 'Your introduction settings were saved.',
}

/** The id in an /introductions/:id URL. */
function introductionIdOf(url: string): string {
  const match = /^\/introductions\/([^/]+)$/.exec(new URL(url).pathname)
  if (!match) throw new Error(`e2e: ${url} is not an introduction page`)
  return match[1]!
}

/**
 * Asserts that nothing the hub sent for the page names `person`: neither the
 * visible text nor the HTML with its serialized loader data (the page must
 * have been loaded as a document, e.g. by `open`, for the latter to count).
 */
async function expectNothingAbout(page: Page, ...people: { name: string; email: string }[]) {
  const html = await page.content()
  const text = await page.locator('body').innerText()
  for (const person of people) {
    for (const secret of [person.name, person.email]) {
      expect(text, `the page shows “${secret}”`).not.toContain(secret)
      expect(html.toLowerCase(), `the page's HTML holds “${secret}”`).not.toContain(
        secret.toLowerCase(),
      )
    }
  }
}

/** The one-sentence status under an introduction page's heading (not the notice, a status too). */
function statusLine(page: Page) {
  return page.locator('#introduction-title ~ p[role="status"]')
}

/**
 * `owner` logs a problem about two words, `solver` posts a workaround on it
 * and `owner` accepts it: that qualifies `solver` for similar problems.
 */
async function logSolvedProblem({
  owner,
  solver,
  solverName,
  words: [first, second],
}: {
  owner: Page
  solver: Page
  solverName: string
  words: [string, string]
}) {
  const solvedTitle = `Relay ${first} loses ${second} routes after a failover`
  const solvedId = await logProblem(owner, {
    title: solvedTitle,
    body: `After a failover the ${first} node forgets every ${second} route until it is restarted.`,
  })
  await open(solver, `/posts/${solvedId}`)
  const workaround = `Pin the ${second} routes with \`routes.persist = true\`; ${first} keeps them across failovers.`
  await postWorkaround(solver, workaround)
  await open(owner, `/posts/${solvedId}`)
  await acceptWorkaround(owner, solverName)
  return { solvedId, solvedTitle, workaround }
}

/**
 * Support opens the problem, finds `solver` under "People who solved this"
 * (qualified by the workaround on `solvedTitle`), proposes an introduction
 * with the prefilled notes and returns its id. Scans the compose page.
 */
async function propose(
  support: Page,
  {
    problemId,
    solvedTitle,
    asker,
    solver,
  }: { problemId: string; solvedTitle: string; asker: Person; solver: Person },
) {
  await open(support, `/posts/${problemId}`)
  const tools = support.getByRole('region', { name: 'Support tools' })
  const panel = tools.getByRole('region', { name: /^People who solved this \(\d+\)$/ })
  const candidate = panel
    .getByRole('listitem')
    .filter({ has: support.getByRole('link', { name: solver.name, exact: true }) })
  await candidate.first().waitFor()
  expect(await candidate.count()).toBe(1)
  // Why: the accepted workaround on the similar problem, linked.
  await candidate
    .getByRole('list', { name: `Why ${solver.name}` })
    .getByRole('link', { name: `Accepted workaround on “${solvedTitle}”` })
    .waitFor()
  // The asker is never suggested for their own problem.
  expect(await panel.getByRole('link', { name: asker.name, exact: true }).count()).toBe(0)

  await candidate.getByRole('link', { name: `Propose an introduction to ${solver.name}` }).click()
  await support.waitForURL((url) => url.pathname === `/posts/${problemId}/introduce`)
  await support.getByRole('heading', { name: 'Propose an introduction', level: 1 }).waitFor()

  // The notes are prefilled, each greeting its reader and naming nobody else.
  const askerNote = support.getByLabel(`Note to ${asker.name} (who asked)`, { exact: true })
  const solverNote = support.getByLabel(`Note to ${solver.name} (who solved it)`, { exact: true })
  const firstName = (name: string) => name.split(' ')[0]!
  const askerText = await askerNote.inputValue()
  const solverText = await solverNote.inputValue()
  expect(askerText).toMatch(new RegExp(`^Hello ${firstName(asker.name)},`))
  expect(askerText).toContain(`— ${DEMO.support.name}, support`)
  expect(askerText).not.toContain(solver.name)
  expect(solverText).toMatch(new RegExp(`^Hello ${firstName(solver.name)},`))
  expect(solverText).toContain('the workaround you shared')
  expect(solverText).not.toContain(asker.name)
  await expectNoSeriousA11yViolations(support, 'the compose page of an introduction')

  await support.getByRole('button', { name: 'Send both requests' }).click()
  await support.waitForURL((url) => url.pathname.startsWith('/introductions/'))
  await expectNotice(support, NOTICES.proposed)
  return introductionIdOf(support.url())
}

/**
 * Opens /introductions as a side and follows the link of introduction `id`
 * about `problemTitle` (under "About your problems" or "Asked to help
 * someone"), after checking that its row does not name `hidden`. Returns the
 * row's text.
 */
async function openFromList(
  page: Page,
  {
    id,
    problemTitle,
    side,
    hidden,
  }: { id: string; problemTitle: string; side: 'asker' | 'solver'; hidden: Person },
) {
  await open(page, '/introductions')
  const section = page.getByRole('region', {
    name: side === 'asker' ? /^About your problems/ : /^Asked to help someone/,
  })
  // Before connecting, the solver reads only the product of the asker's problem, not its title.
  const name =
    side === 'asker' ? `Your problem “${problemTitle}”` : /^Someone stuck on a problem with /
  const link = section.locator(`a[href="/introductions/${id}"]`)
  await link.waitFor()
  expect(await link.innerText()).toMatch(name)
  // `has` is matched inside each row: a locator from the page, not from the section.
  const row = section.getByRole('listitem').filter({ has: page.locator(`a[href="/introductions/${id}"]`) })
  const rowText = await row.innerText()
  if (side === 'solver') expect(rowText).not.toContain(problemTitle)
  expect(rowText).not.toContain(hidden.name)
  expect(rowText).not.toContain(hidden.email)
  await link.click()
  await page.waitForURL(`/introductions/${id}`)
  await page.locator('#introduction-title').waitFor()
  return rowText
}

describe('an introduction, double opt-in', () => {
  test(
    'support proposes from the problem page, the solver then the asker say yes, and they see each other and talk',
    { timeout: 240_000 },
    async () => {
      const [support, asker, solver, owner] = await Promise.all([
        as(DEMO.support.email),
        as(DEMO.alice.email),
        as(DEMO.carol.email),
        as(DEMO.bob.email),
      ])
      const words: [string, string] = [uniqueWord(), uniqueWord()]

      // Carol solves Bob's problem; Bob accepts her workaround.
      const solved = await logSolvedProblem({ owner, solver, solverName: DEMO.carol.name, words })

      // Carol shares another address than her account's (Settings → Introductions).
      const contactEmail = `carol.${words[0]}@customer-c.test`
      await open(solver, '/settings/introductions')
      await expectNoSeriousA11yViolations(solver, '/settings/introductions')
      const enabled = solver.getByLabel('Support may introduce me to other customers')
      expect(await enabled.isChecked()).toBe(true)
      const contactField = solver.getByLabel('Contact email to share', { exact: true })
      await contactField.fill(contactEmail)
      await solver.getByRole('button', { name: 'Save introduction settings' }).click()
      await expectNotice(solver, NOTICES.settingsSaved)
      expect(await contactField.inputValue()).toBe(contactEmail)
      const carol = { name: DEMO.carol.name, email: DEMO.carol.email }
      const carolShared = { name: DEMO.carol.name, email: contactEmail }
      const alice = { name: DEMO.alice.name, email: DEMO.alice.email }

      try {
        // Alice hits the same thing, in her own words.
        const title = `Cluster ${words[0]} drops ${words[1]} routes on failover`
        const problemId = await logProblem(asker, {
          title,
          body: `Every failover of ${words[0]} loses the ${words[1]} routes; traffic stops until a restart.`,
        })

        // Support proposes from the problem page.
        const id = await propose(support, {
          problemId,
          solvedTitle: solved.solvedTitle,
          asker: DEMO.alice,
          solver: DEMO.carol,
        })
        await expectText(support.locator('#introduction-title'), `Introduction about “${title}”`)
        await expectText(statusLine(support), 'Waiting for answers.')
        await expectNoSeriousA11yViolations(support, 'a proposed introduction, as support')
        // The problem page lists it under its introductions.
        await open(support, `/posts/${problemId}`)
        await support
          .getByRole('region', { name: /^Introductions for this problem \(1\)$/ })
          .getByRole('link', { name: `${DEMO.alice.name} → ${DEMO.carol.name}` })
          .waitFor()

        // Carol finds the request among her introductions; nothing names Alice.
        await openFromList(solver, { id, problemTitle: title, side: 'solver', hidden: alice })
        await expectNoSeriousA11yViolations(solver, '/introductions, as a customer')
        await open(solver, `/introductions/${id}`)
        await expectText(solver.locator('#introduction-title'), 'Could you help another customer?')
        await solver
          .getByRole('region', { name: 'The problem they are stuck on' })
          .getByText(/^A customer stuck on a problem with /)
          .waitFor()
        // Nothing of Alice's problem itself: one search of its title would name her.
        expect(await solver.getByText(title).count()).toBe(0)
        await solver
          .getByRole('region', { name: 'A note from support' })
          .getByText(/^Hello Carol,/)
          .waitFor()
        await expectNothingAbout(solver, alice)
        await expectNoSeriousA11yViolations(solver, 'a proposed introduction, as the solver')

        await solver.getByRole('button', { name: 'Yes, introduce us' }).click()
        await expectNotice(solver, NOTICES.accepted)
        await statusLine(solver)
          .getByText(/^Accepted — waiting for the other side\. You said yes;/)
          .waitFor()
        expect(await solver.getByRole('button', { name: 'Yes, introduce us' }).count()).toBe(0)
        await open(solver, `/introductions/${id}`)
        await expectNothingAbout(solver, alice)
        await expectNoSeriousA11yViolations(solver, 'an introduction the solver accepted')

        // Support sees that one side said yes.
        await open(support, `/introductions/${id}`)
        await expectText(statusLine(support), 'Accepted by one — waiting for the other.')
        await support.getByText(`Who solved it — Said yes`).waitFor()
        await expectNoSeriousA11yViolations(support, 'an introduction accepted by one, as support')

        // Alice is asked; she sees Carol's workaround and the note, not who
        // Carol is, nor that she was asked or already said yes.
        await openFromList(asker, { id, problemTitle: title, side: 'asker', hidden: carolShared })
        await open(asker, `/introductions/${id}`)
        await expectText(
          asker.locator('#introduction-title'),
          'Someone may have solved your problem',
        )
        await statusLine(asker)
          .getByText(/^Waiting for your answer: please answer by /)
          .waitFor()
        await asker
          .getByRole('region', { name: 'Why support thought of them' })
          .getByText(/^A customer who solved a similar problem with /)
          .waitFor()
        // Not Carol's workaround itself: one search of a sentence of it would name her.
        expect(await asker.getByText(`routes.persist = true`).count()).toBe(0)
        await asker
          .getByRole('region', { name: 'A note from support' })
          .getByText(/^Hello Alice,/)
          .waitFor()
        await expectNothingAbout(asker, carol, carolShared)
        await expectNoSeriousA11yViolations(asker, 'a proposed introduction, as the asker')

        // Alice says yes: they are connected.
        await asker.getByRole('button', { name: 'Yes, introduce us' }).click()
        await expectNotice(asker, NOTICES.connected)
        await expectText(
          asker.locator('#introduction-title'),
          `You are connected with ${DEMO.carol.name}`,
        )
        const carolCard = asker.getByRole('region', { name: 'Who you are connected with' })
        await carolCard.getByRole('link', { name: DEMO.carol.name }).waitFor()
        // The contact email Carol chose, not her account's.
        await carolCard.getByRole('link', { name: contactEmail }).waitFor()
        expect(await carolCard.getByRole('link', { name: contactEmail }).getAttribute('href')).toBe(
          `mailto:${contactEmail}`,
        )
        expect(await carolCard.innerText()).not.toContain(DEMO.carol.email)
        await asker.getByRole('region', { name: 'Did it help?' }).waitFor()
        await expectNoSeriousA11yViolations(asker, 'a connected introduction, as the asker')

        // Carol sees Alice: name, organization, account email (her default contact).
        await open(solver, `/introductions/${id}`)
        await expectText(
          solver.locator('#introduction-title'),
          `You are connected with ${DEMO.alice.name}`,
        )
        const aliceCard = solver.getByRole('region', { name: 'Who you are connected with' })
        await aliceCard.getByRole('link', { name: DEMO.alice.name }).waitFor()
        await aliceCard.getByRole('link', { name: DEMO.alice.email }).waitFor()
        await expectNoSeriousA11yViolations(solver, 'a connected introduction, as the solver')

        // They talk in their private thread.
        const hello = `Hi Carol — did \`routes.persist\` survive a ${words[0]} upgrade too?`
        await open(asker, `/introductions/${id}`)
        await asker.getByLabel('Your message', { exact: true }).fill(hello)
        await asker.getByRole('button', { name: 'Send message' }).click()
        await expectNotice(asker, NOTICES.messagePosted)
        const askerThread = asker.getByRole('region', { name: 'Your private thread' })
        await askerThread
          .locator('li[id^="message-"]')
          .getByText(`survive a ${words[0]} upgrade`)
          .waitFor()

        await open(solver, `/introductions/${id}`)
        const solverThread = solver.getByRole('region', { name: 'Your private thread' })
        const received = solverThread
          .locator('li[id^="message-"]')
          .filter({ hasText: DEMO.alice.name })
        await received.getByText(`survive a ${words[0]} upgrade too?`).waitFor()
        expect(await received.locator('code').textContent()).toBe('routes.persist')
        const answer = `Yes, on 5.1 and 5.2 — ${words[1]} routes stayed pinned.`
        await solver.getByLabel('Your message', { exact: true }).fill(answer)
        await solver.getByRole('button', { name: 'Send message' }).click()
        await expectNotice(solver, NOTICES.messagePosted)

        await open(asker, `/introductions/${id}`)
        await askerThread
          .locator('li[id^="message-"]')
          .filter({ hasText: DEMO.carol.name })
          .getByText(answer)
          .waitFor()
        await expectNoSeriousA11yViolations(asker, 'a connected introduction with messages')

        // Support reads along.
        await open(support, `/introductions/${id}`)
        await expectText(statusLine(support), 'Connected.')
        expect(
          await support
            .getByRole('region', { name: 'Your private thread' })
            .locator('li[id^="message-"]')
            .count(),
        ).toBe(2)
        await expectNoSeriousA11yViolations(support, 'a connected introduction, as support')
      } finally {
        // Back to sharing her account email, for the rest of the run.
        await open(solver, '/settings/introductions')
        await contactField.fill('')
        await solver.getByRole('button', { name: 'Save introduction settings' }).click()
        await expectNotice(solver, NOTICES.settingsSaved)
      }
    },
  )

  test(
    'the solver declines: the asker learns only that the introduction did not happen',
    { timeout: 180_000 },
    async () => {
      // Other roles than the first test: Alice solves Carol's problem, Bob asks.
      const [support, asker, solver, owner] = await Promise.all([
        as(DEMO.support.email),
        as(DEMO.bob.email),
        as(DEMO.alice.email),
        as(DEMO.carol.email),
      ])
      const alice = { name: DEMO.alice.name, email: DEMO.alice.email }
      const words: [string, string] = [uniqueWord(), uniqueWord()]
      const solved = await logSolvedProblem({ owner, solver, solverName: DEMO.alice.name, words })

      const title = `Appliance ${words[0]} forgets ${words[1]} routes after failover`
      const problemId = await logProblem(asker, {
        title,
        body: `Our ${words[0]} pair loses its ${words[1]} routes at every failover test.`,
      })
      const id = await propose(support, {
        problemId,
        solvedTitle: solved.solvedTitle,
        asker: DEMO.bob,
        solver: DEMO.alice,
      })

      // Alice declines.
      await openFromList(solver, { id, problemTitle: title, side: 'solver', hidden: DEMO.bob })
      await open(solver, `/introductions/${id}`)
      await expectNothingAbout(solver, DEMO.bob)
      await solver.getByRole('button', { name: 'No, thank you' }).click()
      await expectNotice(solver, NOTICES.declined)
      await expectText(solver.locator('#introduction-title'), 'This introduction did not happen')
      await expectNoSeriousA11yViolations(solver, 'an introduction the solver declined')
      // Her own list remembers that she said no.
      await open(solver, '/introductions')
      const solverRow = solver
        .getByRole('region', { name: /^Asked to help someone/ })
        .getByRole('listitem')
        .filter({ has: solver.getByRole('link', { name: /^Someone stuck on a problem with / }) })
      expect(await solverRow.innerText()).toContain('you said no')

      // Bob sees only that it did not happen: not who, not why, nothing of hers.
      const rowText = await openFromList(asker, {
        id,
        problemTitle: title,
        side: 'asker',
        hidden: alice,
      })
      expect(rowText).toContain('Did not happen')
      expect(rowText).not.toMatch(/said no|declined/i)
      await open(asker, `/introductions/${id}`)
      await expectText(asker.locator('#introduction-title'), 'This introduction did not happen')
      await expectText(
        statusLine(asker),
        'Did not happen. Nothing about you was shared with anyone. Support may suggest someone else.',
      )
      await expectNothingAbout(asker, alice)
      const text = await asker.locator('main').innerText()
      expect(text).not.toMatch(/declin|said no/i)
      expect(text).not.toContain(solved.workaround.slice(0, 20))
      expect(await asker.getByRole('button', { name: 'Yes, introduce us' }).count()).toBe(0)
      expect(await asker.getByRole('region', { name: 'A note from support' }).count()).toBe(0)
      await expectNoSeriousA11yViolations(
        asker,
        'an introduction that did not happen, as the asker',
      )

      // Support knows it was declined.
      await open(support, `/introductions/${id}`)
      await expectText(statusLine(support), 'Declined.')
      await expectNoSeriousA11yViolations(support, 'a declined introduction, as support')
      await open(support, '/introductions?state=declined')
      await support.getByRole('link', { name: title }).waitFor()
      await expectNoSeriousA11yViolations(support, '/introductions, as support')
    },
  )
})
