import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, users } from '~/db/schema'
import { actorOf, createOrganization, createUser } from '#tests/factories'
import { changeUserRole, MESSAGES } from './accounts.server'

const roleOf = async (id: string) => (await db.select({ role: users.role }).from(users).where(eq(users.id, id)))[0]!.role

describe('changeUserRole', () => {
  it('lets an admin make a vendor person support, and records it', async () => {
    const vendor = await createOrganization({ isVendor: true })
    const admin = await createUser({ role: 'admin', organizationId: vendor.id })
    const person = await createUser({ role: 'customer', organizationId: vendor.id })
    expect(await changeUserRole(actorOf(admin), person.id, 'support')).toEqual({ ok: true, value: undefined })
    expect(await roleOf(person.id)).toBe('support')
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.subjectId, person.id))
    expect(entry).toMatchObject({ action: 'user.role', actorId: admin.id, details: { from: 'customer', to: 'support' } })
  })

  it('refuses staff roles outside the vendor organization', async () => {
    const admin = await createUser({ role: 'admin' })
    const customer = await createUser({ role: 'customer' })
    expect(await changeUserRole(actorOf(admin), customer.id, 'admin')).toEqual({
      ok: false,
      reason: 'role_not_allowed',
      message: MESSAGES.staffRoleOutsideVendor,
      field: 'role',
    })
    expect(await roleOf(customer.id)).toBe('customer')
  })

  it('refuses non-admins and unknown people', async () => {
    const support = await createUser({ role: 'support' })
    const admin = await createUser({ role: 'admin' })
    expect(await changeUserRole(actorOf(support), support.id, 'admin')).toMatchObject({ ok: false, reason: 'forbidden' })
    expect(await roleOf(support.id)).toBe('support')
    expect(await changeUserRole(actorOf(admin), 'nobody', 'support')).toMatchObject({ ok: false, reason: 'not_found', message: MESSAGES.userNotFound })
  })
})
