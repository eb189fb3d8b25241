/**
 * The catalog against a real database: one test per failure branch with the
 * exact outcome and proof that nothing was written (rows and audit entries),
 * and the happy paths with the rows and audit entries they leave. The
 * database is shared by the tests of this file, so each test makes its own
 * products with unique names.
 */
import { and, count, eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, posts, postVersions, products, productVersions, type Role } from '~/db/schema'
import { type Actor } from '~/modules/accounts/accounts.server'
import { parseForm } from '~/utils/forms'
import { newId } from '~/utils/result'
import { actorOf, createProduct as insertProduct, createUser } from '#tests/factories'
import { ProductSchema, RenameSchema, RenameVersionSchema, slugify, VersionSchema } from './catalog.schema'
import {
  addVersion,
  createProduct,
  getProductBySlug,
  getVersionNames,
  listProductOptions,
  listProducts,
  renameProduct,
  renameVersion,
  restoreVersion,
  retireVersion,
} from './catalog.server'

const FORBIDDEN = { ok: false, reason: 'forbidden', message: 'Only administrators can manage products and versions.' }
const PRODUCT_NOT_FOUND = {
  ok: false,
  reason: 'not_found',
  message: 'That product does not exist. Go back to the list of products and choose it again.',
}
const VERSION_NOT_FOUND = {
  ok: false,
  reason: 'not_found',
  message: 'That version does not exist for this product. Reload the page and try again.',
}
const NAME_TAKEN = {
  ok: false,
  reason: 'name_taken',
  message: 'Another product already has this name. Choose a different name.',
  field: 'name',
}
const versionTaken = (existing: string) => ({
  ok: false,
  reason: 'version_taken',
  message: `This product already has a version called “${existing}”. Choose a different name.`,
  field: 'name',
})

let admin: Actor
const actors = {} as Record<Exclude<Role, 'admin'>, Actor>

beforeAll(async () => {
  admin = actorOf(await createUser({ role: 'admin', name: 'Ada Admin' }))
  actors.support = actorOf(await createUser({ role: 'support' }))
  actors.customer = actorOf(await createUser({ role: 'customer' }))
})

let sequence = 0
/** A product name and slug no other test uses. */
function unique(base = 'Relay Server') {
  const n = `${Date.now().toString(36)}${++sequence}`
  return { name: `${base} ${n}`, slug: slugify(`${base} ${n}`) }
}

async function makeProduct(versions: string[] = ['5.0', '5.1']) {
  return insertProduct({ ...unique(), description: 'Routes messages.', versions })
}

async function counts() {
  const [[p], [v], [a]] = await Promise.all([
    db.select({ n: count() }).from(products),
    db.select({ n: count() }).from(productVersions),
    db.select({ n: count() }).from(auditLog),
  ])
  return { products: p!.n, versions: v!.n, audit: a!.n }
}

async function auditFor(subjectId: string) {
  return db
    .select({ actorId: auditLog.actorId, action: auditLog.action, subjectType: auditLog.subjectType, details: auditLog.details })
    .from(auditLog)
    .where(eq(auditLog.subjectId, subjectId))
    .orderBy(auditLog.id)
}

async function versionRow(id: string) {
  const [row] = await db.select().from(productVersions).where(eq(productVersions.id, id))
  return row
}

async function productRow(id: string) {
  const [row] = await db.select().from(products).where(eq(products.id, id))
  return row
}

/** A post naming `versionIds`, written directly (the posts module is not under test here). */
async function insertPost(productId: string, versionIds: string[]) {
  const author = await createUser()
  const id = newId()
  await db.insert(posts).values({
    id,
    kind: 'problem',
    authorId: author.id,
    organizationId: author.organizationId,
    productId,
    title: 'Queue stalls after upgrade',
    body: 'It stalls.',
    state: 'open',
  })
  if (versionIds.length) await db.insert(postVersions).values(versionIds.map((versionId) => ({ postId: id, versionId })))
  return id
}

// -- forms ----------------------------------------------------------------------

