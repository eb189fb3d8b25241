/**
 * Every /support and /admin page and action, as a matrix: customers get a
 * 403 or 404 that leaks no staff data and writes nothing, signed-out
 * visitors are sent to sign in (or refused), support is refused on /admin,
 * and the staff each area is for get the page and can use every form.
 *
 * The matrix is derived from the route files (Remix flat-routes names), so
 * a new staff page is covered the day it lands: its loader is checked at
 * once, and a new action fails the "every action is listed" test until its
 * forms are added to ACTION_CASES below. Each route module is called on its
 * own, without its parent layout's loader, because Remix may run a child
 * loader alone (client navigations fetch only the loaders that changed):
 * every staff route must guard itself.
 */
import { eq, sql } from 'drizzle-orm'
import fs from 'node:fs'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { outbox, productVersions } from '~/db/schema'
import { inviteUser } from '~/modules/accounts/accounts.server'
import type * as EmailModule from '~/modules/email/email.server'
import { actorOf, createOrganization, createPost, createProduct, createUser } from '#tests/factories'
import { get, postForm, signedInCookie, type Outcome } from './request'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

// ---------------------------------------------------------------------------
// The routes, from the files

type RouteFn = Parameters<typeof get>[0]
type RouteModule = { loader?: RouteFn; action?: RouteFn }

/** Every route module, found by file name (flat files and folders with a route file). */
const modules = import.meta.glob<RouteModule>(['/app/routes/*.{ts,tsx}', '/app/routes/*/route.{ts,tsx}', '!**/*.test.*'])

