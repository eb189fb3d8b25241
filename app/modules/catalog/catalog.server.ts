/**
 * The catalog: the vendor's products and their versions. Admins add and
 * rename products, add and rename versions, and retire versions that are no
 * longer offered for new posts. Nothing is ever deleted: posts refer to
 * products and versions, so a retired version stays on the posts that name it.
 *
 * Commands check the actor, then write in one transaction with the audit
 * entry. Uniqueness that the database cannot express alone (product names and
 * version names compared without regard to case) is checked under a lock so
 * two admins cannot both pass the check; the unique indexes on the slug and
 * on (product, version name) back this up, and their violations come back as
 * the same named failures.
 */
import { and, asc, count, eq, inArray, isNotNull, isNull, max, ne, or, sql } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { posts, postVersions, products, productVersions } from '~/db/schema'
import { type Actor, isAdmin } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { fail, newId, ok } from '~/utils/result'
import { type ProductInput, type RenameInput, type VersionInput } from './catalog.schema'
import { isUniqueViolation } from '~/utils/db-errors.server'

export const CATALOG_MESSAGES = {
  forbidden: 'Only administrators can manage products and versions.',
  productNotFound: 'That product does not exist. Go back to the list of products and choose it again.',
  versionNotFound: 'That version does not exist for this product. Reload the page and try again.',
  productNameTaken: 'Another product already has this name. Choose a different name.',
  slugTaken: (slug: string) =>
    `Another product already uses the web address “${slug}”. Choose a different slug.`,
  /** `existing` is the stored name, which may differ from the typed one in capital letters only. */
  versionTaken: (existing: string) =>
    `This product already has a version called “${existing}”. Choose a different name.`,
} as const

/**
 * Key of the transaction-scoped advisory lock taken by commands that check
 * product names, so two admins creating "Relay" and "relay" at once are
 * handled one after the other (the table has no case-insensitive unique
 * index on names). Any constant works; this one spells "cata".
 */
const PRODUCT_NAMES_LOCK = 0x63617461

// -- helpers ------------------------------------------------------------------

/** Turns a unique-index violation from a race into the failure the check would have given. */
function raceFailure(error: unknown, slug?: string, versionName?: string) {
  if (slug !== undefined && isUniqueViolation(error, 'products_slug_key')) {
    return fail('slug_taken', CATALOG_MESSAGES.slugTaken(slug), 'slug')
  }
  if (versionName !== undefined && isUniqueViolation(error, 'product_versions_product_name_key')) {
    return fail('version_taken', CATALOG_MESSAGES.versionTaken(versionName), 'name')
  }
  return null
}

async function lockProductNames(tx: Executor) {
  await tx.execute(sql`select pg_advisory_xact_lock(${PRODUCT_NAMES_LOCK}::bigint)`)
}

/** Another product with this name, compared without regard to case. */
async function findProductNameClash(tx: Executor, name: string, exceptId: string | null) {
  const [clash] = await tx
    .select({ id: products.id })
    .from(products)
    .where(and(sql`lower(${products.name}) = lower(${name})`, exceptId ? ne(products.id, exceptId) : undefined))
    .limit(1)
  return Boolean(clash)
}

/**
 * Loads a product and locks its row until the transaction ends: version
 * commands on one product run one after the other, so the case-insensitive
 * name check and the next sort position cannot race.
 */
async function lockProduct(tx: Executor, productId: string) {
  const [product] = await tx
    .select({ id: products.id, name: products.name, slug: products.slug, description: products.description })
    .from(products)
    .where(eq(products.id, productId))
    .for('update')
  return product ?? null
}

/** The name of another version of the product with this name, compared without regard to case; null when free. */
async function findVersionNameClash(tx: Executor, productId: string, name: string, exceptId: string | null) {
  const [clash] = await tx
    .select({ name: productVersions.name })
    .from(productVersions)
    .where(
      and(
        eq(productVersions.productId, productId),
        sql`lower(${productVersions.name}) = lower(${name})`,
        exceptId ? ne(productVersions.id, exceptId) : undefined,
      ),
    )
    .limit(1)
  return clash?.name ?? null
}

async function findVersion(tx: Executor, productId: string, versionId: string) {
  const [version] = await tx
    .select()
    .from(productVersions)
    .where(and(eq(productVersions.id, versionId), eq(productVersions.productId, productId)))
  return version ?? null
}

