/**
 * The demo world: a fictional vendor, its products, three customer
 * organizations and one account per role. Seeded on the first start on the
 * embedded database (or with SEED_DEMO=1), never on an existing world.
 * Later features extend it; it is built with the test factories.
 */
import { count } from 'drizzle-orm'
import { createOrganization, createProduct, createUser } from '#tests/factories'
import { db } from './client.server'
import { users } from './schema'

export const DEMO_ACCOUNTS = [
  { email: 'admin@vendor.test', name: 'Ada Admin', role: 'admin', org: 'vendor' },
  { email: 'support@vendor.test', name: 'Sam Support', role: 'support', org: 'vendor' },
  { email: 'alice@customer-a.test', name: 'Alice Andersen', role: 'customer', org: 'a' },
  { email: 'bob@customer-b.test', name: 'Bob Brennan', role: 'customer', org: 'b' },
  { email: 'carol@customer-c.test', name: 'Carol Castillo', role: 'customer', org: 'c' },
] as const

const PRODUCTS = [
  {
    slug: 'relay-gateway',
    name: 'Relay Gateway',
    description: 'The API gateway that routes, authenticates and rate-limits traffic.',
    versions: ['4.2', '4.3', '5.0', '5.1'],
  },
  {
    slug: 'relay-sync',
    name: 'Relay Sync',
    description: 'Replication between on-premises databases and the cloud.',
    versions: ['2.7', '2.8', '3.0'],
  },
  {
    slug: 'relay-insight',
    name: 'Relay Insight',
    description: 'Dashboards and alerting over gateway and sync metrics.',
    versions: ['11.0', '11.1', '12.0'],
  },
]

/**
 * Seeds the demo world if the database has no users yet. Returns the demo
 * accounts when it seeded, null when the world already existed.
 */
export async function seedDemoIfEmpty({ password }: { password: string }) {
  const [row] = await db.select({ value: count() }).from(users)
  if ((row?.value ?? 0) > 0) return null
  await db.transaction(async (tx) => {
    const orgs = {
      vendor: await createOrganization({ name: 'Northwind Relay', isVendor: true }, tx),
      a: await createOrganization({ name: 'Acme Freight', domains: ['customer-a.test'] }, tx),
      b: await createOrganization({ name: 'Birchwood Health', domains: ['customer-b.test'] }, tx),
      c: await createOrganization({ name: 'Cobalt Savings Bank', domains: ['customer-c.test'] }, tx),
    }
    for (const account of DEMO_ACCOUNTS) {
      await createUser(
        { email: account.email, name: account.name, role: account.role, organizationId: orgs[account.org].id, password },
        tx,
      )
    }
    for (const product of PRODUCTS) await createProduct(product, tx)
  })
  return DEMO_ACCOUNTS.map(({ email, role }) => ({ email, role }))
}
