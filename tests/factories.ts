/**
 * Factories for tests and the demo seed: they insert rows directly, with
 * realistic defaults and unique values, so each test states only what it
 * cares about. The demo world (app/db/seed.ts) is built from these too.
 */
import { db, type Executor } from '~/db/client.server'
import { organizationDomains, organizations, products, productVersions, users, type Role } from '~/db/schema'
import { hashPassword } from '~/modules/auth/password.server'
import { newId } from '~/utils/result'

export const TEST_PASSWORD = 'correct horse battery staple'

let sequence = 0
const next = () => `${Date.now().toString(36)}${(++sequence).toString(36)}`

const hashes = new Map<string, Promise<string>>()
/** argon2 is slow on purpose; hash each distinct password once per process. */
function cachedHash(password: string) {
  let hash = hashes.get(password)
  if (!hash) {
    hash = hashPassword(password)
    hashes.set(password, hash)
  }
  return hash
}

export async function createOrganization(
  values: { name?: string; domains?: string[]; isVendor?: boolean } = {},
  executor: Executor = db,
) {
  const id = newId()
  const [organization] = await executor
    .insert(organizations)
    .values({ id, name: values.name ?? `Organization ${next()}`, isVendor: values.isVendor ?? false })
    .returning()
  if (values.domains?.length) {
    await executor.insert(organizationDomains).values(values.domains.map((domain) => ({ domain, organizationId: id })))
  }
  return organization!
}

export async function createUser(
  values: {
    email?: string
    name?: string
    role?: Role
    organizationId?: string
    password?: string
    active?: boolean
  } = {},
  executor: Executor = db,
) {
  const role = values.role ?? 'customer'
  const organizationId =
    values.organizationId ?? (await createOrganization({ isVendor: role !== 'customer' }, executor)).id
  const password = values.password ?? TEST_PASSWORD
  const [user] = await executor
    .insert(users)
    .values({
      id: newId(),
      organizationId,
      email: (values.email ?? `person-${next()}@example.test`).toLowerCase(),
      name: values.name ?? 'Test Person',
      role,
      active: values.active ?? true,
      passwordHash: await cachedHash(password),
    })
    .returning()
  return { ...user!, password }
}

export async function createProduct(
  values: { name: string; slug: string; description?: string; versions: string[] },
  executor: Executor = db,
) {
  const id = newId()
  const [product] = await executor
    .insert(products)
    .values({ id, name: values.name, slug: values.slug, description: values.description ?? '' })
    .returning()
  const versions = values.versions.length
    ? await executor
        .insert(productVersions)
        .values(values.versions.map((name, index) => ({ id: newId(), productId: id, name, sortOrder: index })))
        .returning()
    : []
  return { ...product!, versions }
}

/** The acting-user shape commands expect, from a created user. */
export function actorOf(user: { id: string; role: Role; organizationId: string; name: string; email: string }) {
  return { id: user.id, role: user.role, organizationId: user.organizationId, name: user.name, email: user.email }
}
