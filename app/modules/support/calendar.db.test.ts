/**
 * The migration calendar feed: secret addresses (only a hash kept, reset and
 * turned off at once, audited), who gets which plans, and the iCalendar
 * output read back with ical.js, a parser that follows RFC 5545 closely.
 * Then the feed route (no session; the same bare 404 for every unusable
 * address) and the settings page that makes the address.
 *
 * The database is shared by the tests of this file: each test makes its own
 * organizations and plans and looks for their ids in the feed.
 */
import { sha256 } from '@oslojs/crypto/sha2'
import { encodeHexLowerCase } from '@oslojs/encoding'
import { and, eq } from 'drizzle-orm'
import ICAL from 'ical.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { auditLog, calendarTokens, users } from '~/db/schema'
import { deactivateUser, reactivateUser } from '~/modules/accounts/accounts.server'
import * as feedRoute from '~/routes/calendar.$file'
import * as settingsRoute from '~/routes/settings.calendar'
import { actorOf, createOrganization, createPost, createProduct, createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from '#tests/routes/request'
import { calendarForToken, createOrResetCalendarToken, getCalendarTokenStatus, revokeCalendarToken } from './calendar.server'

type Person = Awaited<ReturnType<typeof createUser>>

/** The events of an iCalendar text, as ical.js reads them. */
function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics))
  return {
    calendar,
    events: calendar.getAllSubcomponents('vevent').map((component) => {
      const event = new ICAL.Event(component)
      return {
        uid: event.uid,
        summary: event.summary,
        description: event.description,
        start: event.startDate.toString(),
        end: event.endDate.toString(),
        allDay: event.startDate.isDate && event.endDate.isDate,
        url: String(component.getFirstPropertyValue('url')),
        status: String(component.getFirstPropertyValue('status')),
      }
    }),
  }
}

async function tokenFor(person: Person) {
  const result = await createOrResetCalendarToken(actorOf(person))
  if (!result.ok) throw new Error(result.message)
  return result.value
}

async function feed(token: string) {
  const ics = await calendarForToken(token)
  if (ics === null) throw new Error('no feed')
  return parse(ics)
}

const idOf = (uid: string) => /^migration-(.+)@switchboard\.test$/.exec(uid)?.[1]

let serial = 0
/** Two customer organizations with plans of every kind, and support. */
async function world() {
  const n = `${Date.now().toString(36)}x${++serial}`
  const support = await createUser({ role: 'support', name: `Sam Support ${n}` })
  const product = await createProduct({ name: `Relay ${n}`, slug: `relay-${n}`, versions: ['2.8', '3.0'] })
  const ours = await createOrganization({ name: `Ourco ${n}` })
  const theirs = await createOrganization({ name: `Theirco ${n}` })
  const alice = await createUser({ name: `Alice ${n}`, organizationId: ours.id })
  const colleague = await createUser({ name: `Colleague ${n}`, organizationId: ours.id })
  const bob = await createUser({ name: `Bob ${n}`, organizationId: theirs.id })
  const plan = (author: Person, values: Partial<Parameters<typeof createPost>[0]> = {}) =>
    createPost({ kind: 'migration', authorId: author.id, productId: product.id, windowStart: '2026-03-02', ...values })
  const plans = {
    range: await plan(alice, { windowStart: '2026-03-02', windowEnd: '2026-03-04' }),
    singleDay: await plan(colleague, { windowStart: '2026-03-10', migrationStatus: 'in_progress' }),
    rolledBack: await plan(alice, { windowStart: '2026-02-01', migrationStatus: 'rolled_back' }),
    staffOnly: await plan(alice, { visibility: 'staff' }),
    hidden: await plan(alice, { hiddenAt: new Date(), hiddenById: support.id, hiddenReason: 'duplicate' }),
    otherOrganization: await plan(bob),
  }
  return { n, support, product, ours, theirs, alice, colleague, bob, plans }
}
type World = Awaited<ReturnType<typeof world>>

let w: World
beforeAll(async () => {
  w = await world()
})

