/**
 * Sends the daily notification digests now, then delivers pending mail:
 *
 *   npm run digest
 *
 * Uses DATABASE_URL (or the embedded database under DATA_DIR) and runs the
 * migrations first, like admin:create. Safe to run again, and next to a
 * running server's own digest job: a person gets at most one digest per
 * UTC day (outbox dedupe key), and items that arrive after it wait for the
 * next day's. For cron, set DIGEST_TIMER=0 on the server and run this daily.
 *
 * With the embedded database, stop the server first: PGlite's data directory
 * can be opened by one process only.
 */
import { deliverPendingEmails } from '../app/modules/email/email.server'
import { sendDailyDigests } from '../app/modules/notifications/notifications.server'
import { EnvError, parseEnv } from '../app/utils/env.server'
import { connectForScript } from './db-connect'

/** deliverPendingEmails handles a batch at a time; stop after this many rounds whatever happens. */
const MAX_DELIVERY_ROUNDS = 200

async function main() {
  const env = parseEnv(process.env)
  const handle = await connectForScript(env)
  try {
    const summary = await sendDailyDigests(new Date())
    let delivered = 0
    for (let round = 0; round < MAX_DELIVERY_ROUNDS; round++) {
      const handled = await deliverPendingEmails()
      delivered += handled
      if (handled === 0) break
    }
    const lines = [
      `Digest: ${summary.emails} email(s) queued with ${summary.notifications} notification(s).`,
      summary.alreadySent
        ? `  ${summary.alreadySent} person(s) already had today's digest; their newer items wait for tomorrow's.`
        : null,
      summary.skippedInactive
        ? `  ${summary.skippedInactive} notification(s) of deactivated people were marked digested without email.`
        : null,
      env.SMTP_URL
        ? `Mail: ${delivered} message(s) sent through SMTP.`
        : `Mail: ${delivered} message(s) kept in the outbox (SMTP_URL is not set); admins read them at ${env.PUBLIC_URL}/admin/outbox.`,
    ]
    console.info(lines.filter(Boolean).join('\n'))
  } finally {
    await handle.close()
  }
}

main().catch((error) => {
  if (error instanceof EnvError) console.error(error.message)
  else console.error(error)
  process.exit(1)
})
