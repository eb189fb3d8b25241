import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { Notice } from '~/components/ui/field'
import { requireRole } from '~/modules/auth/auth.server'
import { QUIET_DAYS_MAX, QUIET_DAYS_MESSAGE, QUIET_DAYS_MIN, QuietFilterSchema } from '~/modules/support/quiet.schema'
import { defaultQuietDays, getCheckIn, quietOrganizations } from '~/modules/support/quiet.server'
import type { Activity } from '~/modules/support/quiet.server'
import { formatDate } from '~/utils/format'
import { forbidden } from '~/utils/http.server'
import { idFromQuery } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const actor = await requireRole(args, 'support')
  const url = new URL(args.request.url)
  const typed = url.searchParams.get('days') ?? ''
  const filter = typed ? QuietFilterSchema.safeParse({ days: typed }) : null
  const days = filter?.success ? filter.data.days : defaultQuietDays()
  const result = await quietOrganizations(actor, { days })
  if (!result.ok) throw forbidden(result.message)
  // After a check-in: name the organization it was about (read from the database, never from the URL).
  const checkedIn = idFromQuery(url, 'checkedIn')
  const done = checkedIn ? await getCheckIn(actor, checkedIn) : null
  return {
    days,
    defaultDays: defaultQuietDays(),
    typedDays: typed.slice(0, 10),
    daysError: filter && !filter.success ? QUIET_DAYS_MESSAGE : null,
    organizations: result.value.organizations,
    notice: done?.ok ? `Checked in on ${done.value.organization.name}; it leaves the list until it is quiet again.` : null,
  }
}

export const meta: MetaFunction = () => [{ title: 'Quiet customers · Support · Switchboard' }]

/** "Owen Price posted “Title”", "… replied to “Title”", "… signed in". */
function ActivityText({ activity }: { activity: Activity }) {
  if (activity.kind === 'sign_in') return <>{activity.by.name} signed in</>
  if (activity.kind === 'reply') {
    return (
      <>
        {activity.by.name} replied to <Link to={`/posts/${activity.post.id}`}>{activity.post.title ?? 'a post'}</Link>
      </>
    )
  }
  const what = activity.post.kind === 'workaround' ? 'a workaround on' : activity.post.kind === 'migration' ? 'a migration plan,' : ''
  return (
    <>
      {activity.by.name} posted {what ? `${what} ` : ''}
      <Link to={`/posts/${activity.post.linkId}`}>{activity.post.title ?? 'a post'}</Link>
    </>
  )
}

export default function QuietCustomersPage() {
  const { days, defaultDays, typedDays, daysError, organizations, notice } = useLoaderData<typeof loader>()
  const query = days === defaultDays ? '' : `?days=${days}`
  return (
    <div className="space-y-6">
      <h1>Quiet customers</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <p className="text-sm text-slate-700">
        Organizations with no post, reply or sign-in for {days} days, longest silence first. A check-in sends a short
        message to the people you choose; the organization then leaves the list until it has been quiet for {days} days
        again.
      </p>
      <Form method="get" noValidate>
        <label htmlFor="quiet-days" className="label">
          Quiet for at least (days)
        </label>
        <div className="flex flex-wrap items-center gap-3">
          <input
            id="quiet-days"
            name="days"
            type="text"
            inputMode="numeric"
            maxLength={10}
            defaultValue={typedDays || days}
            className="input w-32"
            aria-invalid={daysError ? true : undefined}
            aria-describedby={daysError ? 'quiet-days-error' : 'quiet-days-hint'}
          />
          <button type="submit" className="btn-secondary">
            Show
          </button>
        </div>
        {daysError ? (
          <p id="quiet-days-error" className="field-error">
            {daysError} Showing {days} days.
          </p>
        ) : (
          <p id="quiet-days-hint" className="hint">
            {QUIET_DAYS_MIN}–{QUIET_DAYS_MAX}; the usual is {defaultDays}.
          </p>
        )}
      </Form>
      {organizations.length === 0 ? (
        <p className="card text-slate-700">
          Every customer organization was heard from in the last {days} days, or was checked in on.
        </p>
      ) : (
        <ul className="space-y-4" aria-label="Quiet organizations, longest silence first">
          {organizations.map((org) => {
            const headingId = `quiet-${org.id}`
            return (
              <li key={org.id}>
                <section aria-labelledby={headingId} className="card space-y-3">
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div>
                      <h2 id={headingId}>{org.name}</h2>
                      <p className="text-sm text-slate-700">
                        <strong>Silent for {org.silentDays} days.</strong>{' '}
                        {org.lastActivity ? (
                          <>
                            Last heard from on{' '}
                            <time dateTime={new Date(org.lastActivity.at).toISOString()}>{formatDate(org.lastActivity.at)}</time>:{' '}
                            <ActivityText activity={org.lastActivity} />.
                          </>
                        ) : (
                          <>
                            Nothing since it joined on <time dateTime={new Date(org.silentSince).toISOString()}>{formatDate(org.silentSince)}</time>.
                          </>
                        )}
                      </p>
                      <p className="text-sm text-slate-600">
                        {org.lastCheckIn ? (
                          <>
                            Last checked in on <time dateTime={new Date(org.lastCheckIn.at).toISOString()}>{formatDate(org.lastCheckIn.at)}</time> by{' '}
                            {org.lastCheckIn.by}: “{org.lastCheckIn.subject}”
                          </>
                        ) : (
                          'Nobody has checked in on it yet.'
                        )}
                      </p>
                    </div>
                    <Link to={`/support/quiet/${org.id}${query}`} className="btn-primary">
                      Check in<span className="sr-only"> on {org.name}</span>
                    </Link>
                  </div>
                  <div className="overflow-x-auto">
                    <table className="table">
                      <caption className="sr-only">People of {org.name} and what they last did</caption>
                      <thead>
                        <tr>
                          <th scope="col">Person</th>
                          <th scope="col">Role</th>
                          <th scope="col" className="whitespace-nowrap">
                            Last sign-in
                          </th>
                          <th scope="col">Last post</th>
                        </tr>
                      </thead>
                      <tbody>
                        {org.people.map((person) => (
                          <tr key={person.id}>
                            <td>
                              <Link to={`/people/${person.id}`}>{person.name}</Link>
                              <span className="block text-xs text-slate-600">{person.email}</span>
                            </td>
                            <td>{person.role}</td>
                            <td className="whitespace-nowrap">
                              {person.lastSignInAt ? (
                                <time dateTime={new Date(person.lastSignInAt).toISOString()}>{formatDate(person.lastSignInAt)}</time>
                              ) : (
                                <span className="text-slate-600">Never</span>
                              )}
                            </td>
                            <td>
                              {person.lastPost ? (
                                <>
                                  {person.lastPost.kind === 'workaround' ? 'A workaround on ' : null}
                                  <Link to={`/posts/${person.lastPost.linkId}`}>{person.lastPost.title ?? 'a post'}</Link>
                                  <span className="block text-xs text-slate-600">
                                    <time dateTime={new Date(person.lastPost.at).toISOString()}>{formatDate(person.lastPost.at)}</time>
                                  </span>
                                </>
                              ) : (
                                <span className="text-slate-600">None</span>
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              </li>
            )
          })}
        </ul>
      )}
    </div>
  )
}
