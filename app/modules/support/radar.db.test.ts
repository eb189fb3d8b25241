/**
 * The migration radar on a fixed clock: weeks, grouping by target version,
 * distinct organizations, open problems per version, slipped plans, who may
 * read it, and "connect these customers" (checked here, proposed through the
 * introductions flow, see same-move.db.test.ts in the introductions module).
 *
 * The database is shared by the tests of this file, so each test makes its
 * own product and reads the radar filtered to it.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as radarRoute from '~/routes/support.radar'
import { actorOf, addMeToo, createOrganization, createPost, createProduct, createReply, createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from '#tests/routes/request'
import { localDate, migrationRadar, prepareSameMoveIntroduction, RADAR_MESSAGES, weekStart } from './radar.server'

type Person = Awaited<ReturnType<typeof createUser>>
let support: Person
let customer: Person

/** Wednesday 14 January 2026, noon UTC: this week runs from Monday 12 to Sunday 18 January. */
const NOW = new Date('2026-01-14T12:00:00Z')
const options = (productSlug: string) => ({ now: NOW, timeZone: 'UTC', productSlug })

beforeAll(async () => {
  support = await createUser({ role: 'support', name: 'Sam Support' })
  customer = await createUser({ name: 'Cora Customer' })
})

let productCount = 0
async function newProduct(versions = ['1.0', '2.0', '3.0']) {
  productCount++
  return createProduct({ name: `Radar product ${productCount}`, slug: `radar-product-${productCount}`, versions })
}

/** A customer at a new organization called `name`. */
async function personAt(name: string) {
  const organization = await createOrganization({ name: `${name} ${productCount}` })
  return createUser({ name: `${name} person`, organizationId: organization.id })
}

/** Two customers of different organizations planning the same move (from 1.0 and 2.0 to 3.0 of a new product). */
async function twoPlans() {
  const product = await newProduct()
  const [v1, v2, v3] = product.versions.map((v) => v.id)
  const a = await personAt('Larch')
  const b = await personAt('Maple')
  const mine = await createPost({ kind: 'migration', authorId: a.id, productId: product.id, fromVersionId: v1, toVersionId: v3 })
  const theirs = await createPost({ kind: 'migration', authorId: b.id, productId: product.id, fromVersionId: v2, toVersionId: v3 })
  return { product, v1: v1!, v2: v2!, v3: v3!, a, b, mine, theirs }
}

async function radarFor(slug: string, extra: { now?: Date; timeZone?: string; weeks?: number } = {}) {
  const result = await migrationRadar(actorOf(support), { ...options(slug), ...extra })
  if (!result.ok) throw new Error(result.message)
  return result.value
}

describe('dates', () => {
  it('reads today on the support team’s clock and weeks from Monday', () => {
    expect(localDate(new Date('2026-01-18T23:30:00Z'), 'UTC')).toBe('2026-01-18')
    expect(localDate(new Date('2026-01-18T23:30:00Z'), 'Pacific/Auckland')).toBe('2026-01-19')
    expect(weekStart('2026-01-18')).toBe('2026-01-12') // a Sunday belongs to the week before
    expect(weekStart('2026-01-19')).toBe('2026-01-19')
    expect(weekStart('2027-01-01')).toBe('2026-12-28') // across the new year
  })
})

