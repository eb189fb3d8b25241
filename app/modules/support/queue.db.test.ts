import { and, eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, posts } from '~/db/schema'
import * as queueRoute from '~/routes/support.queue'
import * as supportIndexRoute from '~/routes/support._index'
import { actorOf, createPost, createProduct, createReply, createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from '#tests/routes/request'
import { assignToMe, listQueue, listQueueProducts, queueFigures, queueMetrics, unassign } from './queue.server'
import { parseSchedule } from './support-hours'

const HOUR = 3_600_000
const schedule = parseSchedule({ hours: '09:00-17:00', days: 'Mon-Fri', timeZone: 'UTC' })

type Person = Awaited<ReturnType<typeof createUser>>
let support: Person
let customer: Person
let other: Person

beforeAll(async () => {
  support = await createUser({ role: 'support', name: 'Sam Support' })
  customer = await createUser({ name: 'Cora Customer' })
  other = await createUser({ name: 'Olli Other' })
})

let productCount = 0
const newProduct = () => createProduct({ name: `Queue product ${++productCount}`, slug: `queue-product-${productCount}`, versions: ['1.0'] })

describe('listQueue', () => {
  it('holds problems nobody but their author answered, oldest first, and nothing hidden, answered or solved', async () => {
    const product = await newProduct()
    const now = new Date('2026-01-14T12:00:00Z') // a Wednesday
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR)
    const selfAnswered = await createPost({ authorId: customer.id, productId: product.id, title: 'Only the author replied', createdAt: at(5) })
    await createReply({ postId: selfAnswered.id, authorId: customer.id, createdAt: at(4) })
    const answered = await createPost({ authorId: customer.id, productId: product.id, title: 'Someone else replied', createdAt: at(6) })
    await createReply({ postId: answered.id, authorId: other.id, createdAt: at(5) })
    const withWorkaround = await createPost({ authorId: customer.id, productId: product.id, title: 'Someone posted a workaround', createdAt: at(7) })
    await createPost({ kind: 'workaround', problemId: withWorkaround.id, authorId: other.id, createdAt: at(6) })
    const selfSolved = await createPost({ authorId: customer.id, productId: product.id, title: 'Solved by the author', createdAt: at(7) })
    await createPost({ kind: 'workaround', problemId: selfSolved.id, authorId: customer.id, createdAt: at(6), acceptedAt: at(6) })
    await createPost({ authorId: customer.id, productId: product.id, title: 'Hidden', createdAt: at(9), hiddenAt: at(8), hiddenById: support.id, hiddenReason: 'spam' })
    const oldest = await createPost({ authorId: other.id, productId: product.id, title: 'Oldest', createdAt: at(30) })
    const staffOnly = await createPost({ authorId: support.id, productId: product.id, title: 'Staff only', visibility: 'staff', createdAt: at(2) })
    await createPost({ kind: 'story', authorId: customer.id, productId: product.id, title: 'A story', createdAt: at(3) })

    const result = await listQueue(actorOf(support), { productSlug: product.slug, now, schedule })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.items.map((item) => item.title)).toEqual(['Oldest', 'Only the author replied', 'Staff only'])
    expect(result.value.total).toEqual({ value: 3, atLeast: false })
    const [first, second, third] = result.value.items
    expect(first).toMatchObject({
      id: oldest.id,
      product: { slug: product.slug },
      author: { id: other.id, name: 'Olli Other' },
      ageMs: 30 * HOUR,
      // Arrived Tuesday 06:00 UTC, before opening: due Tuesday 17:00.
      dueAt: new Date('2026-01-13T17:00:00Z'),
      overdue: true,
      assignedTo: null,
    })
    expect(second).toMatchObject({ id: selfAnswered.id, dueAt: new Date('2026-01-14T17:00:00Z'), overdue: false })
    expect(third).toMatchObject({ id: staffOnly.id, visibility: 'staff' })
  })

  it('filters by product', async () => {
    const [a, b] = [await newProduct(), await newProduct()]
    const now = new Date('2026-02-02T12:00:00Z')
    await createPost({ authorId: customer.id, productId: a.id, title: 'About A', createdAt: new Date('2026-02-02T10:00:00Z') })
    await createPost({ authorId: customer.id, productId: b.id, title: 'About B', createdAt: new Date('2026-02-02T10:00:00Z') })
    const onlyA = await listQueue(actorOf(support), { productSlug: a.slug, now, schedule })
    expect(onlyA.ok && onlyA.value.items.map((item) => item.title)).toEqual(['About A'])
    const all = await listQueue(actorOf(support), { now, schedule })
    expect(all.ok && all.value.items.map((item) => item.title)).toEqual(expect.arrayContaining(['About A', 'About B']))
  })

  it('shows the oldest page when more wait than its limit, and counts the rest up to a bound', async () => {
    const product = await newProduct()
    const now = new Date('2026-03-04T12:00:00Z')
    const titles = ['First', 'Second', 'Third', 'Fourth']
    for (const [i, title] of titles.entries()) {
      await createPost({ authorId: customer.id, productId: product.id, title, createdAt: new Date(now.getTime() - (10 - i) * HOUR) })
    }
    const page = await listQueue(actorOf(support), { productSlug: product.slug, now, schedule, limit: 2, countBound: 3 })
    expect(page.ok && page.value.items.map((item) => item.title)).toEqual(['First', 'Second'])
    expect(page.ok && page.value.total).toEqual({ value: 3, atLeast: true })
    const counted = await listQueue(actorOf(support), { productSlug: product.slug, now, schedule, limit: 2, countBound: 10 })
    expect(counted.ok && counted.value.total).toEqual({ value: 4, atLeast: false })
  })

  it('sets the target by support hours: after closing on Friday means Monday evening', async () => {
    const product = await newProduct()
    await createPost({ authorId: customer.id, productId: product.id, title: 'Friday night', createdAt: new Date('2026-01-16T19:00:00Z') })
    const saturday = await listQueue(actorOf(support), { productSlug: product.slug, now: new Date('2026-01-17T10:00:00Z'), schedule })
    expect(saturday.ok && saturday.value.items[0]).toMatchObject({ dueAt: new Date('2026-01-19T17:00:00Z'), overdue: false })
    const tuesday = await listQueue(actorOf(support), { productSlug: product.slug, now: new Date('2026-01-20T08:00:00Z'), schedule })
    expect(tuesday.ok && tuesday.value.items[0]).toMatchObject({ overdue: true })
  })
})