describe('catalog forms', () => {
  it('derives the slug from the name when none is typed', () => {
    const form = parseForm({ name: '  Café Relay & Bridge 2 ', slug: '' }, ProductSchema)
    expect(form).toMatchObject({ ok: true, data: { name: 'Café Relay & Bridge 2', slug: 'cafe-relay-and-bridge-2', description: '' } })
  })

  it('lower-cases a typed slug and keeps it', () => {
    const form = parseForm({ name: 'Relay', slug: ' Relay-Core ' }, ProductSchema)
    expect(form).toMatchObject({ ok: true, data: { slug: 'relay-core' } })
  })

  it('refuses a short name, a bad slug and a long description, keeping what was typed', () => {
    const form = parseForm({ name: 'R', slug: 'relay server!', description: 'x'.repeat(501) }, ProductSchema)
    expect(form).toEqual({
      ok: false,
      errors: {
        name: ['The product’s name needs at least 2 characters.'],
        slug: ['This web address is not allowed. Use 2 to 60 lower-case letters, digits and dashes, such as relay-server.'],
        description: ['The description can be at most 500 characters.'],
      },
      values: { name: 'R', slug: 'relay server!', description: 'x'.repeat(501) },
    })
  })

  it('refuses a missing name and a name over 80 characters', () => {
    expect(parseForm({}, ProductSchema)).toMatchObject({ ok: false, errors: { name: ['Enter the product’s name.'] } })
    expect(parseForm({ name: 'n'.repeat(81) }, RenameSchema)).toMatchObject({
      ok: false,
      errors: { name: ['The product’s name can be at most 80 characters.'] },
    })
  })

  it('asks for a slug when none can be made from the name', () => {
    expect(parseForm({ name: '中继服务器' }, ProductSchema)).toMatchObject({
      ok: false,
      errors: {
        slug: [
          'We could not make a web address from this name. Enter a slug: use 2 to 60 lower-case letters, digits and dashes, such as relay-server.',
        ],
      },
    })
  })

  it('cuts a derived slug to 60 characters without a dangling dash', () => {
    const name = `${'a'.repeat(59)} b ${'c'.repeat(10)}`
    expect(slugify(name)).toBe('a'.repeat(59))
  })

  it('checks version names and release dates', () => {
    expect(parseForm({ name: ' 2025.2 ', releasedOn: '2025-03-31' }, VersionSchema)).toMatchObject({
      ok: true,
      data: { name: '2025.2', releasedOn: '2025-03-31' },
    })
    expect(parseForm({ name: '5.1', releasedOn: '' }, VersionSchema)).toMatchObject({ ok: true, data: { releasedOn: null } })
    expect(parseForm({ name: '', releasedOn: '2025-02-30' }, VersionSchema)).toEqual({
      ok: false,
      errors: {
        name: ['Enter the version name.'],
        releasedOn: ['Enter the release date as YYYY-MM-DD, such as 2025-03-31, or leave it empty.'],
      },
      values: { name: '', releasedOn: '2025-02-30' },
    })
    expect(parseForm({ name: 'v'.repeat(41) }, VersionSchema)).toMatchObject({
      ok: false,
      errors: { name: ['The version name can be at most 40 characters.'] },
    })
    expect(parseForm({ name: '5.2' }, RenameVersionSchema)).toMatchObject({ ok: false, errors: { versionId: ['Choose a version.'] } })
  })
})

// -- createProduct ---------------------------------------------------------------