/** "support.quiet_.$organizationId" from "/app/routes/support.quiet_.$organizationId.tsx" (or a folder's route file). */
function routeIdOf(file: string) {
  const relative = file.replace(/^\/app\/routes\//, '')
  return relative.includes('/') ? relative.slice(0, relative.indexOf('/')) : relative.replace(/\.[jt]sx?$/, '')
}

/** Splits a route id at its dots, leaving escaped ones (`feeds.solutions[.]atom`) alone. */
function segmentsOf(routeId: string) {
  const segments: string[] = []
  let current = ''
  let depth = 0
  for (const ch of routeId) {
    if (ch === '[') depth++
    if (ch === ']') depth--
    if (ch === '.' && depth === 0) {
      segments.push(current)
      current = ''
    } else current += ch
  }
  segments.push(current)
  return segments
}

/**
 * The URL pattern of a flat route id, the way Remix reads it:
 * `admin.organizations.$id` → /admin/organizations/:id,
 * `support.quiet_.$organizationId` → /support/quiet/:organizationId,
 * `support._index` → /support (a leading `_` is a pathless layout or the index).
 */
function urlPatternOf(routeId: string) {
  const parts: string[] = []
  for (const raw of segmentsOf(routeId)) {
    if (raw.startsWith('_')) continue
    let segment = raw.length > 1 && raw.endsWith('_') ? raw.slice(0, -1) : raw
    segment = segment.replace(/[()[\]]/g, '')
    if (segment === '$') segment = '*'
    else if (segment.startsWith('$')) segment = `:${segment.slice(1)}`
    parts.push(segment)
  }
  return `/${parts.join('/')}`
}

type StaffRoute = { id: string; pattern: string; role: 'support' | 'admin'; module: RouteModule }

const STAFF_ROUTES: StaffRoute[] = []
for (const [file, load] of Object.entries(modules)) {
  const id = routeIdOf(file)
  const pattern = urlPatternOf(id)
  const area = pattern.split('/')[1]
  if (area === 'support' || area === 'admin') STAFF_ROUTES.push({ id, pattern, role: area, module: await load() })
}
STAFF_ROUTES.sort((a, b) => a.id.localeCompare(b.id))

// ---------------------------------------------------------------------------
// The world

type World = {
  customerId: string
  customerOrganizationId: string
  productSlug: string
  versionIds: { first: string; second: string; retired: string }
  openProblemId: string
  assignedProblemId: string
  migrationIds: [string, string]
  invitationId: string
  outboxId: string
  promoteId: string
  deactivateId: string
  inactiveId: string
}

let world: World
let cookies: { customer: string; support: string; admin: string }

/** Staff data a refusal must never show: names, addresses and titles only staff may read. */
const SECRETS = {
  staffOnlyTitle: 'Matrix secret: the staff-only outage',
  otherOrganization: 'Hollowfield Matrix Holdings',
  otherEmail: 'dee.hidden@hollowfield-matrix.test',
  inviteeEmail: 'invitee.secret@matrix-customer.test',
  adminName: 'Ada Secretadmin',
}

/** A real value for each route parameter, by the URL segment before it; anything else gets a made-up id. */
function paramValue(pattern: string, name: string): string | undefined {
  const segments = pattern.split('/')
  const before = segments[segments.indexOf(name === '*' ? '*' : `:${name}`) - 1]
  const known: Record<string, string> = {
    'organizations/:id': world.customerOrganizationId,
    'quiet/:organizationId': world.customerOrganizationId,
    'outbox/:id': world.outboxId,
    'products/:slug': world.productSlug,
  }
  return known[`${before}/${name === '*' ? '*' : `:${name}`}`]
}

const paramNames = (pattern: string) =>
  pattern
    .split('/')
    .filter((s) => s.startsWith(':') || s === '*')
    .map((s) => (s === '*' ? '*' : s.slice(1)))

/** The route's URL and params, filled from the world (a made-up id where the test knows no real one). */
function addressOf(route: StaffRoute) {
  const params: Record<string, string> = {}
  for (const name of paramNames(route.pattern)) params[name] = paramValue(route.pattern, name) ?? 'no-such-id-0000'
  const path = route.pattern.replace(/:(\w+)|\*/g, (match, name: string | undefined) => params[name ?? '*']!)
  return { path, params }
}

// ---------------------------------------------------------------------------
// Every form of every staff action. A route that exports an action must be
// listed here with one case per intent it handles (the tests below check).

type ActionCase = {
  name: string
  fields: (w: World) => Record<string, string>
  /** Whether staff sending it changes the database (most forms do). */
  writes?: boolean
}

const ACTION_CASES: Record<string, ActionCase[]> = {
  'support.queue': [
    { name: 'assign', fields: (w) => ({ intent: 'assign', problemId: w.openProblemId }) },
    { name: 'unassign', fields: (w) => ({ intent: 'unassign', problemId: w.assignedProblemId }) },
  ],
  'support.quiet_.$organizationId': [
    {
      name: 'check in',
      fields: (w) => ({
        subject: 'How are things?',
        body: 'Hello, we have not heard from you for a while.',
        recipientIds: w.customerId,
        submissionKey: 'matrix-check-in',
      }),
    },
  ],
  'support.radar': [
    {
      name: 'connect customers planning the same move',
      fields: (w) => ({ migrationId: w.migrationIds[0], otherMigrationId: w.migrationIds[1] }),
      // It only prepares the proposal page; nothing is stored until support sends it there.
      writes: false,
    },
  ],
  'admin.organizations._index': [
    { name: 'create an organization', fields: () => ({ name: 'Matrix New Organization', domains: 'matrix-new.test' }) },
  ],
  'admin.organizations.$id': [
    { name: 'domains', fields: () => ({ intent: 'domains', domains: 'matrix-customer.test' }) },
    { name: 'invite', fields: () => ({ intent: 'invite', email: 'new.person@matrix-customer.test', role: 'customer' }) },
    { name: 'revoke', fields: (w) => ({ intent: 'revoke', id: w.invitationId }) },
    { name: 'role', fields: (w) => ({ intent: 'role', id: w.promoteId, role: 'admin' }) },
    { name: 'deactivate', fields: (w) => ({ intent: 'deactivate', id: w.deactivateId }) },
    { name: 'reactivate', fields: (w) => ({ intent: 'reactivate', id: w.inactiveId }) },
  ],
  'admin.outbox.$id': [{ name: 'send again', fields: () => ({}) }],
  'admin.products._index': [
    { name: 'create a product', fields: () => ({ name: 'Matrix New Product', slug: 'matrix-new-product', description: '' }) },
  ],
  'admin.products.$slug': [
    { name: 'rename', fields: () => ({ intent: 'rename', name: 'Matrix Relay Renamed', description: 'Renamed.' }) },
    { name: 'add-version', fields: () => ({ intent: 'add-version', name: '9.9', releasedOn: '' }) },
    {
      name: 'rename-version',
      fields: (w) => ({ intent: 'rename-version', versionId: w.versionIds.first, name: '1.0.1', releasedOn: '2025-01-31' }),
    },
    { name: 'retire', fields: (w) => ({ intent: 'retire', versionId: w.versionIds.second }) },
    { name: 'restore', fields: (w) => ({ intent: 'restore', versionId: w.versionIds.retired }) },
  ],
}

/**
 * The intents a route file names (`intent === 'x'`, `name="intent" value="x"`,
 * `case 'x':` in a file about intents): a safety net so a new button cannot
 * be added without its case above.
 */
function intentsNamedIn(routeId: string) {
  const file = Object.keys(modules).find((f) => routeIdOf(f) === routeId)!
  const source = fs.readFileSync(new URL(`../..${file}`, import.meta.url), 'utf8')
  const found = new Set<string>()
  for (const m of source.matchAll(/intent\s*===\s*'([^']+)'/g)) found.add(m[1]!)
  for (const m of source.matchAll(/name="intent"\s+value="([^"]+)"/g)) found.add(m[1]!)
  for (const m of source.matchAll(/name="intent"\s+value=\{([^}]*)\}/g)) {
    for (const q of m[1]!.matchAll(/'([^']+)'/g)) found.add(q[1]!)
  }
  if (/intent/.test(source)) for (const m of source.matchAll(/case '([^']+)':/g)) found.add(m[1]!)
  return found
}