describe('migrationRadar', () => {
  it('groups upcoming plans by the week their window starts, over twelve weeks from this Monday', async () => {
    const product = await newProduct()
    const [v1, , v3] = product.versions.map((v) => v.id)
    const a = await personAt('Alder')
    const b = await personAt('Birch')
    const plan = (author: Person, values: Partial<Parameters<typeof createPost>[0]> & { windowStart: string }) =>
      createPost({ kind: 'migration', authorId: author.id, productId: product.id, fromVersionId: v1, toVersionId: v3, ...values })
    const monday = await plan(a, { windowStart: '2026-01-12', windowEnd: '2026-01-15' })
    const today = await plan(b, { windowStart: '2026-01-14' })
    const sunday = await plan(a, { windowStart: '2026-01-18', windowEnd: '2026-01-20' })
    const nextWeek = await plan(b, { windowStart: '2026-01-19', migrationStatus: 'in_progress' })
    const lastWeek = await plan(a, { windowStart: '2026-04-05' }) // Sunday of the twelfth week
    await plan(a, { windowStart: '2026-04-06' }) // beyond the horizon
    const underWay = await plan(b, { windowStart: '2026-01-05', windowEnd: '2026-01-16', migrationStatus: 'in_progress' })
    // Not upcoming: finished, called off, hidden.
    await plan(a, { windowStart: '2026-01-15', migrationStatus: 'done' })
    await plan(a, { windowStart: '2026-01-15', migrationStatus: 'postponed' })
    await plan(a, { windowStart: '2026-01-15', migrationStatus: 'rolled_back' })
    await plan(a, { windowStart: '2026-01-15', hiddenAt: NOW, hiddenById: support.id, hiddenReason: 'duplicate' })

    const radar = await radarFor(product.slug)
    expect(radar.today).toBe('2026-01-14')
    expect(radar.weeks).toHaveLength(12)
    expect(radar.weeks[0]).toMatchObject({ start: '2026-01-12', end: '2026-01-18', isoWeek: 3, isoYear: 2026 })
    expect(radar.weeks[11]).toMatchObject({ start: '2026-03-30', end: '2026-04-05', isoWeek: 14 })
    const ids = radar.weeks.map((w) => w.migrations.map((m) => m.id))
    expect(ids[0]).toEqual([underWay.id, monday.id, today.id, sunday.id])
    expect(ids[1]).toEqual([nextWeek.id])
    expect(ids[11]).toEqual([lastWeek.id])
    expect(ids.slice(2, 11).flat()).toEqual([])
    expect(radar.weeks[0]!.migrations.find((m) => m.id === underWay.id)).toMatchObject({ underWay: true, status: 'in_progress' })
    expect(radar.weeks[0]!.migrations.find((m) => m.id === sunday.id)).toMatchObject({
      underWay: false,
      windowStart: '2026-01-18',
      windowEnd: '2026-01-20',
    })
    // A single day's window ends on its first day.
    expect(radar.weeks[0]!.migrations.find((m) => m.id === today.id)).toMatchObject({ windowStart: '2026-01-14', windowEnd: '2026-01-14' })
    // Distinct organizations, not plans: Alder has two plans this week.
    expect(radar.weeks[0]!.organizationCount).toBe(2)
    expect(radar.weeks[1]!.organizationCount).toBe(1)
    expect(radar.organizationCount).toBe(2)
    expect(radar.slipped).toEqual([])
    expect(radar.products.map((p) => p.slug)).toContain(product.slug)
  })

  it('names who moves: the organization, the person and the plan', async () => {
    const product = await newProduct()
    const a = await personAt('Cedar')
    const post = await createPost({ kind: 'migration', authorId: a.id, productId: product.id, windowStart: '2026-01-20', windowEnd: '2026-01-21' })
    const [week] = (await radarFor(product.slug)).weeks.filter((w) => w.migrations.length)
    expect(week!.migrations[0]).toMatchObject({
      id: post.id,
      title: `${product.name} 1.0 → 3.0`,
      organization: { id: a.organizationId, name: `Cedar ${productCount}` },
      author: { id: a.id, name: 'Cedar person' },
      product: { slug: product.slug },
      fromVersion: { name: '1.0' },
      toVersion: { name: '3.0' },
      visibility: 'community',
    })
  })

  it('starts the week on the support team’s clock', async () => {
    const product = await newProduct()
    const a = await personAt('Dogwood')
    await createPost({ kind: 'migration', authorId: a.id, productId: product.id, windowStart: '2026-01-19' })
    // Sunday evening in UTC is already Monday morning in Auckland.
    const sundayNight = new Date('2026-01-18T23:30:00Z')
    const utc = await radarFor(product.slug, { now: sundayNight, timeZone: 'UTC' })
    expect(utc.weeks[0]!.start).toBe('2026-01-12')
    expect(utc.weeks[1]!.migrations).toHaveLength(1)
    const auckland = await radarFor(product.slug, { now: sundayNight, timeZone: 'Pacific/Auckland' })
    expect(auckland.today).toBe('2026-01-19')
    expect(auckland.weeks[0]!.start).toBe('2026-01-19')
    expect(auckland.weeks[0]!.migrations).toHaveLength(1)
  })

  it('groups by target version with distinct organizations, and says when support can connect them', async () => {
    const product = await newProduct(['1.0', '2.0', '3.0', '4.0'])
    const [v1, v2, v3, v4] = product.versions.map((v) => v.id)
    const a = await personAt('Elm')
    const a2 = await createUser({ name: 'Elm colleague', organizationId: a.organizationId })
    const b = await personAt('Fir')
    const c = await personAt('Gum')
    const plan = (author: Person, from: string, to: string, values: Partial<Parameters<typeof createPost>[0]> = {}) =>
      createPost({ kind: 'migration', authorId: author.id, productId: product.id, fromVersionId: from, toVersionId: to, windowStart: '2026-02-02', ...values })
    const toV4 = [await plan(a, v1!, v4!), await plan(a2, v2!, v4!, { windowStart: '2026-02-03' }), await plan(b, v3!, v4!, { windowStart: '2026-01-20' })]
    const toV3 = [await plan(a, v1!, v3!), await plan(c, v2!, v3!, { visibility: 'staff' })]
    const toV2 = await plan(b, v1!, v2!)

    const radar = await radarFor(product.slug)
    // Ordered by version, not by date or size.
    expect(radar.targets.map((t) => t.version.name)).toEqual(['2.0', '3.0', '4.0'])
    const [two, three, four] = radar.targets
    expect(two).toMatchObject({ organizationCount: 1, connectable: false, product: { slug: product.slug } })
    expect(two!.migrations.map((m) => m.id)).toEqual([toV2.id])
    // Two people of Elm and one of Fir: two organizations, three plans, nearest window first.
    expect(four).toMatchObject({ organizationCount: 2, connectable: true })
    expect(four!.migrations.map((m) => m.id)).toEqual([toV4[2]!.id, toV4[0]!.id, toV4[1]!.id])
    // Two organizations, but one plan is staff-only: introductions start only from community plans.
    expect(three).toMatchObject({ organizationCount: 2, connectable: false })
    expect(three!.migrations.map((m) => [m.id, m.visibility])).toEqual([
      [toV3[0]!.id, 'community'],
      [toV3[1]!.id, 'staff'],
    ])
  })

  it('lists the open and answered problems of each target version, most me-toos first', async () => {
    const product = await newProduct()
    const [v1, v2, v3] = product.versions.map((v) => v.id)
    const mover = await personAt('Hazel')
    await createPost({ kind: 'migration', authorId: mover.id, productId: product.id, fromVersionId: v1, toVersionId: v3, windowStart: '2026-01-26' })
    await createPost({ kind: 'migration', authorId: mover.id, productId: product.id, fromVersionId: v1, toVersionId: v2, windowStart: '2026-01-26' })
    const problem = (title: string, versionIds: string[], values: Partial<Parameters<typeof createPost>[0]> = {}) =>
      createPost({ authorId: customer.id, productId: product.id, title, versionIds, ...values })
    const open = await problem('Open in 3.0', [v3!])
    await addMeToo({ postId: open.id })
    const answered = await problem('Answered in 2.0 and 3.0', [v2!, v3!])
    await createReply({ postId: answered.id, authorId: support.id })
    for (let i = 0; i < 3; i++) await addMeToo({ postId: answered.id })
    const staffOnly = await problem('Staff-only in 3.0', [v3!], { visibility: 'staff' })
    const solved = await problem('Solved in 3.0', [v3!])
    await createPost({ kind: 'workaround', problemId: solved.id, authorId: support.id, acceptedAt: NOW })
    await problem('Hidden in 3.0', [v3!], { hiddenAt: NOW, hiddenById: support.id, hiddenReason: 'spam' })
    await problem('Only in 1.0', [v1!])

    const radar = await radarFor(product.slug)
    const three = radar.targets.find((t) => t.version.name === '3.0')!
    expect(three.openProblemCount).toBe(3)
    expect(three.openProblems).toEqual([
      { id: answered.id, title: 'Answered in 2.0 and 3.0', state: 'answered', meTooCount: 3, visibility: 'community' },
      { id: open.id, title: 'Open in 3.0', state: 'open', meTooCount: 1, visibility: 'community' },
      { id: staffOnly.id, title: 'Staff-only in 3.0', state: 'open', meTooCount: 0, visibility: 'staff' },
    ])
    // The migration plans name 3.0 among their versions too; they are not problems.
    const two = radar.targets.find((t) => t.version.name === '2.0')!
    expect(two.openProblems.map((p) => p.id)).toEqual([answered.id])
  })

  it('shows at most five open problems per version and counts them all', async () => {
    const product = await newProduct()
    const [v1, , v3] = product.versions.map((v) => v.id)
    const mover = await personAt('Ivy')
    await createPost({ kind: 'migration', authorId: mover.id, productId: product.id, fromVersionId: v1, toVersionId: v3, windowStart: '2026-01-26' })
    for (let i = 0; i < 7; i++) await createPost({ authorId: customer.id, productId: product.id, versionIds: [v3!] })
    const three = (await radarFor(product.slug)).targets[0]!
    expect(three.openProblemCount).toBe(7)
    expect(three.openProblems).toHaveLength(5)
  })

  it('lists slipped plans: the window ended before today and they are still planned or in progress', async () => {
    const product = await newProduct()
    const a = await personAt('Juniper')
    const plan = (values: Partial<Parameters<typeof createPost>[0]> & { windowStart: string }) =>
      createPost({ kind: 'migration', authorId: a.id, productId: product.id, ...values })
    const yesterday = await plan({ windowStart: '2026-01-13' })
    const longAgo = await plan({ windowStart: '2025-11-01', windowEnd: '2025-11-03', migrationStatus: 'in_progress' })
    const endsToday = await plan({ windowStart: '2026-01-10', windowEnd: '2026-01-14' })
    await plan({ windowStart: '2026-01-05', migrationStatus: 'done' })
    await plan({ windowStart: '2026-01-05', migrationStatus: 'postponed' })
    await plan({ windowStart: '2026-01-05', migrationStatus: 'rolled_back' })
    await plan({ windowStart: '2026-01-05', hiddenAt: NOW, hiddenById: support.id, hiddenReason: 'duplicate' })

    const radar = await radarFor(product.slug)
    expect(radar.slipped.map((m) => [m.id, m.daysOverdue, m.status])).toEqual([
      [yesterday.id, 1, 'planned'],
      [longAgo.id, 72, 'in_progress'],
    ])
    // A window that ends today has not slipped: it is under way this week.
    expect(radar.weeks[0]!.migrations.map((m) => m.id)).toEqual([endsToday.id])
  })

  it('filters by product', async () => {
    const [p, q] = [await newProduct(), await newProduct()]
    const a = await personAt('Kauri')
    await createPost({ kind: 'migration', authorId: a.id, productId: p.id, windowStart: '2026-01-20' })
    await createPost({ kind: 'migration', authorId: a.id, productId: q.id, windowStart: '2026-01-20' })
    const onlyP = await radarFor(p.slug)
    expect(onlyP.targets.map((t) => t.product.slug)).toEqual([p.slug])
    const all = await migrationRadar(actorOf(support), { now: NOW, timeZone: 'UTC' })
    expect(all.ok && all.value.targets.map((t) => t.product.slug)).toEqual(expect.arrayContaining([p.slug, q.slug]))
  })

  it('is for support and admins only', async () => {
    expect(await migrationRadar(actorOf(customer), { now: NOW })).toEqual({
      ok: false,
      reason: 'forbidden',
      message: RADAR_MESSAGES.supportOnly,
    })
    const admin = await createUser({ role: 'admin' })
    expect((await migrationRadar(actorOf(admin), { now: NOW })).ok).toBe(true)
  })
})