const versionOrder = [asc(productVersions.sortOrder), asc(productVersions.name)] as const

// -- queries -------------------------------------------------------------------

export type CatalogVersion = {
  id: string
  name: string
  releasedOn: string | null
  retiredAt: Date | null
  sortOrder: number
  /** Posts that name this version (hidden and staff-only ones included). */
  postCount: number
}

export type CatalogProduct = {
  id: string
  slug: string
  name: string
  description: string
  createdAt: Date
  /** In catalog order: sortOrder, then name. */
  versions: CatalogVersion[]
  /** Versions offered for new posts. */
  activeVersionCount: number
  retiredVersionCount: number
  /** Posts about this product (hidden and staff-only ones included). */
  postCount: number
}

/** Products (by id, or all) with every version and the counts the admin pages show. */
async function loadCatalog(productIds: string[] | null, includeRetired: boolean): Promise<CatalogProduct[]> {
  if (productIds && !productIds.length) return []
  const productRows = await db
    .select()
    .from(products)
    .where(productIds ? inArray(products.id, productIds) : undefined)
    .orderBy(asc(products.name), asc(products.slug))
  if (!productRows.length) return []
  const ids = productRows.map((p) => p.id)
  const [versionRows, versionCounts, postCounts] = await Promise.all([
    db.select().from(productVersions).where(inArray(productVersions.productId, ids)).orderBy(...versionOrder),
    // Migrations list their from and to versions here too, so one table counts every reference.
    db
      .select({ versionId: postVersions.versionId, posts: count() })
      .from(postVersions)
      .innerJoin(productVersions, eq(productVersions.id, postVersions.versionId))
      .where(inArray(productVersions.productId, ids))
      .groupBy(postVersions.versionId),
    db
      .select({ productId: posts.productId, posts: count() })
      .from(posts)
      .where(inArray(posts.productId, ids))
      .groupBy(posts.productId),
  ])
  const postsPerVersion = new Map(versionCounts.map((r) => [r.versionId, r.posts]))
  const postsPerProduct = new Map(postCounts.map((r) => [r.productId, r.posts]))
  return productRows.map((p) => {
    const all = versionRows.filter((v) => v.productId === p.id)
    const retired = all.filter((v) => v.retiredAt).length
    return {
      id: p.id,
      slug: p.slug,
      name: p.name,
      description: p.description,
      createdAt: p.createdAt,
      versions: all
        .filter((v) => includeRetired || !v.retiredAt)
        .map((v) => ({
          id: v.id,
          name: v.name,
          releasedOn: v.releasedOn,
          retiredAt: v.retiredAt,
          sortOrder: v.sortOrder,
          postCount: postsPerVersion.get(v.id) ?? 0,
        })),
      activeVersionCount: all.length - retired,
      retiredVersionCount: retired,
      postCount: postsPerProduct.get(p.id) ?? 0,
    }
  })
}

/**
 * Every product by name, each with its versions in catalog order (sortOrder,
 * then name) and post counts. Retired versions are left out unless
 * `includeRetired` (default true: the admin list shows them, marked).
 * Counts include hidden and staff-only posts, so show them to staff only.
 */
export async function listProducts({ includeRetired = true }: { includeRetired?: boolean } = {}) {
  return loadCatalog(null, includeRetired)
}

/** One product with every version (retired ones included) and its counts; null when no product has this slug. */
export async function getProductBySlug(slug: string): Promise<CatalogProduct | null> {
  if (typeof slug !== 'string' || !slug || slug.length > 200) return null
  const [row] = await db.select({ id: products.id }).from(products).where(eq(products.slug, slug))
  if (!row) return null
  const [product] = await loadCatalog([row.id], true)
  return product ?? null
}

export type ProductOption = {
  id: string
  slug: string
  name: string
  versions: { id: string; name: string; retired: boolean }[]
}

/**
 * Products and versions to choose from in post forms: each product by name
 * with its versions that are not retired, in catalog order. A retired version
 * a post already names is not offered for new posts but must stay selectable
 * when that post is edited: pass its id in `keepVersionIds` and it is listed,
 * flagged `retired`. To display the versions a post names, see `getVersionNames`.
 */
export async function listProductOptions({ keepVersionIds = [] }: { keepVersionIds?: string[] } = {}): Promise<
  ProductOption[]