describe('assignToMe and unassign', () => {
  it('sets and clears the assignee, with an audit entry each', async () => {
    const problem = await createPost({ authorId: customer.id })
    expect(await assignToMe(actorOf(support), problem.id)).toEqual({ ok: true, value: undefined })
    const [assigned] = await db.select({ assignedToId: posts.assignedToId }).from(posts).where(eq(posts.id, problem.id))
    expect(assigned!.assignedToId).toBe(support.id)
    const queue = await listQueue(actorOf(support), { now: new Date(), schedule })
    expect(queue.ok && queue.value.items.find((item) => item.id === problem.id)?.assignedTo).toEqual({ id: support.id, name: 'Sam Support' })

    expect((await unassign(actorOf(support), problem.id)).ok).toBe(true)
    const [cleared] = await db.select({ assignedToId: posts.assignedToId }).from(posts).where(eq(posts.id, problem.id))
    expect(cleared!.assignedToId).toBeNull()

    const entries = await db
      .select({ action: auditLog.action, actorId: auditLog.actorId })
      .from(auditLog)
      .where(and(eq(auditLog.subjectType, 'post'), eq(auditLog.subjectId, problem.id)))
    expect(entries).toEqual(
      expect.arrayContaining([
        { action: 'problem.assign', actorId: support.id },
        { action: 'problem.unassign', actorId: support.id },
      ]),
    )
    expect(entries).toHaveLength(2)
  })

  it('names what went wrong', async () => {
    const story = await createPost({ kind: 'story', authorId: customer.id })
    expect(await assignToMe(actorOf(support), 'no-such-post')).toMatchObject({ ok: false, reason: 'not_found' })
    expect(await assignToMe(actorOf(support), story.id)).toMatchObject({ ok: false, reason: 'not_problem' })
  })
})