describe('calendar addresses', () => {
  it('makes a secret address and keeps only its SHA-256', async () => {
    const person = await createUser()
    const { token, url, replaced } = await tokenFor(person)
    expect(token).toMatch(/^[a-z2-7]{32}$/)
    expect(url).toBe(`http://switchboard.test/calendar/${token}.ics`)
    expect(replaced).toBe(false)
    const [row] = await db.select().from(calendarTokens).where(eq(calendarTokens.userId, person.id))
    expect(row!.tokenHash).toBe(encodeHexLowerCase(sha256(new TextEncoder().encode(token))))
    expect(JSON.stringify(row)).not.toContain(token)
    expect(await getCalendarTokenStatus(actorOf(person))).toEqual({ createdAt: row!.createdAt, lastUsedAt: null })
    const audit = await db.select().from(auditLog).where(and(eq(auditLog.actorId, person.id), eq(auditLog.action, 'calendar.token_create')))
    expect(audit).toHaveLength(1)
    expect(JSON.stringify(audit)).not.toContain(token)
  })

  it('resetting kills the old address at once and is audited', async () => {
    const old = await tokenFor(w.alice)
    expect(await calendarForToken(old.token)).not.toBeNull()
    const fresh = await tokenFor(w.alice)
    expect(fresh.replaced).toBe(true)
    expect(fresh.token).not.toBe(old.token)
    expect(await calendarForToken(old.token)).toBeNull()
    expect(await calendarForToken(fresh.token)).not.toBeNull()
    expect(await db.select().from(calendarTokens).where(eq(calendarTokens.userId, w.alice.id))).toHaveLength(1)
    expect(await db.select().from(auditLog).where(and(eq(auditLog.actorId, w.alice.id), eq(auditLog.action, 'calendar.token_reset')))).toHaveLength(1)
  })

  it('turning it off kills the address; doing it twice changes nothing', async () => {
    const person = await createUser()
    const { token } = await tokenFor(person)
    expect(await revokeCalendarToken(actorOf(person))).toEqual({ ok: true, value: { revoked: true } })
    expect(await calendarForToken(token)).toBeNull()
    expect(await getCalendarTokenStatus(actorOf(person))).toBeNull()
    expect(await revokeCalendarToken(actorOf(person))).toEqual({ ok: true, value: { revoked: false } })
    expect(await db.select().from(auditLog).where(and(eq(auditLog.actorId, person.id), eq(auditLog.action, 'calendar.token_revoke')))).toHaveLength(1)
  })

  it('a wrong address gets nothing, whatever it looks like', async () => {
    const { token } = await tokenFor(await createUser())
    const [row] = await db.select({ tokenHash: calendarTokens.tokenHash }).from(calendarTokens).limit(1)
    const flipped = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`
    for (const wrong of [flipped, 'a'.repeat(32), '', token.toUpperCase(), `${token}x`, row!.tokenHash, "' or 1=1 --"]) {
      expect(await calendarForToken(wrong)).toBeNull()
    }
  })

  it('a deactivated person’s address gets nothing', async () => {
    const person = await createUser()
    const { token } = await tokenFor(person)
    await db.update(users).set({ active: false }).where(eq(users.id, person.id))
    expect(await calendarForToken(token)).toBeNull()
  })

  it('deactivating a person kills their address for good: reactivating does not bring it back', async () => {
    const person = await createUser()
    const admin = actorOf(await createUser({ role: 'admin' }))
    const { token } = await tokenFor(person)
    expect(await deactivateUser(admin, person.id)).toMatchObject({ ok: true })
    expect(await reactivateUser(admin, person.id)).toMatchObject({ ok: true })
    expect(await calendarForToken(token)).toBeNull()
  })

  it('records when a calendar app last read it', async () => {
    const person = await createUser()
    const { token } = await tokenFor(person)
    const now = new Date('2026-05-01T10:00:00Z')
    await calendarForToken(token, { now })
    expect((await getCalendarTokenStatus(actorOf(person)))?.lastUsedAt).toEqual(now)
  })
})

describe('what each person’s calendar holds', () => {
  it('support: every organization’s plans, staff-only ones too, never hidden ones', async () => {
    const { events } = await feed((await tokenFor(w.support)).token)
    const ids = events.map((e) => idOf(e.uid))
    for (const plan of [w.plans.range, w.plans.singleDay, w.plans.rolledBack, w.plans.staffOnly, w.plans.otherOrganization]) {
      expect(ids).toContain(plan.id)
    }
    expect(ids).not.toContain(w.plans.hidden.id)
  })

  it('a customer: their organization’s community plans only', async () => {
    const { events, calendar } = await feed((await tokenFor(w.colleague)).token)
    expect(events.map((e) => idOf(e.uid)).sort()).toEqual([w.plans.range.id, w.plans.singleDay.id, w.plans.rolledBack.id].sort())
    expect(String(calendar.getFirstPropertyValue('x-wr-calname'))).toBe(`Switchboard: Ourco ${w.n} migrations`)
    const other = await feed((await tokenFor(w.bob)).token)
    expect(other.events.map((e) => idOf(e.uid))).toEqual([w.plans.otherOrganization.id])
  })

  it('each plan is an all-day event over its window, with a stable UID, a link and its status', async () => {
    const { token } = await tokenFor(w.alice)
    const first = await feed(token)
    const byId = new Map(first.events.map((e) => [idOf(e.uid), e]))
    expect(byId.get(w.plans.range.id)).toEqual({
      uid: `migration-${w.plans.range.id}@switchboard.test`,
      summary: `Ourco ${w.n}: Relay ${w.n} 2.8 → 3.0`,
      description: `Status: Planned\nPlanned by Alice ${w.n}, Ourco ${w.n}\nhttp://switchboard.test/posts/${w.plans.range.id}`,
      // DTEND is exclusive: a window of 2–4 March ends on the 5th.
      start: '2026-03-02',
      end: '2026-03-05',
      allDay: true,
      url: `http://switchboard.test/posts/${w.plans.range.id}`,
      status: 'TENTATIVE',
    })
    expect(byId.get(w.plans.singleDay.id)).toMatchObject({
      summary: `Ourco ${w.n}: Relay ${w.n} 2.8 → 3.0 (in progress)`,
      start: '2026-03-10',
      end: '2026-03-11',
      allDay: true,
      status: 'CONFIRMED',
    })
    expect(byId.get(w.plans.rolledBack.id)).toMatchObject({ status: 'CANCELLED', summary: expect.stringContaining('(rolled back)') })
    // The same events, with the same UIDs, on the next fetch and after a reset.
    const again = await feed((await tokenFor(w.alice)).token)
    expect(again.events).toEqual(first.events)
  })

  it('leaves out plans whose window ended more than a year ago', async () => {
    const person = await createUser({ organizationId: (await createOrganization()).id })
    const old = await createPost({ kind: 'migration', authorId: person.id, productId: w.product.id, windowStart: '2020-01-06' })
    const recent = await createPost({ kind: 'migration', authorId: person.id, productId: w.product.id, windowStart: new Date().toISOString().slice(0, 10) })
    const ids = (await feed((await tokenFor(person)).token)).events.map((e) => idOf(e.uid))
    expect(ids).toEqual([recent.id])
    expect(ids).not.toContain(old.id)
  })
})

