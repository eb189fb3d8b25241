/**
 * Problems, workarounds and replies through the real pages: the whole
 * "someone has this too, someone found a fix, support verifies it" story with
 * three people at once; the problem form's "I found a workaround" part; the
 * same flow without JavaScript (Markdown preview included); and axe on every
 * page of it.
 */
import { describe, expect, test } from 'vitest'
import {
  acceptWorkaround,
  expectNotice,
  fillProblem,
  logProblem,
  open,
  postReply,
  postWorkaround,
  pressMeToo,
  problemForm,
  searchOutcome,
  stateBadge,
  uniqueWord,
  workaroundCard,
} from './content'
import {
  DEMO,
  expectNoSeriousA11yViolations,
  expectText,
  setupBrowser,
  signedInPages,
} from './fixtures'

const browser = setupBrowser()
const as = signedInPages(browser)

describe('a problem, from logging to a verified solution', () => {
  test(
    'alice logs it, bob has it too and shares a workaround, alice accepts it, support verifies it and alice is told',
    { timeout: 90_000 },
    async () => {
      const [alice, bob, support] = await Promise.all([
        as(DEMO.alice.email),
        as(DEMO.bob.email),
        as(DEMO.support.email),
      ])
      const word = uniqueWord()
      const title = `Gateway ${word} drops idle sessions after the nightly reload`

      // Alice logs it, without a workaround.
      const id = await logProblem(alice, {
        title,
        body: `Since Tuesday the **${word}** cluster drops every idle session at 02:00.`,
      })
      await expectText(alice.getByRole('heading', { level: 1 }), title)
      await expectText(stateBadge(alice), 'Open')
      await expectText(alice.locator('#workarounds-heading'), 'Workarounds (0)')

      // Bob finds it by searching for the symptom.
      await open(bob, `/search?${new URLSearchParams({ q: `${word} idle sessions` })}`)
      await bob.getByRole('link', { name: title }).click()
      await bob.waitForURL(`/posts/${id}`)
      await expectText(bob.getByRole('heading', { level: 1 }), title)

      // "Me too": the count goes from 0 to 1, and the button says he has it too.
      await pressMeToo(bob)

      await postReply(bob, `Same here with ${word} on 5.1 — it started after the upgrade.`)
      const replies = bob.locator('ol > li[id^="reply-"]')
      expect(await replies.count()).toBe(1)
      expect(await replies.first().textContent()).toContain(`Same here with ${word} on 5.1`)
      await expectText(stateBadge(bob), 'Answered')

      const workaroundId = await postWorkaround(
        bob,
        `Set \`session.idle_reload = keep\` before the reload; ${word} keeps the sessions.`,
      )
      await expectText(bob.locator('#workarounds-heading'), 'Workarounds (1)')
      // Only the problem's author (or support) can accept.
      expect(await bob.getByRole('button', { name: /^Accept this workaround/ }).count()).toBe(0)

      // Alice accepts it: the problem is solved and the workaround marked accepted.
      await open(alice, `/posts/${id}`)
      await acceptWorkaround(alice, DEMO.bob.name)
      await workaroundCard(alice, workaroundId).getByText('✓ Accepted').waitFor()
      expect(
        await workaroundCard(alice, workaroundId).getByText('Verified by support').count(),
      ).toBe(0)

      // Support verifies it.
      await open(support, `/posts/${id}`)
      await support
        .getByRole('button', { name: `Mark verified (workaround by ${DEMO.bob.name})` })
        .click()
      await expectNotice(support, 'The workaround is marked verified.')
      await workaroundCard(support, workaroundId).getByText('Verified by support').waitFor()
      // Support sees who has it too.
      const tools = support.getByRole('region', { name: 'Support tools' })
      await tools.getByRole('heading', { name: 'Who has this too (1)' }).waitFor()
      expect(
        await tools.getByRole('link', { name: DEMO.bob.name, exact: true }).count(),
      ).toBeGreaterThan(0)

      // Alice follows her problem: the bell shows unread notifications, and
      // the verification is among them, linking to the workaround.
      await open(alice, '/')
      await alice.getByRole('link', { name: /^Notifications, \d+ unread$/ }).click()
      await alice.waitForURL('/notifications')
      const verified = alice.getByRole('button', {
        name: `Unread: Support verified a workaround for “${title}”`,
      })
      await verified.click()
      await alice.waitForURL(`/posts/${id}#workaround-${workaroundId}`)
      await workaroundCard(alice, workaroundId).getByText('Verified by support').waitFor()
      await workaroundCard(alice, workaroundId).getByText('✓ Accepted').waitFor()

      // Opening it marked it read.
      await open(alice, '/notifications')
      await alice
        .getByRole('button', { name: `Support verified a workaround for “${title}”`, exact: true })
        .waitFor()
    },
  )

  test('a customer who solved it alone logs the problem and the workaround in one form', async () => {
    const alice = await as(DEMO.alice.email)
    const word = uniqueWord()
    const title = `Exporter ${word} writes empty CSV files`
    const id = await logProblem(alice, {
      title,
      body: `The nightly ${word} export job produces empty files.`,
      tags: `export, ${word}`,
      workaround: `Run the ${word} export with \`--flush-every 500\`; the files are complete again.`,
    })
    await expectText(alice.getByRole('heading', { level: 1 }), title)
    await expectText(alice.locator('#workarounds-heading'), 'Workarounds (1)')
    const card = alice.getByRole('article', { name: `Workaround by ${DEMO.alice.name}` })
    expect(await card.locator('.markdown').innerHTML()).toContain(
      `Run the ${word} export with <code>--flush-every 500</code>`,
    )
    const tags = await alice
      .getByRole('list', { name: 'Tags' })
      .getByRole('listitem')
      .allTextContents()
    expect(tags.sort()).toEqual(['#export', `#${word}`].sort())
    // Her own workaround is not accepted by itself: she may accept it.
    await alice
      .getByRole('button', { name: `Accept this workaround by ${DEMO.alice.name}` })
      .waitFor()
    expect(new URL(alice.url()).pathname).toBe(`/posts/${id}`)
  })
})