> {
  const keep = new Set(keepVersionIds)
  const [productRows, versionRows] = await Promise.all([
    db
      .select({ id: products.id, slug: products.slug, name: products.name })
      .from(products)
      .orderBy(asc(products.name), asc(products.slug)),
    db
      .select({
        id: productVersions.id,
        productId: productVersions.productId,
        name: productVersions.name,
        retiredAt: productVersions.retiredAt,
      })
      .from(productVersions)
      .where(
        keep.size
          ? or(isNull(productVersions.retiredAt), inArray(productVersions.id, [...keep]))
          : isNull(productVersions.retiredAt),
      )
      .orderBy(...versionOrder),
  ])
  return productRows.map((p) => ({
    ...p,
    versions: versionRows
      .filter((v) => v.productId === p.id)
      .map((v) => ({ id: v.id, name: v.name, retired: v.retiredAt !== null })),
  }))
}

/**
 * The versions with these ids, retired or not, in catalog order: what a post
 * that names them shows. Unknown ids are skipped.
 */
export async function getVersionNames(ids: string[]) {
  const unique = [...new Set(ids)].filter((id) => typeof id === 'string' && id.length > 0)
  if (!unique.length) return []
  const rows = await db
    .select({
      id: productVersions.id,
      productId: productVersions.productId,
      name: productVersions.name,
      retiredAt: productVersions.retiredAt,
    })
    .from(productVersions)
    .where(inArray(productVersions.id, unique))
    .orderBy(...versionOrder)
  return rows.map((v) => ({ id: v.id, productId: v.productId, name: v.name, retired: v.retiredAt !== null }))
}

// -- products --------------------------------------------------------------------

/**
 * Adds a product. Admins only. Fails with `name_taken` when another product
 * has the same name (without regard to case) and `slug_taken` when its web
 * address is in use. Returns the new product's id and slug.
 */
export async function createProduct(actor: Actor, input: ProductInput) {
  if (!isAdmin(actor)) return fail('forbidden', CATALOG_MESSAGES.forbidden)
  try {
    return await db.transaction(async (tx) => {
      await lockProductNames(tx)
      if (await findProductNameClash(tx, input.name, null)) {
        return fail('name_taken', CATALOG_MESSAGES.productNameTaken, 'name')
      }
      const [slugClash] = await tx.select({ id: products.id }).from(products).where(eq(products.slug, input.slug))
      if (slugClash) return fail('slug_taken', CATALOG_MESSAGES.slugTaken(input.slug), 'slug')
      const id = newId()
      await tx.insert(products).values({ id, name: input.name, slug: input.slug, description: input.description })
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'product.create',
        subjectType: 'product',
        subjectId: id,
        details: { name: input.name, slug: input.slug },
      })
      return ok({ id, slug: input.slug })
    })
  } catch (error) {
    const failure = raceFailure(error, input.slug)
    if (failure) return failure
    throw error
  }
}

/**
 * Changes a product's name and description. The slug stays, so links and
 * feeds keep working. Admins only. Fails with `not_found` or `name_taken`.
 */
export async function renameProduct(actor: Actor, productId: string, input: RenameInput) {
  if (!isAdmin(actor)) return fail('forbidden', CATALOG_MESSAGES.forbidden)
  return db.transaction(async (tx) => {
    await lockProductNames(tx)
    const product = await lockProduct(tx, productId)
    if (!product) return fail('not_found', CATALOG_MESSAGES.productNotFound)
    if (await findProductNameClash(tx, input.name, product.id)) {
      return fail('name_taken', CATALOG_MESSAGES.productNameTaken, 'name')
    }
    await tx.update(products).set({ name: input.name, description: input.description }).where(eq(products.id, product.id))
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'product.rename',
      subjectType: 'product',
      subjectId: product.id,
      details: { from: product.name, to: input.name, descriptionChanged: product.description !== input.description },
    })
    return ok({ id: product.id, slug: product.slug })
  })
}

// -- versions --------------------------------------------------------------------

/**
 * Adds a version to a product, sorted after its existing versions. Admins
 * only. Fails with `not_found` (no such product) or `version_taken` (the
 * product has a version of that name, without regard to case).
 */
