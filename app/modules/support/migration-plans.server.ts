/**
 * The query behind the migration radar and the migration calendar: migration
 * plans with their product, the versions they move from and to, their
 * organization and their author, as flat rows. Each caller adds its own where
 * (including who may see what), order and limit.
 */
import { eq } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { db } from '~/db/client.server'
import { organizations, posts, products, productVersions, users } from '~/db/schema'

const fromVersion = alias(productVersions, 'from_version')
const toVersion = alias(productVersions, 'to_version')

/**
 * `select … from posts` joined with the plan's product, from and to versions,
 * organization and author. Inner joins: every migration plan has all of them.
 * It does not filter: the caller's where says which posts are plans and which
 * of them the reader may see.
 */
export function selectMigrationPlans() {
  return db
    .select({
      id: posts.id,
      title: posts.title,
      status: posts.migrationStatus,
      visibility: posts.visibility,
      windowStart: posts.windowStart,
      windowEnd: posts.windowEnd,
      createdAt: posts.createdAt,
      updatedAt: posts.updatedAt,
      productId: products.id,
      productName: products.name,
      productSlug: products.slug,
      fromId: fromVersion.id,
      fromName: fromVersion.name,
      toId: toVersion.id,
      toName: toVersion.name,
      toOrder: toVersion.sortOrder,
      organizationId: organizations.id,
      organizationName: organizations.name,
      authorId: users.id,
      authorName: users.name,
    })
    .from(posts)
    .innerJoin(products, eq(products.id, posts.productId))
    .innerJoin(fromVersion, eq(fromVersion.id, posts.fromVersionId))
    .innerJoin(toVersion, eq(toVersion.id, posts.toVersionId))
    .innerJoin(organizations, eq(organizations.id, posts.organizationId))
    .innerJoin(users, eq(users.id, posts.authorId))
}
