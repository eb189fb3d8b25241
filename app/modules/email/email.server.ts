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
 * request, a job that runs again) stores it once. Delivery claims messages
 * (pending → sending) with `FOR UPDATE SKIP LOCKED` before sending, so two
 * processes never send the same one; a claim older than ten minutes is
 * considered abandoned (its process died) and retried. Every process polls
 * (`startMailer`) and is kicked after its own commits.
 */
import nodemailer, { type Transporter } from 'nodemailer'
import { and, count, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import { db, hasDatabase, type Database, type Executor } from '~/db/client.server'
import { outbox } from '~/db/schema'
import { processLabel } from '~/modules/jobs/jobs.server'
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
/** Messages claimed per statement: a process that dies leaves at most this many for the claim timeout. */
const CLAIM_BATCH = 10
/** Claims per call: deliverPendingEmails handles at most CLAIM_BATCH × this many messages. */
const CLAIM_ROUNDS = 5
/** The wait after a failed attempt; doubled after each further failure. */
const RETRY_BASE_MS = 60 * 1000

/** What delivery needs of a transport (nodemailer's, or a test's). */
export type MailTransport = Pick<Transporter, 'sendMail'>

let transporter: MailTransport | null | undefined

function getTransporter(): MailTransport | null {
  if (transporter === undefined) {
    const url = env().SMTP_URL
    transporter = url ? nodemailer.createTransport(url) : null
  }
  return transporter
}

export type DeliveryOptions = {
  /** The database to deliver from (default: the process's). */
  database?: Database
  /** Who claims, in `outbox.claimed_by` (default: this process). */
  holder?: string
  /** The transport (default: SMTP_URL's; none keeps messages in the outbox). */
  transport?: MailTransport | null
}

/**
 * Claims up to CLAIM_BATCH due messages in one statement: pending ones whose
 * retry time has come, and ones claimed longer ago than the claim timeout
 * (their process died while sending). `FOR UPDATE SKIP LOCKED` makes two
 * processes claim different messages, never the same one.
 */
async function claimBatch(database: Database, holder: string, status: 'sending' | 'kept') {
  const due = database
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      or(
        and(eq(outbox.status, 'pending'), or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, sql`now()`))),
        and(eq(outbox.status, 'sending'), lt(outbox.claimedAt, sql`now() - make_interval(secs => ${CLAIM_TIMEOUT_MS / 1000})`)),
      ),
    )
    .orderBy(outbox.createdAt)
    .limit(CLAIM_BATCH)
    .for('update', { skipLocked: true })
  return database
    .update(outbox)
    .set({ status, claimedAt: sql`now()`, claimedBy: holder })
    .where(inArray(outbox.id, due))
    .returning()
}

/**
 * Delivers (or, without SMTP, keeps) pending messages, a batch at a time.
 * Safe to run in several processes at once: each message is claimed by one.
 * A failed send waits (1 min, 2, 4…) and is given up after five attempts.
 * Returns how many messages it handled; callers loop until 0 to drain.
 */
export async function deliverPendingEmails(options: DeliveryOptions = {}): Promise<number> {
  const { database = db, holder = processLabel() } = options
  const transport = options.transport === undefined ? getTransporter() : options.transport
  let handled = 0
  for (let round = 0; round < CLAIM_ROUNDS; round++) {
    if (!transport) {
      const kept = await claimBatch(database, holder, 'kept')
      if (env().NODE_ENV === 'development') {
        for (const m of kept) console.info(`[mail] kept in outbox for ${m.toAddress}: ${m.subject} (read it at /admin/outbox/${m.id})`)
      }
      handled += kept.length
      if (kept.length < CLAIM_BATCH) break
      continue
    }
    const claimed = await claimBatch(database, holder, 'sending')
    for (const message of claimed) {
      try {
        await transport.sendMail({
          from: env().MAIL_FROM,
          to: message.toAddress,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: { 'X-Switchboard-Message': message.id },
        })
        await database
          .update(outbox)
          .set({ status: 'sent', sentAt: new Date(), attempts: message.attempts + 1, lastError: null, nextAttemptAt: null })
          .where(eq(outbox.id, message.id))
        handled++
      } catch (error) {
        const attempts = message.attempts + 1
        const wait = RETRY_BASE_MS * 2 ** (attempts - 1)
        await database
          .update(outbox)
          .set({
            status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
            attempts,
            nextAttemptAt: sql`now() + make_interval(secs => ${wait / 1000})`,
            lastError: String(error instanceof Error ? error.message : error).slice(0, 500),
          })
          .where(eq(outbox.id, message.id))
        console.error(`[mail] sending ${message.id} to ${message.toAddress} failed (attempt ${attempts} of ${MAX_ATTEMPTS}):`, error)
      }
    }
    if (claimed.length < CLAIM_BATCH) break
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
    .set({ status: 'pending', attempts: 0, nextAttemptAt: null })
    .where(and(inArray(outbox.id, ids), eq(outbox.status, 'failed')))
  kickMailer()
}
