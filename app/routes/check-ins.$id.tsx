import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/modules/auth/auth.server'
import { getCheckIn } from '~/modules/support/quiet.server'
import { formatDateTime } from '~/utils/format'
import { notFound } from '~/utils/http.server'
import { idParam } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const result = await getCheckIn(user, idParam(args))
  if (!result.ok) throw notFound(result.message)
  return { checkIn: result.value, staff: user.role !== 'customer' }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.checkIn.subject} · Switchboard` : 'Message from support · Switchboard' },
]

/** A check-in support sent: readable by the people it went to, and by support. */
export default function CheckInMessagePage() {
  const { checkIn, staff } = useLoaderData<typeof loader>()
  return (
    <article aria-labelledby="check-in-subject" className="mx-auto max-w-3xl space-y-6">
      {staff ? (
        <p className="text-sm">
          <Link to={`/support/quiet/${checkIn.organization.id}`}>← Check-ins on {checkIn.organization.name}</Link>
        </p>
      ) : null}
      <header>
        <p className="text-sm font-semibold text-brand-700">A message from the support team</p>
        <h1 id="check-in-subject" className="mt-1">
          {checkIn.subject}
        </h1>
        <p className="mt-2 text-sm text-slate-600">
          From {checkIn.author.name}, <time dateTime={new Date(checkIn.createdAt).toISOString()}>{formatDateTime(checkIn.createdAt)}</time>, to{' '}
          {checkIn.recipients.map((r) => r.name).join(', ')} at {checkIn.organization.name}
        </p>
      </header>
      <div className="card whitespace-pre-line break-words leading-relaxed text-slate-800">{checkIn.body}</div>
      <section aria-labelledby="reach-support" className="space-y-3">
        <h2 id="reach-support">Reaching support</h2>
        <p className="text-slate-700">
          Something in your way? Log it as a problem and the support team answers on the same support day. Planning an
          upgrade? Add your migration and see what others ran into.
        </p>
        <p className="flex flex-wrap gap-3">
          <Link to="/problems/new" className="btn-primary">
            Log a problem
          </Link>
          <Link to="/migrations/new" className="btn-secondary">
            Plan a migration
          </Link>
        </p>
      </section>
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