// ---------------------------------------------------------------------------
// Helpers

/** A fingerprint of every table but sessions (signing in and reading a page may renew a session). */
async function snapshot() {
  const result = await db.execute(
    sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'sessions' order by table_name`,
  )
  const rowsOf = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, string>[]
  const tables = rowsOf(result).map((r) => r.name!)
  const query = tables
    .map((t) => `select '${t}' as name, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as digest from "${t}" x`)
    .join(' union all ')
  const digests = rowsOf(await db.execute(sql.raw(query)))
  return Object.fromEntries(digests.map((r) => [r.name!, r.digest!]))
}

const REFUSED = [403, 404]
const isLoginRedirect = (o: Outcome) => [302, 303].includes(o.status) && (o.headers.get('Location') ?? '').startsWith('/login')

/** A refusal shows nothing staff-only: no names, addresses or titles from the world. */
function expectNoLeak(outcome: Outcome) {
  const shown = JSON.stringify(outcome.data) + (outcome.headers.get('Location') ?? '')
  for (const secret of Object.values(SECRETS)) expect(shown).not.toContain(secret)
}

const describeRoute = (r: StaffRoute) => `${r.pattern} (${r.id})`

// ---------------------------------------------------------------------------

beforeAll(async () => {
  const vendor = await createOrganization({ name: 'Matrix Vendor', isVendor: true })
  const support = await createUser({ role: 'support', name: 'Sam Support', organizationId: vendor.id })
  const admin = await createUser({ role: 'admin', name: SECRETS.adminName, organizationId: vendor.id })
  const promote = await createUser({ role: 'support', name: 'Sid Promotable', organizationId: vendor.id })
  const customerOrganization = await createOrganization({ name: 'Matrix Customer Ltd', domains: ['matrix-customer.test'] })
  const customer = await createUser({ name: 'Cai Customer', organizationId: customerOrganization.id })
  const other = await createOrganization({ name: SECRETS.otherOrganization })
  const otherCustomer = await createUser({ name: 'Dee Hidden', email: SECRETS.otherEmail, organizationId: other.id })
  const inactive = await createUser({ name: 'Rae Inactive', organizationId: other.id, active: false })

  const product = await createProduct({ name: 'Matrix Relay', slug: 'matrix-relay', versions: ['1.0', '2.0', '3.0', '0.9'] })
  const [first, second, third, retired] = product.versions
  await db.update(productVersions).set({ retiredAt: new Date() }).where(eq(productVersions.id, retired!.id))

  const openProblem = await createPost({
    title: SECRETS.staffOnlyTitle,
    visibility: 'staff',
    authorId: otherCustomer.id,
    productId: product.id,
  })
  const assignedProblem = await createPost({ authorId: customer.id, productId: product.id, assignedToId: support.id })
  const planA = await createPost({ kind: 'migration', authorId: customer.id, productId: product.id, fromVersionId: first!.id, toVersionId: third!.id })
  const planB = await createPost({ kind: 'migration', authorId: otherCustomer.id, productId: product.id, fromVersionId: second!.id, toVersionId: third!.id })

  const invitation = await inviteUser(actorOf(admin), { organizationId: customerOrganization.id, email: SECRETS.inviteeEmail, role: 'customer' })
  if (!invitation.ok) throw new Error(invitation.message)
  const [email] = await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.toAddress, SECRETS.inviteeEmail))
  // Delivery failed, so an admin can send it again (the outbox page's one form).
  await db.update(outbox).set({ status: 'failed', attempts: 5 }).where(eq(outbox.id, email!.id))

  world = {
    customerId: customer.id,
    customerOrganizationId: customerOrganization.id,
    productSlug: product.slug,
    versionIds: { first: first!.id, second: second!.id, retired: retired!.id },
    openProblemId: openProblem.id,
    assignedProblemId: assignedProblem.id,
    migrationIds: [planA.id, planB.id],
    invitationId: invitation.value.id,
    outboxId: email!.id,
    promoteId: promote.id,
    deactivateId: otherCustomer.id,
    inactiveId: inactive.id,
  }
  cookies = {
    customer: await signedInCookie(customer.id),
    support: await signedInCookie(support.id),
    admin: await signedInCookie(admin.id),
  }
})

describe('the matrix itself', () => {
  it('finds the support console and the admin pages in app/routes', () => {
    const ids = STAFF_ROUTES.map((r) => r.id)
    expect(ids).toEqual(expect.arrayContaining(['support', 'support.queue', 'support.quiet', 'admin', 'admin.organizations.$id', 'admin.outbox.$id']))
    expect(STAFF_ROUTES.find((r) => r.id === 'support.quiet_.$organizationId')?.pattern).toBe('/support/quiet/:organizationId')
    expect(STAFF_ROUTES.find((r) => r.id === 'admin.products.$slug')?.pattern).toBe('/admin/products/:slug')
    expect(urlPatternOf('support._index')).toBe('/support')
    expect(urlPatternOf('feeds.solutions[.]atom')).toBe('/feeds/solutions.atom')
    // Pages outside the two areas are not part of it.
    expect(ids).not.toContain('posts.$id')
    expect(ids).not.toContain('introductions._index')
  })

  it('lists the forms of every staff route that has an action, and only those', () => {
    const withAction = STAFF_ROUTES.filter((r) => r.module.action).map((r) => r.id)
    expect(Object.keys(ACTION_CASES).sort()).toEqual(withAction.sort())
  })

  it.each(Object.keys(ACTION_CASES))('covers every intent %s handles', (routeId) => {
    const covered = new Set(ACTION_CASES[routeId]!.map((c) => c.fields(world).intent).filter(Boolean))
    for (const intent of intentsNamedIn(routeId)) expect(covered, `intent "${intent}" of ${routeId}`).toContain(intent)
  })

  it('knows a real value for every parameter, so staff see real pages', () => {
    for (const route of STAFF_ROUTES) {
      for (const name of paramNames(route.pattern)) {
        expect(paramValue(route.pattern, name), `add a value for :${name} of ${route.id} to paramValue()`).toBeDefined()
      }
    }
  })
})

describe.each(STAFF_ROUTES.filter((r) => r.module.loader))('GET $pattern ($id)', (route) => {
  const load = (cookie?: string) => {
    const { path, params } = addressOf(route)
    return get(route.module.loader!, path, { cookie, params })
  }

  it('refuses a customer with 403 or 404, shows no staff data and writes nothing', async () => {
    const before = await snapshot()
    const outcome = await load(cookies.customer)
    expect(REFUSED, `${describeRoute(route)} answered a customer with ${outcome.status}`).toContain(outcome.status)
    expectNoLeak(outcome)
    expect(await snapshot()).toEqual(before)
  })

  it('sends a signed-out visitor to sign in (or refuses)', async () => {
    const outcome = await load()
    expect(isLoginRedirect(outcome) || [401, ...REFUSED].includes(outcome.status), `status ${outcome.status}`).toBe(true)
    expectNoLeak(outcome)
  })

  if (route.role === 'admin') {
    it('refuses support with 403 or 404', async () => {
      const outcome = await load(cookies.support)
      expect(REFUSED).toContain(outcome.status)
      expectNoLeak(outcome)
    })
  }

  it(`shows the page to ${route.role} (the matrix is real)`, async () => {
    const outcome = await load(route.role === 'admin' ? cookies.admin : cookies.support)
    if ([301, 302, 303].includes(outcome.status)) {
      // An index that forwards to a page of its own area.
      expect(outcome.headers.get('Location') ?? '').toMatch(new RegExp(`^/${route.role}/`))
    } else {
      expect(outcome.status).toBe(200)
    }
  })
})

const ACTION_ROUTES = STAFF_ROUTES.filter((r) => r.module.action).flatMap((route) =>
  (ACTION_CASES[route.id] ?? []).concat({ name: 'an empty form', fields: () => ({}) }).map((c) => ({ route, c, label: `${route.pattern} ${c.name}` })),
)

describe.each(ACTION_ROUTES)('POST $label', ({ route, c }) => {
  const send = (cookie?: string) => {
    const { path, params } = addressOf(route)
    return postForm(route.module.action!, path, c.fields(world), { cookie, params })
  }

  it('refuses a customer with 403 or 404 and changes nothing', async () => {
    const before = await snapshot()
    const outcome = await send(cookies.customer)
    expect(REFUSED, `${describeRoute(route)} ${c.name} answered a customer with ${outcome.status}`).toContain(outcome.status)
    expectNoLeak(outcome)
    expect(await snapshot()).toEqual(before)
  })

  it('sends a signed-out visitor to sign in (or refuses) and changes nothing', async () => {
    const before = await snapshot()
    const outcome = await send()
    expect(isLoginRedirect(outcome) || [401, ...REFUSED].includes(outcome.status), `status ${outcome.status}`).toBe(true)
    expect(await snapshot()).toEqual(before)
  })

  if (route.role === 'admin') {
    it('refuses support with 403 or 404 and changes nothing', async () => {
      const before = await snapshot()
      const outcome = await send(cookies.support)
      expect(REFUSED).toContain(outcome.status)
      expectNoLeak(outcome)
      expect(await snapshot()).toEqual(before)
    })
  }
})

// Last, because they change the world: the very forms refused above work for staff.
describe.each(STAFF_ROUTES.filter((r) => r.module.action).flatMap((route) => (ACTION_CASES[route.id] ?? []).map((c) => ({ route, c, label: `${route.pattern} ${c.name}` }))))(
  'POST $label as staff',
  ({ route, c }) => {
    it(`works for ${route.role} (the refusals above are real)`, async () => {
      const { path, params } = addressOf(route)
      const before = await snapshot()
      const outcome = await postForm(route.module.action!, path, c.fields(world), {
        cookie: route.role === 'admin' ? cookies.admin : cookies.support,
        params,
      })
      expect([302, 303], JSON.stringify(outcome.data)).toContain(outcome.status)
      if (c.writes !== false) expect(await snapshot()).not.toEqual(before)
    })
  },
)
