/**
 * Outbox delivery with two deliverers standing for two app processes (on
 * PostgreSQL each on its own pool): every message is sent once, a failed
 * send waits before its retry, and a message whose sender died is sent
 * after the claim timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { eq, inArray, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { outbox } from '~/db/schema'
import { secondProcessDatabase } from '#tests/second-process'
import { deliverPendingEmails, queueEmail, type DeliveryOptions, type MailTransport } from './email.server'

let other: Awaited<ReturnType<typeof secondProcessDatabase>>
beforeAll(async () => {
  other = await secondProcessDatabase()
})
afterAll(async () => {
  await other.close()
})

let serial = 0
async function queue(count: number) {
  const keys: string[] = []
  await db.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const dedupeKey = `test:${Date.now().toString(36)}:${++serial}`
      keys.push(dedupeKey)
      await queueEmail(tx, { to: `person${serial}@example.test`, dedupeKey, subject: `Message ${serial}`, text: 'Hello', html: '<p>Hello</p>' })
    }
  })
  return db.select().from(outbox).where(inArray(outbox.dedupeKey, keys))
}

/** A transport that records what it sent, taking a moment per message as SMTP does. */
function recordingTransport(sent: string[]): MailTransport {
  return {
    sendMail: (async (mail: { headers: Record<string, string> }) => {
      await sleep(2)
      sent.push(mail.headers['X-Switchboard-Message']!)
      return {}
    }) as unknown as MailTransport['sendMail'],
  }
}

/** Delivers until nothing is left. */
async function drain(options: DeliveryOptions) {
  while ((await deliverPendingEmails(options)) > 0);
}

describe('outbox delivery across processes', () => {
  it('sends every message once when two processes deliver at the same time', async () => {
    const messages = await queue(35)
    const sentByA: string[] = []
    const sentByB: string[] = []
    await Promise.all([
      drain({ holder: 'process-a', transport: recordingTransport(sentByA) }),
      drain({ holder: 'process-b', transport: recordingTransport(sentByB), database: other.database }),
    ])
    const sent = [...sentByA, ...sentByB]
    expect(sent).toHaveLength(messages.length)
    expect(new Set(sent)).toEqual(new Set(messages.map((m) => m.id)))
    const rows = await db.select().from(outbox).where(inArray(outbox.id, sent))
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true)
    for (const row of rows) expect(row.claimedBy).toBe(sentByA.includes(row.id) ? 'process-a' : 'process-b')
  })

  it('keeps each message once without SMTP, whichever process gets it', async () => {
    const messages = await queue(12)
    const [a, b] = await Promise.all([
      deliverPendingEmails({ holder: 'process-a', transport: null }),
      deliverPendingEmails({ holder: 'process-b', transport: null, database: other.database }),
    ])
    expect(a + b).toBe(messages.length)
    const rows = await db.select().from(outbox).where(inArray(outbox.id, messages.map((m) => m.id)))
    expect(rows.every((r) => r.status === 'kept')).toBe(true)
  })

  it('waits before retrying a failed send, then sends it', async () => {
    const [message] = await queue(1)
    const failing: MailTransport = {
      sendMail: (async () => {
        throw new Error('421 try again later')
      }) as unknown as MailTransport['sendMail'],
    }
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      await deliverPendingEmails({ transport: failing })
      expect(error).toHaveBeenCalledTimes(1)
    } finally {
      error.mockRestore()
    }
    const [failed] = await db
      .select({ status: outbox.status, attempts: outbox.attempts, lastError: outbox.lastError, wait: sql<number>`extract(epoch from ${outbox.nextAttemptAt} - now())::float8` })
      .from(outbox)
      .where(eq(outbox.id, message!.id))
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastError: '421 try again later' })
    expect(Number(failed!.wait)).toBeGreaterThan(50) // about a minute

    const sent: string[] = []
    await deliverPendingEmails({ transport: recordingTransport(sent) })
    expect(sent).toEqual([]) // not yet
    await db.update(outbox).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(outbox.id, message!.id))
    await deliverPendingEmails({ transport: recordingTransport(sent) })
    expect(sent).toEqual([message!.id])
    expect((await db.select().from(outbox).where(eq(outbox.id, message!.id)))[0]).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('sends a message whose sender died after claiming it, once the claim timed out', async () => {
    const [message] = await queue(1)
    await db.update(outbox).set({ status: 'sending', claimedAt: sql`now()`, claimedBy: 'dead-process' }).where(eq(outbox.id, message!.id))
    const sent: string[] = []
    await deliverPendingEmails({ transport: recordingTransport(sent) })
    expect(sent).toEqual([])
    await db.update(outbox).set({ claimedAt: sql`now() - interval '11 minutes'` }).where(eq(outbox.id, message!.id))
    await deliverPendingEmails({ holder: 'process-b', transport: recordingTransport(sent), database: other.database })
    expect(sent).toEqual([message!.id])
    expect((await db.select().from(outbox).where(eq(outbox.id, message!.id)))[0]).toMatchObject({ status: 'sent', claimedBy: 'process-b' })
  })
})
