/**
 * The audit log page: admins only, filtered by person, action and date.
 */
import { describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog } from '~/db/schema'
import * as auditRoute from '~/routes/admin.audit'
import { createUser } from '#tests/factories'
import { get, signedInCookie } from './request'

describe('/admin/audit', () => {
  it('refuses customers and support with 403', async () => {
    for (const role of ['customer', 'support'] as const) {
      const user = await createUser({ role })
      const result = await get(auditRoute.loader, '/admin/audit', { cookie: await signedInCookie(user.id) })
      expect(result.status).toBe(403)
    }
  })

  it('lists entries newest first, filtered by person, action and date', async () => {
    const admin = await createUser({ role: 'admin', email: `audit-admin-${Date.now()}@vendor.test` })
    const other = await createUser({ role: 'admin' })
    await db.insert(auditLog).values([
      { actorId: admin.id, action: 'post.hide', subjectType: 'post', subjectId: 'p1', at: new Date('2026-01-10T10:00:00Z') },
      { actorId: admin.id, action: 'user.deactivate', subjectType: 'user', subjectId: 'u1', at: new Date('2026-01-11T10:00:00Z') },
      { actorId: other.id, action: 'post.hide', subjectType: 'post', subjectId: 'p2', at: new Date('2026-01-12T10:00:00Z') },
    ])
    const cookie = await signedInCookie(admin.id)
    const all = await get(auditRoute.loader, '/admin/audit', { cookie })
    const rows = all.data.rows as { subjectId: string; action: string }[]
    expect(rows.slice(0, 3).map((r) => r.subjectId)).toEqual(['p2', 'u1', 'p1'])
    expect(all.data.actions).toEqual(expect.arrayContaining(['post.hide', 'user.deactivate']))

    const byPerson = await get(auditRoute.loader, `/admin/audit?person=${encodeURIComponent(admin.email.toUpperCase())}&action=post.hide`, { cookie })
    expect((byPerson.data.rows as { subjectId: string }[]).map((r) => r.subjectId)).toEqual(['p1'])

    const byDate = await get(auditRoute.loader, '/admin/audit?action=post.hide&from=2026-01-12&to=2026-01-12', { cookie })
    expect((byDate.data.rows as { subjectId: string }[]).map((r) => r.subjectId)).toEqual(['p2'])

    const malformed = await get(auditRoute.loader, '/admin/audit?from=not-a-date&page=-4&after=nonsense', { cookie })
    expect(malformed.status).toBe(200)
  })

  it('pages by keyset past the page size, with no repeat or gap, and lists each action once', async () => {
    const admin = await createUser({ role: 'admin' })
    const at = new Date('2025-05-05T05:05:05Z')
    // 60 entries of one action, all at the same moment: only the id orders them.
    await db.insert(auditLog).values(Array.from({ length: 60 }, (_, i) => ({ actorId: admin.id, action: 'bulk.same_time', subjectId: `s${i}`, at })))
    const cookie = await signedInCookie(admin.id)
    const first = await get(auditRoute.loader, '/admin/audit?action=bulk.same_time', { cookie })
    const firstRows = first.data.rows as { subjectId: string }[]
    expect(firstRows).toHaveLength(50)
    expect(first.data.older).toEqual(expect.any(String))
    const second = await get(auditRoute.loader, `/admin/audit?action=bulk.same_time&after=${encodeURIComponent(first.data.older as string)}`, { cookie })
    const secondRows = second.data.rows as { subjectId: string }[]
    expect(secondRows).toHaveLength(10)
    expect(second.data.older).toBeNull()
    const seen = [...firstRows, ...secondRows].map((r) => r.subjectId)
    expect(new Set(seen).size).toBe(60)
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => `s${59 - i}`))
    const actions = second.data.actions as string[]
    expect(actions.filter((a) => a === 'bulk.same_time')).toHaveLength(1)
    expect(actions).toEqual([...actions].sort())
  })
})
