/**
 * Status updates through the problem page's real loader and action: a
 * customer who sends the support form is refused with a 403 and nothing is
 * written; support's post redirects to the update on the page, where a
 * customer who pressed "me too" reads it; bad input is a 400 that keeps
 * what was typed; a preview saves nothing.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { auditLog, notifications, outbox, statusUpdates } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { STATUS_UPDATE_MESSAGES } from '~/modules/support/status-updates.server'
import * as postRoute from '~/routes/posts.$id'
import { addMeToo, createPost, createUser } from '#tests/factories'
import { countRows } from '#tests/row-counts'
import { get, postForm, signedInCookie } from './request'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

/** Row counts of every table posting an update writes to. */
const counts = () => countRows({ statusUpdates, notifications, outbox, auditLog })

let problemId: string
let cookies: { support: string; meToo: string; customer: string }

beforeAll(async () => {
  const support = await createUser({ role: 'support', name: 'Sam Support' })
  const meToo = await createUser({ name: 'Mia MeToo' })
  const customer = await createUser({ name: 'Cora Customer' })
  problemId = (await createPost({ title: 'Replication slot keeps WAL' })).id
  await addMeToo({ postId: problemId, userId: meToo.id })
  cookies = {
    support: await signedInCookie(support.id),
    meToo: await signedInCookie(meToo.id),
    customer: await signedInCookie(customer.id),
  }
})

const send = (cookie: string, fields: Record<string, string>) =>
  postForm(postRoute.action, `/posts/${problemId}`, { intent: 'status-update', ...fields }, { cookie, params: { id: problemId } })

const load = (cookie: string) => get(postRoute.loader, `/posts/${problemId}`, { cookie, params: { id: problemId } })

describe('the status update form on /posts/:id', () => {
  it('refuses a customer with 403 and writes nothing', async () => {
    const before = await counts()
    const { status, data } = await send(cookies.customer, { status: 'resolved', body: 'All fixed!', submissionKey: 'customer-key' })
    expect(status).toBe(403)
    expect(data.text).toBe(STATUS_UPDATE_MESSAGES.supportOnly)
    expect(await counts()).toEqual(before)
    expect((await load(cookies.customer)).data.statusUpdates).toEqual([])
  })

  it('answers bad input with 400, the messages and what was typed, and writes nothing', async () => {
    const before = await counts()
    const { status, data } = await send(cookies.support, { status: 'fixed', body: '   ', submissionKey: 'bad-key' })
    expect(status).toBe(400)
    expect(data.errors).toEqual({
      status: ['Choose a status from the list.'],
      body: ['Write what changed, for everyone who has this problem.'],
    })
    expect(data.values).toMatchObject({ status: 'fixed', body: '   ', submissionKey: 'bad-key' })
    expect(await counts()).toEqual(before)
  })

  it('shows a preview and saves nothing', async () => {
    const before = await counts()
    const { status, data } = await send(cookies.support, { status: 'identified', body: 'Found **it**', preview: 'status-update' })
    expect(status).toBe(200)
    expect(data.preview).toContain('<strong>it</strong>')
    expect(data.values).toMatchObject({ status: 'identified', body: 'Found **it**' })
    expect(await counts()).toEqual(before)
  })

  it('posts support’s update and shows it to the customer who pressed “me too”, with the latest status', async () => {
    const { status, headers } = await send(cookies.support, { status: 'fix_deployed', body: 'Fixed in **2.8.4** — please test.', submissionKey: 'ok-key' })
    expect(status).toBe(302)
    expect(headers.get('Location')).toMatch(new RegExp(`^/posts/${problemId}\\?notice=status-update-posted#status-update-[a-z0-9]+$`))
    const page = await load(cookies.meToo)
    expect(page.data.statusUpdates).toEqual([
      expect.objectContaining({
        status: 'fix_deployed',
        statusLabel: 'Fix deployed — please test',
        authorName: 'Sam Support',
        html: expect.stringContaining('<strong>2.8.4</strong>'),
      }),
    ])
    // The same form sent again (a double click) adds nothing.
    const again = await send(cookies.support, { status: 'fix_deployed', body: 'Fixed in **2.8.4** — please test.', submissionKey: 'ok-key' })
    expect(again.status).toBe(302)
    expect((await load(cookies.meToo)).data.statusUpdates).toHaveLength(1)
  })
})
