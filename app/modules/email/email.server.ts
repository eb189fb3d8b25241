/**
 * Email, through a transactional outbox.
 *
 * A command that wants to tell someone something calls `queueEmail` with its
 * transaction: the message is stored in the `outbox` table in the same
 * commit as the change it reports, so there is never a mail about a change
 * that rolled back, nor a change whose mail was forgotten. After commit,
 * `kickMailer` delivers pending messages through SMTP when `SMTP_URL` is set.
 * Without SMTP the messages are kept in the outbox, where admins read them in
 * the app (and in development a line per message is printed).
 *
 * Each message has a `dedupeKey`: queueing the same key twice (a retried
 * request, a job that runs again) stores it once. Delivery claims a message
 * (pending → sending) before sending, so two processes never send the same
 * one; a claim older than ten minutes is considered abandoned and retried.
 */
import nodemailer, { type Transporter } from 'nodemailer'
import { and, count, desc, eq, inArray, lt, or } from 'drizzle-orm'
import { db, hasDatabase, type Executor } from '~/db/client.server'
import { outbox } from '~/db/schema'
import { env } from '~/utils/env.server'
import { newId } from '~/utils/result'
import { stripBidiControls } from '~/utils/text'
import { type RenderedEmail } from './render.server'

export type QueuedEmail = RenderedEmail & {
  to: string
  /** Same key, same message: queued once however often this runs. */
  dedupeKey: string
}

/** Stores a message in the outbox inside the caller's transaction. */
export async function queueEmail(tx: Executor, email: QueuedEmail) {
  await tx
    .insert(outbox)
    .values({
      id: newId(),
      dedupeKey: email.dedupeKey,
      toAddress: email.to,
      // Also for subjects not made by renderEmail (see app/utils/text.ts).
      subject: stripBidiControls(email.subject),
      text: email.text,
      html: email.html,
      status: 'pending',
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
}

const MAX_ATTEMPTS = 5
const CLAIM_TIMEOUT_MS = 10 * 60 * 1000

let transporter: Transporter | null | undefined

function getTransporter(): Transporter | null {
  if (transporter === undefined) {
    const url = env().SMTP_URL
    transporter = url ? nodemailer.createTransport(url) : null
  }
  return transporter
}

/**
 * Delivers (or, without SMTP, keeps) every pending message. Safe to run in
 * several processes at once. Returns how many messages it handled.
 */
export async function deliverPendingEmails(): Promise<number> {
  const transport = getTransporter()
  const staleClaim = new Date(Date.now() - CLAIM_TIMEOUT_MS)
  const candidates = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      or(
        eq(outbox.status, 'pending'),
        and(eq(outbox.status, 'sending'), lt(outbox.claimedAt, staleClaim)),
      ),
    )
    .orderBy(outbox.createdAt)
    .limit(50)
  let handled = 0
  for (const { id } of candidates) {
    if (!transport) {
      const [kept] = await db
        .update(outbox)
        .set({ status: 'kept' })
        .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')))
        .returning({ to: outbox.toAddress, subject: outbox.subject })
      if (kept && env().NODE_ENV === 'development') {
        console.info(`[mail] kept in outbox for ${kept.to}: ${kept.subject} (read it at /admin/outbox/${id})`)
      }
      if (kept) handled++
      continue
    }
    // Claim: only one process moves a message from pending to sending.
    const [message] = await db
      .update(outbox)
      .set({ status: 'sending', claimedAt: new Date() })
      .where(
        and(
          eq(outbox.id, id),
          or(
            eq(outbox.status, 'pending'),
            and(eq(outbox.status, 'sending'), lt(outbox.claimedAt, staleClaim)),
          ),
        ),
      )
      .returning()
    if (!message) continue
    try {
      await transport.sendMail({
        from: env().MAIL_FROM,
        to: message.toAddress,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Switchboard-Message': message.id },
      })
      await db
        .update(outbox)
        .set({ status: 'sent', sentAt: new Date(), attempts: message.attempts + 1, lastError: null })
        .where(eq(outbox.id, id))
      handled++
    } catch (error) {
      const attempts = message.attempts + 1
      await db
        .update(outbox)
        .set({
          status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
          attempts,
          lastError: String(error instanceof Error ? error.message : error).slice(0, 500),
        })
        .where(eq(outbox.id, id))
      console.error(`[mail] sending ${id} to ${message.toAddress} failed (attempt ${attempts}):`, error)
    }
  }
  return handled
}

let running: Promise<unknown> | null = null
let again = false

/** Asks for pending mail to be delivered soon; call after a commit that queued some. */
export function kickMailer() {
  if (!hasDatabase()) return
  if (running) {
    again = true
    return
  }
  running = deliverPendingEmails()
    .catch((error) => console.error('[mail] delivery failed:', error))
    .finally(() => {
      running = null
      if (again) {
        again = false
        kickMailer()
      }
    })
}

let timer: NodeJS.Timeout | undefined

/** Delivers pending mail now and every `intervalMs` (retries and other processes' mail). */
export function startMailer(intervalMs = 30_000) {
  kickMailer()
  timer ??= setInterval(kickMailer, intervalMs)
  timer.unref()
}

export function stopMailer() {
  if (timer) clearInterval(timer)
  timer = undefined
}

// -- reading the outbox (admins) ----------------------------------------------

const PAGE_SIZE = 25

/** A page of outbox messages, newest first. Admins only: callers check the role. */
export async function listOutbox({ page = 1, to }: { page?: number; to?: string } = {}) {
  const where = to ? eq(outbox.toAddress, to.toLowerCase()) : undefined
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: outbox.id,
        toAddress: outbox.toAddress,
        subject: outbox.subject,
        status: outbox.status,
        createdAt: outbox.createdAt,
        sentAt: outbox.sentAt,
        attempts: outbox.attempts,
      })
      .from(outbox)
      .where(where)
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE),
    db.select({ value: count() }).from(outbox).where(where),
  ])
  return { rows, total: total?.value ?? 0, page, pageSize: PAGE_SIZE }
}

/** One outbox message with its text and HTML parts. */
export async function getOutboxMessage(id: string) {
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id)).limit(1)
  return row ?? null
}

/** Puts failed messages back in line (admin action). */
export async function retryFailedEmails(ids: string[]) {
  if (!ids.length) return
  await db
    .update(outbox)
    .set({ status: 'pending', attempts: 0 })
    .where(and(inArray(outbox.id, ids), eq(outbox.status, 'failed')))
  kickMailer()
}
