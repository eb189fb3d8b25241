import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { type Delivery } from '~/db/schema'
import { requireUser } from '~/modules/auth/auth.server'
import {
  getPreferences,
  NotificationPreferencesSchema,
  setPreferences,
} from '~/modules/notifications/notifications.server'
import { env } from '~/utils/env.server'
import { parseForm } from '~/utils/forms'
import { formFailure } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const preferences = await getPreferences(user.id)
  return { preferences, digestHour: env().DIGEST_HOUR_UTC, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const form = parseForm(await args.request.formData(), NotificationPreferencesSchema)
  if (!form.ok) return formFailure(form)
  await setPreferences(user, form.data)
  throw redirect('/settings/notifications?notice=notifications-saved')
}

export const meta: MetaFunction = () => [{ title: 'Notification settings · Switchboard' }]

const DELIVERIES: { value: Delivery; label: string }[] = [
  { value: 'immediately', label: 'Immediately by email' },
  { value: 'daily', label: 'In a daily digest' },
  { value: 'off', label: 'Only in Switchboard (no email)' },
]

export default function NotificationSettingsPage() {
  const { preferences, digestHour, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  const hour = `${String(digestHour).padStart(2, '0')}:00 UTC`
  return (
    <section aria-labelledby="notification-settings-title" className="space-y-6">
      <h1 id="notification-settings-title">Notifications</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <p className="text-slate-700">
        Everything that concerns you appears under <Link to="/notifications">Notifications</Link> (the bell at the
        top). Choose here what is also emailed to you. The daily digest gathers the day’s news into one email, sent
        once a day after {hour}.
      </p>
      <div className="card">
        <Form method="post" className="space-y-6" noValidate>
          <FormErrors errors={errors['']} />
          {preferences.map((preference) => {
            const chosen = actionData?.values[preference.event] ?? preference.delivery
            const fieldErrors = errors[preference.event]
            const errorId = fieldErrors?.length ? `${preference.event}-error` : undefined
            return (
              <fieldset
                key={preference.event}
                className="border-t border-slate-100 pt-4 first:border-t-0 first:pt-0"
                aria-describedby={errorId}
              >
                <legend className="text-sm font-semibold text-slate-900">{preference.label}</legend>
                <div className="mt-2 flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:gap-x-6">
                  {DELIVERIES.map((delivery) => (
                    <label key={delivery.value} className="flex items-center gap-2 text-sm text-slate-800">
                      <input
                        type="radio"
                        name={preference.event}
                        value={delivery.value}
                        defaultChecked={chosen === delivery.value}
                        className="h-4 w-4 accent-brand-600"
                      />
                      <span>
                        {delivery.label}
                        {delivery.value === preference.defaultDelivery ? (
                          <span className="text-slate-500"> (default)</span>
                        ) : null}
                      </span>
                    </label>
                  ))}
                </div>
                {errorId ? (
                  <p id={errorId} className="field-error">
                    {fieldErrors![0]}
                  </p>
                ) : null}
              </fieldset>
            )
          })}
          <SubmitButton pendingText="Saving…">Save notification settings</SubmitButton>
        </Form>
      </div>
    </section>
  )
}