describe('the feed route', () => {
  it('serves the calendar without a session', async () => {
    const { token } = await tokenFor(w.bob)
    const answer = await get(feedRoute.loader, `/calendar/${token}.ics`, { params: { file: `${token}.ics` } })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8')
    expect(answer.headers.get('Cache-Control')).toBe('private, no-cache')
    expect(parse(String(answer.data.text)).events.map((e) => idOf(e.uid))).toEqual([w.plans.otherOrganization.id])
  })

  it('answers a wrong, reset or extension-less address with the same bare 404', async () => {
    const old = await tokenFor(w.bob)
    const fresh = await tokenFor(w.bob)
    for (const file of ['abcdefghijklmnopqrstuvwxyz234567.ics', `${old.token}.ics`, fresh.token, `${fresh.token}.ics.ics`, 'x.ics']) {
      const answer = await get(feedRoute.loader, `/calendar/${file}`, { params: { file } })
      expect(answer.status).toBe(404)
      expect(answer.data.text).toBe('Not found')
      expect(answer.headers.get('Content-Type')).toBe('text/plain; charset=utf-8')
    }
  })
})

describe('the calendar settings page', () => {
  it('creates the address and shows it once, in the answer to the form only', async () => {
    const person = await createUser()
    const cookie = await signedInCookie(person.id)
    expect((await get(settingsRoute.loader, '/settings/calendar', { cookie })).data).toMatchObject({ status: null, staff: false })
    const created = await postForm(settingsRoute.action, '/settings/calendar', { intent: 'create' }, { cookie })
    expect(created.status).toBe(200)
    expect(created.headers.get('Cache-Control')).toBe('no-store')
    const url = String(created.data.url)
    expect(url).toMatch(/^http:\/\/switchboard\.test\/calendar\/[a-z2-7]{32}\.ics$/)
    const token = url.slice(url.lastIndexOf('/') + 1, -'.ics'.length)
    expect(await calendarForToken(token)).not.toBeNull()
    // The page itself never shows the address again.
    const page = await get(settingsRoute.loader, '/settings/calendar', { cookie })
    expect(page.data.status).not.toBeNull()
    expect(JSON.stringify(page.data)).not.toContain(token)
    // Reset: a new address, the old one dead.
    const reset = await postForm(settingsRoute.action, '/settings/calendar', { intent: 'reset' }, { cookie })
    expect(reset.data.replaced).toBe(true)
    expect(await calendarForToken(token)).toBeNull()
    // Off.
    const off = await postForm(settingsRoute.action, '/settings/calendar', { intent: 'revoke' }, { cookie })
    expect(off.status).toBe(302)
    expect(off.headers.get('Location')).toBe('/settings/calendar?notice=calendar-revoked')
    expect(await getCalendarTokenStatus(actorOf(person))).toBeNull()
  })

  it('answers a forged intent with a message and changes nothing', async () => {
    const person = await createUser()
    const cookie = await signedInCookie(person.id)
    const answer = await postForm(settingsRoute.action, '/settings/calendar', { intent: 'steal', userId: w.alice.id }, { cookie })
    expect(answer.status).toBe(400)
    expect(answer.data.errors).toEqual({ intent: ['Choose what to do with your calendar address.'] })
    expect(await getCalendarTokenStatus(actorOf(person))).toBeNull()
  })

  it('needs a session', async () => {
    const answer = await postForm(settingsRoute.action, '/settings/calendar', { intent: 'create' })
    expect(answer.status).toBe(302)
    expect(answer.headers.get('Location')).toMatch(/^\/login/)
  })
})