describe('prepareSameMoveIntroduction', () => {
  it('names the plan, the other customer and their plan', async () => {
    const { b, mine, theirs } = await twoPlans()
    expect(await prepareSameMoveIntroduction(actorOf(support), { migrationId: mine.id, otherMigrationId: theirs.id })).toEqual({
      ok: true,
      value: { migrationId: mine.id, solverId: b.id, viaPostId: theirs.id },
    })
  })

  it('refuses the same plan twice, one organization, another move, and what is not a visible plan', async () => {
    const { product, v1, v2, a, mine, theirs } = await twoPlans()
    const staff = actorOf(support)
    expect(await prepareSameMoveIntroduction(staff, { migrationId: mine.id, otherMigrationId: mine.id })).toEqual({
      ok: false,
      reason: 'same_plan',
      message: RADAR_MESSAGES.samePlan,
      field: 'otherMigrationId',
    })
    const colleague = await createUser({ organizationId: a.organizationId })
    const colleagues = await createPost({ kind: 'migration', authorId: colleague.id, productId: product.id, fromVersionId: v2, toVersionId: mine.toVersionId! })
    expect(await prepareSameMoveIntroduction(staff, { migrationId: mine.id, otherMigrationId: colleagues.id })).toMatchObject({
      ok: false,
      reason: 'same_organization',
      message: RADAR_MESSAGES.sameOrganization,
    })
    const otherTarget = await createPost({ kind: 'migration', authorId: customer.id, productId: product.id, fromVersionId: v1, toVersionId: v2 })
    expect(await prepareSameMoveIntroduction(staff, { migrationId: mine.id, otherMigrationId: otherTarget.id })).toMatchObject({
      ok: false,
      reason: 'not_same_move',
      message: RADAR_MESSAGES.notSameMove,
    })
    const problem = await createPost({ authorId: customer.id, productId: product.id })
    const hidden = await createPost({ kind: 'migration', authorId: customer.id, productId: product.id, hiddenAt: NOW, hiddenById: support.id, hiddenReason: 'x' })
    for (const otherMigrationId of [problem.id, hidden.id, 'no-such-plan']) {
      expect(await prepareSameMoveIntroduction(staff, { migrationId: mine.id, otherMigrationId })).toMatchObject({ ok: false, reason: 'not_found' })
    }
    expect(await prepareSameMoveIntroduction(actorOf(customer), { migrationId: mine.id, otherMigrationId: theirs.id })).toMatchObject({
      ok: false,
      reason: 'forbidden',
    })
  })
})

