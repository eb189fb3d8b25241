/**
 * The notifications page and the notification settings through their real
 * loaders and actions: opening marks read and redirects, only one's own
 * notifications can be touched, a GET changes nothing, bad input is a 400
 * that saves nothing.
 */
import { eq } from 'drizzle-orm'
import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { notificationPreferences, notifications } from '~/db/schema'
import { countUnread, getPreferences, NOTIFICATION_EVENT_KEYS } from '~/modules/notifications/notifications.server'
import * as notificationsRoute from '~/routes/notifications'
import * as settingsRoute from '~/routes/settings.notifications'
import { newId } from '~/utils/result'
import { createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from './request'

let serial = 0

async function insertNotification(userId: string, path = '/posts/p1#reply-2') {
  const id = newId()
  await db.insert(notifications).values({
    id,
    userId,
    event: 'reply',
    summary: 'Alice replied to “Gateway drops TLS sessions”',
    path,
    delivery: 'off',
    dedupeKey: `route-test-${Date.now()}-${++serial}`,
  })
  return id
}

async function readAtOf(id: string) {
  const [row] = await db.select({ readAt: notifications.readAt }).from(notifications).where(eq(notifications.id, id))
  return row!.readAt
}

describe('/notifications', () => {
  let owner: Awaited<ReturnType<typeof createUser>>
  let cookie: string
  beforeEach(async () => {
    owner = await createUser({ name: 'Olga Owner' })
    cookie = await signedInCookie(owner.id)
  })

  it('lists the person’s notifications without marking anything read', async () => {
    const id = await insertNotification(owner.id)
    const { status, data } = await get(notificationsRoute.loader, '/notifications', { cookie })
    expect(status).toBe(200)
    expect(data.unread).toBe(1)
    expect(data.notifications).toEqual([
      expect.objectContaining({ id, unread: true, summary: 'Alice replied to “Gateway drops TLS sessions”' }),
    ])
    expect(await readAtOf(id)).toBeNull()
  })

  it('sends signed-out visitors to sign in', async () => {
    const { status, headers } = await get(notificationsRoute.loader, '/notifications')
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/login?redirectTo=%2Fnotifications')
  })

  it('"open" marks the notification read and redirects to its path', async () => {
    const id = await insertNotification(owner.id, '/posts/p7#workaround-3')
    const { status, headers } = await postForm(notificationsRoute.action, '/notifications', { intent: 'open', id }, { cookie })
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/posts/p7#workaround-3')
    expect(await readAtOf(id)).toBeInstanceOf(Date)
    expect(await countUnread(owner.id)).toBe(0)
  })

  it('"open" on someone else’s notification is a 404 and changes nothing', async () => {
    const other = await createUser()
    const theirs = await insertNotification(other.id)
    const mine = await insertNotification(owner.id)
    const { status, data } = await postForm(notificationsRoute.action, '/notifications', { intent: 'open', id: theirs }, { cookie })
    expect(status).toBe(404)
    expect(data.text).toBe('We could not find that notification. It may have been removed.')
    expect(await readAtOf(theirs)).toBeNull()
    expect(await readAtOf(mine)).toBeNull()
  })

  it('"read" marks one read and comes back to the same page', async () => {
    const id = await insertNotification(owner.id)
    const other = await insertNotification(owner.id)
    const cursor = '2030-01-01T10:00:00.123456Z~n1'
    const { status, headers } = await postForm(notificationsRoute.action, `/notifications?after=${encodeURIComponent(cursor)}`, { intent: 'read', id }, { cookie })
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe(`/notifications?${new URLSearchParams({ after: cursor, notice: 'notification-read' })}`)
    expect(await readAtOf(id)).toBeInstanceOf(Date)
    expect(await readAtOf(other)).toBeNull()
  })

  it('"read" on someone else’s notification is a 404', async () => {
    const theirs = await insertNotification((await createUser()).id)
    const { status } = await postForm(notificationsRoute.action, '/notifications', { intent: 'read', id: theirs }, { cookie })
    expect(status).toBe(404)
    expect(await readAtOf(theirs)).toBeNull()
  })

  it('"read-all" marks only the person’s own notifications read', async () => {
    await insertNotification(owner.id)
    await insertNotification(owner.id)
    const other = await createUser()
    const theirs = await insertNotification(other.id)
    const { status, headers } = await postForm(notificationsRoute.action, '/notifications', { intent: 'read-all' }, { cookie })
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/notifications?notice=notifications-read')
    expect(await countUnread(owner.id)).toBe(0)
    expect(await readAtOf(theirs)).toBeNull()
  })

  it('an unknown intent or a missing id is a 400 that changes nothing', async () => {
    const id = await insertNotification(owner.id)
    const attempts: Record<string, string>[] = [{ intent: 'delete', id }, { intent: 'open' }, {}]
    for (const fields of attempts) {
      const { status, data } = await postForm(notificationsRoute.action, '/notifications', fields, { cookie })
      expect(status).toBe(400)
      expect(data.error).toBe('Choose a notification, or mark all of them read.')
    }
    expect(await readAtOf(id)).toBeNull()
  })
})

describe('/settings/notifications', () => {
  const allOff = () => Object.fromEntries(NOTIFICATION_EVENT_KEYS.map((event) => [event, 'off']))

  it('shows every event with its current delivery', async () => {
    const person = await createUser()
    const { status, data } = await get(settingsRoute.loader, '/settings/notifications', { cookie: await signedInCookie(person.id) })
    expect(status).toBe(200)
    expect(data.preferences).toEqual(await getPreferences(person.id))
    expect(data.digestHour).toBe(7)
  })

  it('saves the choices and redirects with a notice', async () => {
    const person = await createUser()
    const cookie = await signedInCookie(person.id)
    const { status, headers } = await postForm(
      settingsRoute.action,
      '/settings/notifications',
      { ...allOff(), reply: 'daily' },
      { cookie },
    )
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/settings/notifications?notice=notifications-saved')
    const prefs = Object.fromEntries((await getPreferences(person.id)).map((p) => [p.event, p.delivery]))
    expect(prefs).toEqual({ ...allOff(), reply: 'daily' })
  })

  it('a missing or unknown delivery is a 400 naming the event, keeping the choices, saving nothing', async () => {
    const person = await createUser()
    const cookie = await signedInCookie(person.id)
    const fields: Record<string, string> = { ...allOff(), reply: 'hourly' }
    delete fields.workaround
    const { status, data } = await postForm(settingsRoute.action, '/settings/notifications', fields, { cookie })
    expect(status).toBe(400)
    expect(data.errors).toEqual({
      reply: ['Choose how to hear about this: replies on posts you follow.'],
      workaround: ['Choose how to hear about this: new workarounds on problems you follow.'],
    })
    expect(data.values).toMatchObject({ reply: 'hourly', migration_status: 'off' })
    const rows = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, person.id))
    expect(rows).toEqual([])
  })
})