describe('createProduct', () => {
  it.each(['customer', 'support'] as const)('is forbidden for %s, writing nothing', async (role) => {
    const before = await counts()
    const result = await createProduct(actors[role], { ...unique(), description: '' })
    expect(result).toEqual(FORBIDDEN)
    expect(await counts()).toEqual(before)
  })

  it('refuses a name another product has, without regard to case', async () => {
    const existing = await makeProduct()
    const before = await counts()
    const result = await createProduct(admin, { name: existing.name.toUpperCase(), slug: unique().slug, description: '' })
    expect(result).toEqual(NAME_TAKEN)
    expect(await counts()).toEqual(before)
  })

  it('refuses a slug another product uses', async () => {
    const existing = await makeProduct()
    const before = await counts()
    const result = await createProduct(admin, { name: unique().name, slug: existing.slug, description: '' })
    expect(result).toEqual({
      ok: false,
      reason: 'slug_taken',
      message: `Another product already uses the web address “${existing.slug}”. Choose a different slug.`,
      field: 'slug',
    })
    expect(await counts()).toEqual(before)
  })

  it('lets only one of two simultaneous requests for the same slug through', async () => {
    const { slug } = unique()
    const results = await Promise.all([
      createProduct(admin, { name: unique().name, slug, description: '' }),
      createProduct(admin, { name: unique().name, slug, description: '' }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toMatchObject({ reason: 'slug_taken', field: 'slug' })
    expect(await db.select().from(products).where(eq(products.slug, slug))).toHaveLength(1)
  })

  it('lets only one of two simultaneous requests for the same name, in any case, through', async () => {
    const { name } = unique()
    const results = await Promise.all([
      createProduct(admin, { name, slug: unique().slug, description: '' }),
      createProduct(admin, { name: name.toUpperCase(), slug: unique().slug, description: '' }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toEqual(NAME_TAKEN)
  })

  it('creates the product with no versions and records who did it', async () => {
    const { name, slug } = unique()
    const result = await createProduct(admin, { name, slug, description: 'Routes messages between sites.' })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.slug).toBe(slug)
    expect(await productRow(result.value.id)).toMatchObject({ name, slug, description: 'Routes messages between sites.' })
    expect(await db.select().from(productVersions).where(eq(productVersions.productId, result.value.id))).toEqual([])
    expect(await auditFor(result.value.id)).toEqual([
      { actorId: admin.id, action: 'product.create', subjectType: 'product', details: { name, slug } },
    ])
  })
})

// -- renameProduct ---------------------------------------------------------------

describe('renameProduct', () => {
  it.each(['customer', 'support'] as const)('is forbidden for %s, writing nothing', async (role) => {
    const product = await makeProduct()
    const before = await counts()
    const result = await renameProduct(actors[role], product.id, { name: unique().name, description: '' })
    expect(result).toEqual(FORBIDDEN)
    expect(await productRow(product.id)).toMatchObject({ name: product.name, description: product.description })
    expect(await counts()).toEqual(before)
  })

  it('answers not_found for an unknown product', async () => {
    const before = await counts()
    expect(await renameProduct(admin, 'nope', { name: unique().name, description: '' })).toEqual(PRODUCT_NOT_FOUND)
    expect(await counts()).toEqual(before)
  })

  it('refuses the name of another product, without regard to case', async () => {
    const [product, other] = [await makeProduct(), await makeProduct()]
    const before = await counts()
    const result = await renameProduct(admin, product.id, { name: other.name.toLowerCase(), description: 'New text' })
    expect(result).toEqual(NAME_TAKEN)
    expect(await productRow(product.id)).toMatchObject({ name: product.name, description: product.description })
    expect(await counts()).toEqual(before)
  })

  it('changes name and description, keeps the slug, and records the change', async () => {
    const product = await makeProduct()
    const result = await renameProduct(admin, product.id, { name: product.name.toUpperCase(), description: 'Now with bridges.' })
    expect(result).toEqual({ ok: true, value: { id: product.id, slug: product.slug } })
    expect(await productRow(product.id)).toMatchObject({
      name: product.name.toUpperCase(),
      slug: product.slug,
      description: 'Now with bridges.',
    })
    expect(await auditFor(product.id)).toEqual([
      {
        actorId: admin.id,
        action: 'product.rename',
        subjectType: 'product',
        details: { from: product.name, to: product.name.toUpperCase(), descriptionChanged: true },
      },
    ])
  })
})

// -- addVersion ----------------------------------------------------------------------

describe('addVersion', () => {
  it.each(['customer', 'support'] as const)('is forbidden for %s, writing nothing', async (role) => {
    const product = await makeProduct()
    const before = await counts()
    expect(await addVersion(actors[role], product.id, { name: '6.0', releasedOn: null })).toEqual(FORBIDDEN)
    expect(await counts()).toEqual(before)
  })

  it('answers not_found for an unknown product', async () => {
    const before = await counts()
    expect(await addVersion(admin, 'nope', { name: '6.0', releasedOn: null })).toEqual(PRODUCT_NOT_FOUND)
    expect(await counts()).toEqual(before)
  })

  it('refuses a name the product already has, without regard to case', async () => {
    const product = await makeProduct(['5.1', '2025.2 LTS'])
    const before = await counts()
    expect(await addVersion(admin, product.id, { name: '2025.2 lts', releasedOn: null })).toEqual(versionTaken('2025.2 LTS'))
    expect(await addVersion(admin, product.id, { name: '5.1', releasedOn: null })).toEqual(versionTaken('5.1'))
    expect(await counts()).toEqual(before)
  })

  it('allows the same version name on another product', async () => {
    await makeProduct(['6.0'])
    const other = await makeProduct([])
    expect((await addVersion(admin, other.id, { name: '6.0', releasedOn: null })).ok).toBe(true)
  })

  it('adds the version last, with its release date, and records it', async () => {
    const product = await makeProduct(['5.0', '5.1'])
    const result = await addVersion(admin, product.id, { name: '4.9', releasedOn: '2025-06-30' })
    expect(result).toMatchObject({ ok: true, value: { sortOrder: 2 } })
    if (!result.ok) return
    expect(await versionRow(result.value.id)).toMatchObject({
      productId: product.id,
      name: '4.9',
      releasedOn: '2025-06-30',
      retiredAt: null,
      sortOrder: 2,
    })
    // Catalog order is by sortOrder, so "4.9" comes after "5.1" although it sorts first by name.
    expect((await getProductBySlug(product.slug))!.versions.map((v) => v.name)).toEqual(['5.0', '5.1', '4.9'])
    expect(await auditFor(result.value.id)).toEqual([
      {
        actorId: admin.id,
        action: 'product.version_add',
        subjectType: 'product_version',
        details: { productId: product.id, name: '4.9', releasedOn: '2025-06-30' },
      },
    ])
  })

  it('gives simultaneous additions their own places and refuses a simultaneous duplicate', async () => {
    const product = await makeProduct([])
    const results = await Promise.all([
      addVersion(admin, product.id, { name: '7.0', releasedOn: null }),
      addVersion(admin, product.id, { name: '7.1', releasedOn: null }),
      addVersion(admin, product.id, { name: '7.1', releasedOn: null }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(2)
    expect(results.find((r) => !r.ok)).toEqual(versionTaken('7.1'))
    const rows = await db.select().from(productVersions).where(eq(productVersions.productId, product.id))
    expect(rows.map((r) => r.sortOrder).sort()).toEqual([0, 1])
  })
})

// -- renameVersion ---------------------------------------------------------------

describe('renameVersion', () => {
  it.each(['customer', 'support'] as const)('is forbidden for %s, writing nothing', async (role) => {
    const product = await makeProduct(['5.0'])
    const before = await counts()
    expect(await renameVersion(actors[role], product.id, product.versions[0]!.id, { name: '5.0.1', releasedOn: null })).toEqual(FORBIDDEN)
    expect(await versionRow(product.versions[0]!.id)).toMatchObject({ name: '5.0' })
    expect(await counts()).toEqual(before)
  })

  it('answers not_found for an unknown product', async () => {
    const product = await makeProduct(['5.0'])
    expect(await renameVersion(admin, 'nope', product.versions[0]!.id, { name: '5.0.1', releasedOn: null })).toEqual(PRODUCT_NOT_FOUND)
    expect(await versionRow(product.versions[0]!.id)).toMatchObject({ name: '5.0' })
  })

  it('answers not_found for an unknown version, or one of another product', async () => {
    const [product, other] = [await makeProduct(['5.0']), await makeProduct(['9.0'])]
    const before = await counts()
    expect(await renameVersion(admin, product.id, 'nope', { name: '5.0.1', releasedOn: null })).toEqual(VERSION_NOT_FOUND)
    expect(await renameVersion(admin, product.id, other.versions[0]!.id, { name: '9.1', releasedOn: null })).toEqual(VERSION_NOT_FOUND)
    expect(await versionRow(other.versions[0]!.id)).toMatchObject({ name: '9.0' })
    expect(await counts()).toEqual(before)
  })

  it('refuses the name of another version of the product', async () => {
    const product = await makeProduct(['5.0', '5.1'])
    const before = await counts()
    expect(await renameVersion(admin, product.id, product.versions[0]!.id, { name: '5.1', releasedOn: null })).toEqual(versionTaken('5.1'))
    expect(await versionRow(product.versions[0]!.id)).toMatchObject({ name: '5.0' })
    expect(await counts()).toEqual(before)
  })

  it('renames the version in place, sets its release date, and records it', async () => {
    const product = await makeProduct(['5.0-rc', '5.1'])
    const version = product.versions[0]!
    const result = await renameVersion(admin, product.id, version.id, { name: '5.0-RC', releasedOn: '2024-11-05' })
    expect(result).toEqual({ ok: true, value: { id: version.id } })
    expect(await versionRow(version.id)).toMatchObject({ name: '5.0-RC', releasedOn: '2024-11-05', sortOrder: 0 })
    expect(await auditFor(version.id)).toEqual([
      {
        actorId: admin.id,
        action: 'product.version_rename',
        subjectType: 'product_version',
        details: { productId: product.id, from: '5.0-rc', to: '5.0-RC', releasedOn: '2024-11-05' },
      },
    ])
  })
})

// -- retireVersion / restoreVersion ---------------------------------------------------------

describe.each([
  ['retireVersion', retireVersion],
  ['restoreVersion', restoreVersion],
] as const)('%s', (_name, command) => {
  it.each(['customer', 'support'] as const)('is forbidden for %s, writing nothing', async (role) => {
    const product = await makeProduct(['5.0'])
    const before = await counts()
    expect(await command(actors[role], product.id, product.versions[0]!.id)).toEqual(FORBIDDEN)
    expect(await counts()).toEqual(before)
  })

  it('answers not_found for an unknown product or version', async () => {
    const [product, other] = [await makeProduct(['5.0']), await makeProduct(['9.0'])]
    const before = await counts()
    expect(await command(admin, 'nope', product.versions[0]!.id)).toEqual(PRODUCT_NOT_FOUND)
    expect(await command(admin, product.id, 'nope')).toEqual(VERSION_NOT_FOUND)
    expect(await command(admin, product.id, other.versions[0]!.id)).toEqual(VERSION_NOT_FOUND)
    expect(await counts()).toEqual(before)
  })
})

describe('retiring and restoring a version', () => {
  it('takes a retired version out of new-post choices but keeps it on existing posts', async () => {
    const product = await makeProduct(['5.0', '5.1'])
    const [old, current] = [product.versions[0]!, product.versions[1]!]
    await insertPost(product.id, [old.id])

    const result = await retireVersion(admin, product.id, old.id)
    expect(result).toEqual({ ok: true, value: { id: old.id, changed: true } })
    expect((await versionRow(old.id))!.retiredAt).toBeInstanceOf(Date)

    const option = (await listProductOptions()).find((p) => p.id === product.id)
    expect(option).toEqual({
      id: product.id,
      slug: product.slug,
      name: product.name,
      versions: [{ id: current.id, name: '5.1', retired: false }],
    })
    // Editing the post that names it: still selectable, flagged.
    const editing = (await listProductOptions({ keepVersionIds: [old.id] })).find((p) => p.id === product.id)
    expect(editing!.versions).toEqual([
      { id: old.id, name: '5.0', retired: true },
      { id: current.id, name: '5.1', retired: false },
    ])
    expect(await getVersionNames([old.id, 'unknown'])).toEqual([
      { id: old.id, productId: product.id, name: '5.0', retired: true },
    ])
    expect(await db.select().from(postVersions).where(eq(postVersions.versionId, old.id))).toHaveLength(1)
    expect(await auditFor(old.id)).toEqual([
      { actorId: admin.id, action: 'product.version_retire', subjectType: 'product_version', details: { productId: product.id, name: '5.0' } },
    ])
  })

  it('changes nothing when the version is already retired', async () => {
    const product = await makeProduct(['5.0'])
    const version = product.versions[0]!
    await retireVersion(admin, product.id, version.id)
    const retiredAt = (await versionRow(version.id))!.retiredAt
    const before = await counts()
    expect(await retireVersion(admin, product.id, version.id)).toEqual({ ok: true, value: { id: version.id, changed: false } })
    expect((await versionRow(version.id))!.retiredAt).toEqual(retiredAt)
    expect(await counts()).toEqual(before)
  })

  it('offers a restored version again and records it', async () => {
    const product = await makeProduct(['5.0'])
    const version = product.versions[0]!
    await retireVersion(admin, product.id, version.id)
    expect(await restoreVersion(admin, product.id, version.id)).toEqual({ ok: true, value: { id: version.id, changed: true } })
    expect((await versionRow(version.id))!.retiredAt).toBeNull()
    const option = (await listProductOptions()).find((p) => p.id === product.id)
    expect(option!.versions).toEqual([{ id: version.id, name: '5.0', retired: false }])
    expect((await auditFor(version.id)).map((e) => e.action)).toEqual(['product.version_retire', 'product.version_restore'])
    // Restoring again changes nothing.
    expect(await restoreVersion(admin, product.id, version.id)).toEqual({ ok: true, value: { id: version.id, changed: false } })
    expect(await auditFor(version.id)).toHaveLength(2)
  })
})

// -- queries ------------------------------------------------------------------------

describe('listProducts and getProductBySlug', () => {
  it('lists products by name with versions in catalog order, retired ones marked, and counts', async () => {
    const base = unique('Zeta')
    const b = await insertProduct({ name: `${base.name} B`, slug: `${base.slug}-b`, versions: [] })
    const a = await insertProduct({ name: `${base.name} A`, slug: `${base.slug}-a`, versions: [] })
    // Same sortOrder: the name decides.
    await db.insert(productVersions).values([
      { id: newId(), productId: a.id, name: '2.0', sortOrder: 1 },
      { id: newId(), productId: a.id, name: '1.1', sortOrder: 0 },
      { id: newId(), productId: a.id, name: '1.0', sortOrder: 0 },
    ])
    const [v10] = await db
      .select()
      .from(productVersions)
      .where(and(eq(productVersions.productId, a.id), eq(productVersions.name, '1.0')))
    await retireVersion(admin, a.id, v10!.id)
    await insertPost(a.id, [v10!.id])
    await insertPost(a.id, [])

    const all = (await listProducts()).filter((p) => p.slug.startsWith(base.slug))
    expect(all.map((p) => p.id)).toEqual([a.id, b.id])
    expect(all[0]).toMatchObject({ postCount: 2, activeVersionCount: 2, retiredVersionCount: 1 })
    expect(all[0]!.versions.map((v) => [v.name, v.retiredAt !== null, v.postCount])).toEqual([
      ['1.0', true, 1],
      ['1.1', false, 0],
      ['2.0', false, 0],
    ])
    expect(all[1]).toMatchObject({ postCount: 0, versions: [], activeVersionCount: 0, retiredVersionCount: 0 })

    const active = (await listProducts({ includeRetired: false })).find((p) => p.id === a.id)
    expect(active!.versions.map((v) => v.name)).toEqual(['1.1', '2.0'])
    expect(active!.retiredVersionCount).toBe(1)

    expect(await getProductBySlug(a.slug)).toEqual(all[0])
  })

  it('answers null for an unknown slug', async () => {
    expect(await getProductBySlug('no-such-product')).toBeNull()
    expect(await getProductBySlug('')).toBeNull()
  })

  it('answers an empty list for no version ids', async () => {
    expect(await getVersionNames([])).toEqual([])
  })
})