describe('queueMetrics', () => {
  // A fixed clock years before the other tests' rows, so only these count.
  const now = new Date('2020-03-20T12:00:00Z') // a Friday
  const at = (iso: string) => new Date(iso)

  it('measures first responses and same-day answers in the window, and open problems by age', async () => {
    const product = await newProduct()
    const problem = (createdAt: string) => createPost({ authorId: customer.id, productId: product.id, createdAt: at(createdAt) })
    // Answered same day after 60 minutes.
    const a = await problem('2020-03-19T10:00:00Z')
    await createReply({ postId: a.id, authorId: support.id, createdAt: at('2020-03-19T11:00:00Z') })
    // Answered the next day (late) after 24 hours.
    const b = await problem('2020-03-18T10:00:00Z')
    await createReply({ postId: b.id, authorId: support.id, createdAt: at('2020-03-19T10:00:00Z') })
    // Answered same day after 3 hours, 20 days ago: only in the 30-day window.
    const c = await problem('2020-02-28T10:00:00Z')
    await createReply({ postId: c.id, authorId: support.id, createdAt: at('2020-02-28T13:00:00Z') })
    // Unanswered, arrived 2 hours ago: not yet due.
    await problem('2020-03-20T10:00:00Z')
    // Unanswered, 2 days old: overdue.
    await problem('2020-03-18T12:00:00Z')
    // Unanswered, 10 days old, and 40 days old (outside both windows).
    await problem('2020-03-10T12:00:00Z')
    await problem('2020-02-09T12:00:00Z')
    // Hidden problems do not count.
    await createPost({ authorId: customer.id, productId: product.id, createdAt: at('2020-03-19T09:30:00Z'), hiddenAt: at('2020-03-19T09:40:00Z'), hiddenById: support.id, hiddenReason: 'duplicate' })
    // A reply after `now` has not happened yet at `now`.
    const d = await problem('2020-03-20T09:00:00Z')
    await createReply({ postId: d.id, authorId: support.id, createdAt: at('2020-03-21T09:00:00Z') })

    const week = await queueMetrics(actorOf(support), { days: 7, now, schedule })
    expect(week.ok).toBe(true)
    if (!week.ok) return
    expect(week.value).toMatchObject({
      days: 7,
      logged: 5,
      answered: 2,
      medianMinutesToFirstResponse: (60 + 24 * 60) / 2,
      answeredSameDay: 1,
      answeredLater: 1,
      // a, b, and the overdue one; the two from today are not due yet.
      decided: 3,
      stillUnanswered: 3,
    })
    expect(week.value.sameDayShare).toBeCloseTo(1 / 3)
    const byAge = Object.fromEntries(week.value.openByAge.map((bucket) => [bucket.key, bucket.count]))
    expect(byAge).toEqual({ under4h: 2, '4to24h': 0, '1to3d': 1, '3to7d': 0, over7d: 2 })

    // One read serves both windows; counts by age stop at their bound, and a window past its row limit says so.
    const bounded = await queueFigures(actorOf(support), { now, schedule, countBound: 1, rowLimit: 4 })
    expect(bounded.ok).toBe(true)
    if (!bounded.ok) return
    expect(bounded.value.week.openByAge.find((bucket) => bucket.key === 'over7d')).toMatchObject({ count: 1, atLeast: true })
    expect(bounded.value.week.openByAge.find((bucket) => bucket.key === '1to3d')).toMatchObject({ count: 1, atLeast: false })
    expect(bounded.value.month).toMatchObject({ logged: 4, partial: true })

    const month = await queueMetrics(actorOf(support), { days: 30, now, schedule })
    expect(month.ok && month.value).toMatchObject({
      logged: 7,
      answered: 3,
      medianMinutesToFirstResponse: 180,
      answeredSameDay: 2,
      answeredLater: 1,
      decided: 5,
      stillUnanswered: 4,
    })
  })
})

describe('customers', () => {
  it('are refused by every function', async () => {
    const problem = await createPost({ authorId: customer.id })
    const actor = actorOf(customer)
    for (const result of [
      await listQueue(actor, { schedule }),
      await listQueueProducts(actor),
      await queueMetrics(actor, { days: 7, schedule }),
      await assignToMe(actor, problem.id),
      await unassign(actor, problem.id),
    ]) {
      expect(result).toMatchObject({ ok: false, reason: 'forbidden' })
    }
  })

  it('get 403 from the pages and the action', async () => {
    const problem = await createPost({ authorId: customer.id })
    const cookie = await signedInCookie(customer.id)
    expect((await get(queueRoute.loader, '/support/queue', { cookie })).status).toBe(403)
    expect((await get(supportIndexRoute.loader, '/support', { cookie })).status).toBe(403)
    const post = await postForm(queueRoute.action, '/support/queue', { intent: 'assign', problemId: problem.id }, { cookie })
    expect(post.status).toBe(403)
    const [row] = await db.select({ assignedToId: posts.assignedToId }).from(posts).where(eq(posts.id, problem.id))
    expect(row!.assignedToId).toBeNull()
  })
})

describe('the queue page', () => {
  it('shows the queue and metrics to support and assigns through a form', async () => {
    const product = await newProduct()
    const problem = await createPost({ authorId: customer.id, productId: product.id, title: 'Through the page' })
    const cookie = await signedInCookie(support.id)
    expect((await get(supportIndexRoute.loader, '/support', { cookie })).headers.get('Location')).toBe('/support/queue')
    const page = await get(queueRoute.loader, `/support/queue?product=${product.slug}`, { cookie })
    expect(page.status).toBe(200)
    expect((page.data.queue as { title: string }[]).map((item) => item.title)).toEqual(['Through the page'])
    expect(page.data.metrics).toHaveLength(2)

    const assigned = await postForm(queueRoute.action, `/support/queue?product=${product.slug}`, { intent: 'assign', problemId: problem.id }, { cookie })
    expect(assigned.status).toBe(302)
    expect(assigned.headers.get('Location')).toBe(`/support/queue?notice=problem-assigned&product=${product.slug}`)
    const [row] = await db.select({ assignedToId: posts.assignedToId }).from(posts).where(eq(posts.id, problem.id))
    expect(row!.assignedToId).toBe(support.id)

    const bad = await postForm(queueRoute.action, '/support/queue', { intent: 'steal', problemId: problem.id }, { cookie })
    expect(bad.status).toBe(400)
  })
})