export async function addVersion(actor: Actor, productId: string, input: VersionInput) {
  if (!isAdmin(actor)) return fail('forbidden', CATALOG_MESSAGES.forbidden)
  try {
    return await db.transaction(async (tx) => {
      const product = await lockProduct(tx, productId)
      if (!product) return fail('not_found', CATALOG_MESSAGES.productNotFound)
      const clash = await findVersionNameClash(tx, product.id, input.name, null)
      if (clash !== null) return fail('version_taken', CATALOG_MESSAGES.versionTaken(clash), 'name')
      const [last] = await tx
        .select({ value: max(productVersions.sortOrder) })
        .from(productVersions)
        .where(eq(productVersions.productId, product.id))
      const id = newId()
      const sortOrder = (last?.value ?? -1) + 1
      await tx.insert(productVersions).values({
        id,
        productId: product.id,
        name: input.name,
        releasedOn: input.releasedOn,
        sortOrder,
      })
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'product.version_add',
        subjectType: 'product_version',
        subjectId: id,
        details: { productId: product.id, name: input.name, releasedOn: input.releasedOn },
      })
      return ok({ id, sortOrder })
    })
  } catch (error) {
    const failure = raceFailure(error, undefined, input.name)
    if (failure) return failure
    throw error
  }
}

/**
 * Renames a version of a product and sets its release date. Posts that name
 * it show the new name. Admins only. Fails with `not_found` (no such product,
 * or the version is not one of its) or `version_taken`.
 */
export async function renameVersion(actor: Actor, productId: string, versionId: string, input: VersionInput) {
  if (!isAdmin(actor)) return fail('forbidden', CATALOG_MESSAGES.forbidden)
  try {
    return await db.transaction(async (tx) => {
      const product = await lockProduct(tx, productId)
      if (!product) return fail('not_found', CATALOG_MESSAGES.productNotFound)
      const version = await findVersion(tx, product.id, versionId)
      if (!version) return fail('not_found', CATALOG_MESSAGES.versionNotFound)
      const clash = await findVersionNameClash(tx, product.id, input.name, version.id)
      if (clash !== null) return fail('version_taken', CATALOG_MESSAGES.versionTaken(clash), 'name')
      await tx
        .update(productVersions)
        .set({ name: input.name, releasedOn: input.releasedOn })
        .where(eq(productVersions.id, version.id))
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'product.version_rename',
        subjectType: 'product_version',
        subjectId: version.id,
        details: {
          productId: product.id,
          from: version.name,
          to: input.name,
          releasedOn: input.releasedOn,
        },
      })
      return ok({ id: version.id })
    })
  } catch (error) {
    const failure = raceFailure(error, undefined, input.name)
    if (failure) return failure
    throw error
  }
}

/** Sets or clears `retiredAt`; a version already in the wanted state is left alone (`changed: false`, no audit entry). */
async function setRetired(actor: Actor, productId: string, versionId: string, retire: boolean) {
  if (!isAdmin(actor)) return fail('forbidden', CATALOG_MESSAGES.forbidden)
  return db.transaction(async (tx) => {
    const version = await findVersion(tx, productId, versionId)
    if (!version) {
      const [product] = await tx.select({ id: products.id }).from(products).where(eq(products.id, productId))
      return fail('not_found', product ? CATALOG_MESSAGES.versionNotFound : CATALOG_MESSAGES.productNotFound)
    }
    // The state check is in the update itself, so a double submit records one change.
    const [changed] = await tx
      .update(productVersions)
      .set({ retiredAt: retire ? new Date() : null })
      .where(
        and(
          eq(productVersions.id, version.id),
          retire ? isNull(productVersions.retiredAt) : isNotNull(productVersions.retiredAt),
        ),
      )
      .returning({ id: productVersions.id })
    if (!changed) return ok({ id: version.id, changed: false })
    await recordAudit(tx, {
      actorId: actor.id,
      action: retire ? 'product.version_retire' : 'product.version_restore',
      subjectType: 'product_version',
      subjectId: version.id,
      details: { productId, name: version.name },
    })
    return ok({ id: version.id, changed: true })
  })
}

/**
 * Retires a version: it is no longer offered for new posts, and stays on the
 * posts that already name it. Admins only. Fails with `not_found`. Retiring a
 * retired version changes nothing (`changed: false`).
 */
export async function retireVersion(actor: Actor, productId: string, versionId: string) {
  return setRetired(actor, productId, versionId, true)
}

/**
 * Offers a retired version for new posts again. Admins only. Fails with
 * `not_found`. Restoring a version that is not retired changes nothing
 * (`changed: false`).
 */
export async function restoreVersion(actor: Actor, productId: string, versionId: string) {
  return setRetired(actor, productId, versionId, false)
}
