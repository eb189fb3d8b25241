import { type LoaderFunctionArgs } from '@remix-run/node'
import { calendarForToken } from '~/modules/support/calendar.server'

/**
 * The migration calendar at `/calendar/<token>.ics`, for calendar apps: no
 * session, the secret address is the credential (see calendar.server.ts).
 * A wrong, reset or turned-off address and a deactivated person all get the
 * same bare 404, which says nothing about which it was.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const file = params.file ?? ''
  const ics = file.endsWith('.ics') ? await calendarForToken(file.slice(0, -'.ics'.length)) : null
  if (ics === null) {
    return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } })
  }
  return new Response(ics, {
    headers: {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': 'inline; filename="switchboard-migrations.ics"',
      // Private: the address is a secret, and what it holds depends on who owns it.
      'Cache-Control': 'private, no-cache',
      // The secret is in the path: never send it on as a referrer.
      'Referrer-Policy': 'no-referrer',
    },
  })
}
