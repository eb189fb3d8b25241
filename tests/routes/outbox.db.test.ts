/**
 * The admin outbox never hands an admin someone else's sign-in link: the
 * token of reset, sign-up, invitation and email-change links is masked in
 * the list and the message page, except in the admin's own emails and while
 * the hub runs its demo world.
 */
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { outbox } from '~/db/schema'
import { requestPasswordReset } from '~/modules/accounts/accounts.server'
import { isDemoHub, MASKED_TOKEN, maskLinkTokens } from '~/modules/email/outbox-view.server'
import * as messageRoute from '~/routes/admin.outbox.$id'
import * as listRoute from '~/routes/admin.outbox._index'
import { parseEnv } from '~/utils/env.server'
import { createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from './request'

async function resetEmailTo(email: string) {
  await requestPasswordReset(email)
  const [row] = await db.select().from(outbox).where(eq(outbox.toAddress, email)).orderBy(outbox.createdAt)
  const token = /\/reset-password\/([a-z2-7]{32})/.exec(row!.text)![1]!
  return { id: row!.id, token }
}

describe('the admin outbox', () => {
  it('masks the link token of a message to someone else, in the list and on its page', async () => {
    const admin = await createUser({ role: 'admin', email: 'outbox-admin@vendor.example' })
    const customer = await createUser({ email: 'victim@customer.example' })
    const { id, token } = await resetEmailTo(customer.email)
    const cookie = await signedInCookie(admin.id)

    const list = await get(listRoute.loader, '/admin/outbox', { cookie })
    expect(list.status).toBe(200)
    expect(JSON.stringify(list.data)).toContain('Reset your Switchboard password')
    expect(JSON.stringify(list.data)).not.toContain(token)

    const page = await get(messageRoute.loader, `/admin/outbox/${id}`, { cookie, params: { id } })
    expect(page.status).toBe(200)
    const message = page.data.message as { text: string; masked: boolean; toAddress: string }
    expect(message.toAddress).toBe(customer.email)
    expect(message.masked).toBe(true)
    expect(message.text).toContain(`http://switchboard.test/reset-password/${MASKED_TOKEN}`)
    expect(JSON.stringify(page.data)).not.toContain(token)
  })

  it("shows the admin's own link", async () => {
    const admin = await createUser({ role: 'admin', email: 'own-reset@vendor.example' })
    const { id, token } = await resetEmailTo(admin.email)
    const page = await get(messageRoute.loader, `/admin/outbox/${id}`, { cookie: await signedInCookie(admin.id), params: { id } })
    expect(page.status).toBe(200)
    expect((page.data.message as { text: string }).text).toContain(`/reset-password/${token}`)
  })

  it('puts a failed message back in line with "Send again", still masked', async () => {
    const admin = await createUser({ role: 'admin' })
    const customer = await createUser()
    const { id } = await resetEmailTo(customer.email)
    await db.update(outbox).set({ status: 'failed', attempts: 5 }).where(eq(outbox.id, id))
    const result = await postForm(messageRoute.action, `/admin/outbox/${id}`, {}, { cookie: await signedInCookie(admin.id), params: { id } })
    expect(result.status).toBe(302)
    const [row] = await db.select({ status: outbox.status, attempts: outbox.attempts }).from(outbox).where(eq(outbox.id, id))
    expect(row!.attempts).toBe(0)
    expect(['pending', 'sending', 'kept']).toContain(row!.status)
  })

  it('masks every emailed link token, whatever the route, and nothing else', () => {
    const t = 'abcdefghijklmnopqrstuvwxyz234567'
    const text = [
      `Accept: http://hub.example/invitations/${t}`,
      `Confirm: https://hub.example/signup/${t}.`,
      `New address: http://hub.example/email-change/${t}?x=1`,
      'Post: http://hub.example/posts/abcdefghijklmnop',
    ].join('\n')
    const masked = maskLinkTokens(text)
    expect(masked).not.toContain(t)
    expect(masked).toContain(`http://hub.example/invitations/${MASKED_TOKEN}`)
    expect(masked).toContain(`https://hub.example/signup/${MASKED_TOKEN}.`)
    expect(masked).toContain(`http://hub.example/email-change/${MASKED_TOKEN}?x=1`)
    expect(masked).toContain('http://hub.example/posts/abcdefghijklmnop')
  })

  // Last: it adds the demo world's admin to this file's database.
  it('shows every link while the hub runs its demo world, and only then', async () => {
    const admin = await createUser({ role: 'admin' })
    const customer = await createUser()
    const { id, token } = await resetEmailTo(customer.email)
    expect(await isDemoHub(parseEnv({ SEED_DEMO: '1' }))).toBe(false)
    await createUser({ role: 'admin', email: 'admin@vendor.test' })
    expect(await isDemoHub(parseEnv({ SEED_DEMO: '1' }))).toBe(true)
    expect(await isDemoHub(parseEnv({ SEED_DEMO: '0' }))).toBe(false)
    expect(await isDemoHub(parseEnv({ DATABASE_URL: 'postgres://db.example/hub' }))).toBe(false)
    const page = await get(messageRoute.loader, `/admin/outbox/${id}`, { cookie: await signedInCookie(admin.id), params: { id } })
    // The test environment leaves SEED_DEMO unset without DATABASE_URL: on, as with the embedded database.
    expect((page.data.message as { text: string }).text).toContain(`/reset-password/${token}`)
  })
})