describe('without JavaScript', () => {
  test('logging a problem and replying work with plain forms, Markdown preview included', async () => {
    const alice = await as(DEMO.alice.email, { javaScriptEnabled: false })
    const word = uniqueWord()
    const title = `Scheduler ${word} skips jobs at midnight`
    const body = `Jobs of **${word}** planned at _00:00_ never start.\n\n- seen on 5.1\n- not on 5.0`

    await open(alice, '/problems/new')
    await fillProblem(alice, { title, body })
    // The editor's Preview is a submit button without JavaScript.
    await alice.getByRole('button', { name: 'Preview What happens' }).click()
    await alice.waitForLoadState()
    expect(new URL(alice.url()).pathname).toBe('/problems/new')
    const preview = alice.getByRole('region', { name: 'Preview of What happens' })
    expect(await preview.locator('strong').textContent()).toBe(word)
    expect(await preview.locator('em').textContent()).toBe('00:00')
    expect(await preview.locator('li').allTextContents()).toEqual(['seen on 5.1', 'not on 5.0'])
    // What was typed is kept…
    const form = problemForm(alice)
    expect(await form.title.inputValue()).toBe(title)
    expect(await form.body.inputValue()).toBe(body)
    expect(await form.product.locator('option:checked').textContent()).toBe('Relay Gateway')
    // …and nothing was saved.
    const check = await as(DEMO.alice.email)
    expect(await searchOutcome(check, word)).toBe('nothing')

    await form.submit.click()
    await alice.waitForURL((url) => url.pathname.startsWith('/posts/'))
    await expectText(alice.getByRole('heading', { level: 1 }), title)
    expect(
      await alice.locator('article[aria-labelledby="post-title"] .markdown strong').textContent(),
    ).toBe(word)
    expect(await searchOutcome(check, word)).toBe('1 result')

    // A reply, previewed first.
    const reply = `Found the cause: **${word}** uses local time.`
    await alice.getByLabel('Your reply', { exact: true }).fill(reply)
    await alice.getByRole('button', { name: 'Preview Your reply' }).click()
    await alice.waitForLoadState()
    const replyPreview = alice.getByRole('region', { name: 'Preview of Your reply' })
    expect(await replyPreview.locator('strong').textContent()).toBe(word)
    expect(await alice.getByLabel('Your reply', { exact: true }).inputValue()).toBe(reply)
    await expectText(alice.locator('#replies-heading'), 'Conversation (0)')

    await alice.getByRole('button', { name: 'Post reply' }).click()
    await expectNotice(alice, 'Your reply was posted.')
    await expectText(alice.locator('#replies-heading'), 'Conversation (1)')
    expect(await alice.locator('ol > li[id^="reply-"] .markdown').innerHTML()).toBe(
      `<p>Found the cause: <strong>${word}</strong> uses local time.</p>\n`,
    )

    // Me too and follow are plain forms too (on someone else's problem).
    const bob = await as(DEMO.bob.email, { javaScriptEnabled: false })
    await open(bob, alice.url())
    await bob.getByRole('button', { name: 'Follow', exact: true }).waitFor()
    await pressMeToo(bob)
    // Having it too means hearing about it.
    await bob.getByRole('button', { name: 'Following · stop' }).click()
    await expectNotice(bob, 'You no longer follow this post.')
    await bob.getByRole('button', { name: 'Follow', exact: true }).click()
    await expectNotice(bob, 'You follow this post now and will hear about changes.')
    await bob.getByRole('button', { name: 'Following · stop' }).waitFor()
  })
})

describe('accessibility', () => {
  test(
    'the post page with workarounds and replies, and the writing, search and notification pages',
    { timeout: 90_000 },
    async () => {
      const alice = await as(DEMO.alice.email)
      const word = uniqueWord()
      const id = await logProblem(alice, {
        title: `Dashboard ${word} shows stale charts`,
        body: `Charts of ${word} stop updating after an hour.\n\n\`\`\`\nrefresh=60\n\`\`\``,
        tags: 'dashboard charts',
        workaround: 'Reload the page every hour.',
      })
      await postReply(alice, `More detail: it happens on **${word}** only.`)
      const bob = await as(DEMO.bob.email)
      await open(bob, `/posts/${id}`)
      await postWorkaround(bob, `Set \`refresh=30\` in ${word}.`)
      await open(alice, `/posts/${id}`)
      await acceptWorkaround(alice, DEMO.bob.name)
      await expectNoSeriousA11yViolations(alice, 'a solved problem, as its author')

      // With JavaScript, the editor's Preview toggle shows the rendered text.
      await alice
        .getByRole('group', { name: 'Your reply: write or preview' })
        .getByRole('button', { name: 'Preview' })
        .click()
      await alice
        .getByRole('region', { name: 'Preview of Your reply' })
        .getByText('Nothing to preview yet.')
        .waitFor()
      await expectNoSeriousA11yViolations(alice, 'the post page with the reply preview open')

      const support = await as(DEMO.support.email)
      await open(support, `/posts/${id}`)
      await expectNoSeriousA11yViolations(support, 'a solved problem, as support')

      for (const path of [
        '/problems/new',
        '/stories/new',
        '/migrations/new',
        `/search?${new URLSearchParams({ q: `${word} charts` })}`,
        '/notifications',
        '/settings/notifications',
      ]) {
        await open(alice, path)
        await expectNoSeriousA11yViolations(alice, path)
      }
    },
  )
})