describe('the radar page', () => {
  it('is refused to customers', async () => {
    const cookie = await signedInCookie(customer.id)
    expect((await get(radarRoute.loader, '/support/radar', { cookie })).status).toBe(403)
    expect((await postForm(radarRoute.action, '/support/radar', { migrationId: 'a', otherMigrationId: 'b' }, { cookie })).status).toBe(403)
  })

  it('shows the plans and the filter to support', async () => {
    const product = await newProduct()
    const a = await personAt('Nettle')
    const post = await createPost({ kind: 'migration', authorId: a.id, productId: product.id, windowStart: '2099-01-05' })
    const cookie = await signedInCookie(support.id)
    // Far beyond twelve weeks from the real today: on the radar only once it slips; here it is simply absent.
    const page = await get(radarRoute.loader, `/support/radar?product=${product.slug}`, { cookie })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ product: product.slug, migrationCount: 0 })
    expect(JSON.stringify(page.data)).not.toContain(post.id)
    // A bad filter value is ignored, never a 500.
    expect((await get(radarRoute.loader, '/support/radar?product=%3Cscript%3E', { cookie })).data).toMatchObject({ product: '' })
  })

  it('"connect these customers" leads to the introduction proposal for the two plans', async () => {
    const { b, mine, theirs } = await twoPlans()
    const cookie = await signedInCookie(support.id)
    const sent = await postForm(radarRoute.action, '/support/radar', { migrationId: mine.id, otherMigrationId: theirs.id }, { cookie })
    expect(sent.status).toBe(302)
    expect(sent.headers.get('Location')).toBe(`/posts/${mine.id}/introduce?solver=${b.id}&via=${theirs.id}`)

    const same = await postForm(radarRoute.action, '/support/radar', { migrationId: mine.id, otherMigrationId: mine.id }, { cookie })
    expect(same.status).toBe(400)
    expect(same.data).toEqual({
      errors: { otherMigrationId: [RADAR_MESSAGES.samePlan] },
      values: { migrationId: mine.id, otherMigrationId: mine.id },
    })
    const empty = await postForm(radarRoute.action, '/support/radar', { migrationId: mine.id }, { cookie })
    expect(empty.status).toBe(400)
    expect(empty.data.errors).toEqual({ otherMigrationId: ['Choose the customer to introduce them to.'] })
  })
})
