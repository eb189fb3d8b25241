/**
 * Sign-in times for the demo world's customers, so "Quiet customers" has a
 * last sign-in to show next to each person: everyone who wrote something
 * last signed in a few minutes before their latest post or reply (people
 * who never wrote anything never signed in). The quiet organization
 * (Elmhurst Energy Cooperative, `quietForDays` in demo-content.ts) thereby
 * stays silent on every count — posts, replies and sign-ins — while the
 * others were heard from in the last days.
 *
 * Called from seedDemoIfEmpty (app/db/seed.ts) inside its transaction,
 * after the posts are written. Staff are left alone: their sign-ins do not
 * make anyone quiet or not.
 */
import { sql } from 'drizzle-orm'
import { type Executor } from './client.server'

export async function seedSignIns(tx: Executor) {
  await tx.execute(sql`
    update users set last_sign_in_at = latest.at - interval '7 minutes'
    from (
      select author_id, max(created_at) as at
      from (select author_id, created_at from posts union all select author_id, created_at from replies) as written
      group by author_id
    ) as latest
    where users.id = latest.author_id and users.role = 'customer'`)
}
