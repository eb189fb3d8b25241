import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { isStaff } from '~/modules/accounts/accounts.server'
import { requireUser } from '~/modules/auth/auth.server'
import { createOrResetCalendarToken, getCalendarTokenStatus, revokeCalendarToken } from '~/modules/support/calendar.server'
import { CalendarTokenSchema } from '~/modules/support/radar.schema'
import { formatDateTime } from '~/utils/format'
import { parseForm, type FieldErrors } from '~/utils/forms'
import { formFailure } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const status = await getCalendarTokenStatus(user)
  return {
    staff: isStaff(user),
    status: status
      ? { createdAt: formatDateTime(status.createdAt), lastUsedAt: status.lastUsedAt ? formatDateTime(status.lastUsedAt) : null }
      : null,
    notice: noticeFrom(args.request.url),
  }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const form = parseForm(await args.request.formData(), CalendarTokenSchema)
  if (!form.ok) return formFailure(form)
  if (form.data.intent === 'revoke') {
    await revokeCalendarToken(user)
    throw redirect('/settings/calendar?notice=calendar-revoked')
  }
  const result = await createOrResetCalendarToken(user)
  if (!result.ok) return data({ errors: { '': [result.message] } as FieldErrors, values: {} }, { status: 400 })
  // The address is shown in this one answer only (just its hash is kept), so
  // it must not be cached anywhere nor be put in a redirect URL.
  return data(
    { url: result.value.url, replaced: result.value.replaced },
    { headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } },
  )
}

export const meta: MetaFunction = () => [{ title: 'Migration calendar · Settings · Switchboard' }]

export default function CalendarSettingsPage() {
  const { staff, status, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const created = actionData && 'url' in actionData ? actionData : null
  const errors = actionData && 'errors' in actionData ? actionData.errors : undefined
  return (
    <section aria-labelledby="calendar-title" className="space-y-6">
      <h1 id="calendar-title">Migration calendar</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <FormErrors errors={errors ? [...(errors[''] ?? []), ...(errors.intent ?? [])] : undefined} />
      <div className="space-y-3 text-slate-700">
        <p>
          Subscribe to the migration plans in your calendar app (Outlook, Google Calendar, Apple Calendar, Thunderbird…):
          each plan appears as an all-day event over its window, with its status and a link to the plan.{' '}
          {staff
            ? 'As a member of the support team, you get every organization’s plans.'
            : 'You get your organization’s plans.'}
        </p>
        <p>
          The calendar has a secret web address of its own, so that your calendar app can read it without signing in.
          Anyone who has the address can read the calendar: keep it to yourself. If it leaks, reset it — the old address
          stops working at once.
        </p>
      </div>

      {created ? (
        <div className="card space-y-3" role="status">
          <h2>{created.replaced ? 'Your new calendar address' : 'Your calendar address'}</h2>
          <label htmlFor="calendar-url" className="label">
            Calendar address (copy it into your calendar app’s “subscribe” or “add from URL”)
          </label>
          <input id="calendar-url" readOnly value={created.url} className="input font-mono" aria-describedby="calendar-url-hint" />
          <p id="calendar-url-hint" className="hint">
            Copy it now: it is shown only this once. Switchboard keeps just a fingerprint of it, which cannot be turned back
            into the address. If you lose it, reset it to get a new one.
            {created.replaced ? ' Your previous address no longer works.' : ''}
          </p>
        </div>
      ) : null}

      <div className="card space-y-4">
        <h2>{status ? 'Reset or turn off' : 'Create your address'}</h2>
        {status ? (
          <p className="text-sm text-slate-700">
            You have a calendar address, made {status.createdAt}.{' '}
            {status.lastUsedAt ? `A calendar app last read it ${status.lastUsedAt}.` : 'No calendar app has read it yet.'}
          </p>
        ) : (
          <p className="text-sm text-slate-700">You have no calendar address yet.</p>
        )}
        <Form method="post" className="flex flex-wrap items-center gap-3">
          {status ? (
            <>
              <SubmitButton name="intent" value="reset" pendingText="Resetting…">
                Reset the address
              </SubmitButton>
              <SubmitButton className="btn-danger" name="intent" value="revoke" pendingText="Turning off…">
                Turn the calendar off
              </SubmitButton>
            </>
          ) : (
            <SubmitButton name="intent" value="create" pendingText="Creating…">
              Create my calendar address
            </SubmitButton>
          )}
        </Form>
        {status ? (
          <p className="hint">
            Resetting makes a new address and stops the old one at once; turning the calendar off stops it without making a
            new one.
          </p>
        ) : null}
      </div>
    </section>
  )
}
