/**
 * The outbox as administrators read it (/admin/outbox).
 *
 * Without SMTP, emails stay in the outbox, and some carry a credential: the
 * single-use links of password resets, sign-up confirmations, invitations
 * and email changes. Shown as they are, they let any admin take over any
 * account (open someone's reset link, choose a password). So the token in
 * such a link is masked unless
 * - the message is addressed to the admin reading it (their own reset or
 *   email change), or
 * - the hub runs its demo world: SEED_DEMO is on (the default with the
 *   embedded database) and the seeded demo admin exists, so the outbox is
 *   how people trying Switchboard follow their links. A real hub has no
 *   `*.test` accounts (the domain is reserved and cannot receive mail).
 * A masked message can still be delivered again; the recipient gets the
 * real link. See docs/decisions/0004-transactional-outbox.md.
 */
import { eq } from 'drizzle-orm'
import { db } from '~/db/client.server'
import { users } from '~/db/schema'
import { DEMO_ACCOUNTS } from '~/db/seed'
import { isAdmin, type Actor } from '~/modules/accounts/accounts.server'
import { env, type Env } from '~/utils/env.server'
import { fail, ok } from '~/utils/result'
import { getOutboxMessage, listOutbox, retryFailedEmails } from './email.server'

/** A link token (see tokens.server.ts: 160 bits, 32 base32 characters) as a path segment of a URL. */
const LINK_TOKEN_IN_URL = /(https?:\/\/[^\s"'<>]*?\/)[a-z2-7]{32}(?=$|[^a-z2-7])/g

export const MASKED_TOKEN = '[hidden: only the recipient can open this link]'

/** `text` with the token of every emailed link replaced by a note. */
export function maskLinkTokens(text: string): string {
  return text.replace(LINK_TOKEN_IN_URL, (_match, prefix: string) => `${prefix}${MASKED_TOKEN}`)
}

/** True while the hub runs its demo world (see the header). */
export async function isDemoHub(e: Env = env()): Promise<boolean> {
  if (!(e.SEED_DEMO ?? !e.DATABASE_URL)) return false
  const demoAdmin = DEMO_ACCOUNTS.find((a) => a.role === 'admin')!.email
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, demoAdmin)).limit(1)
  return Boolean(row)
}

const FORBIDDEN = 'Only administrators can read the outbox.'

/** A page of the outbox, newest first, links masked as described above. Admins only. */
export async function listOutboxForAdmin(actor: Actor, { page = 1 }: { page?: number } = {}) {
  if (!isAdmin(actor)) return fail('forbidden', FORBIDDEN)
  const result = await listOutbox({ page })
  const reveal = await isDemoHub()
  const rows = result.rows.map((row) =>
    reveal || row.toAddress === actor.email ? row : { ...row, subject: maskLinkTokens(row.subject) },
  )
  return ok({ ...result, rows, masked: !reveal })
}

/** One outbox message (text part) with links masked unless it is the reader's own or a demo. Admins only. */
export async function getOutboxMessageForAdmin(actor: Actor, id: string) {
  if (!isAdmin(actor)) return fail('forbidden', FORBIDDEN)
  const message = await getOutboxMessage(id)
  if (!message) return fail('not_found', 'That email is not in the outbox.')
  // Only what the page shows: the HTML part repeats the links, and the dedupe key
  // of a link email is made from its token.
  const { id: messageId, toAddress, subject, text: body, status, attempts, lastError, createdAt, sentAt } = message
  const rest = { id: messageId, toAddress, subject, text: body, status, attempts, lastError, createdAt, sentAt }
  const reveal = message.toAddress === actor.email || (await isDemoHub())
  if (reveal) return ok({ ...rest, masked: false })
  const text = maskLinkTokens(rest.text)
  return ok({ ...rest, subject: maskLinkTokens(rest.subject), text, masked: text !== rest.text })
}

/** Puts a failed message back in line for delivery to its recipient. Admins only. */
export async function sendOutboxMessageAgain(actor: Actor, id: string) {
  if (!isAdmin(actor)) return fail('forbidden', FORBIDDEN)
  const message = await getOutboxMessage(id)
  if (!message) return fail('not_found', 'That email is not in the outbox.')
  if (message.status !== 'failed') return fail('not_failed', 'Only emails whose delivery failed can be sent again.')
  await retryFailedEmails([id])
  return ok()
}
