import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { Field, FormErrors, TextAreaField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireRole } from '~/modules/auth/auth.server'
import { CHECK_IN_BODY_MAX, CHECK_IN_SUBJECT_MAX, CheckInSchema, QuietFilterSchema } from '~/modules/support/quiet.schema'
import { checkIn, checkInDraft, listCheckIns } from '~/modules/support/quiet.server'
import { formatDateTime } from '~/utils/format'
import { parseForm } from '~/utils/forms'
import { commandFailure, forbidden, formFailure, HttpError, limitedFailure, notFound } from '~/utils/http.server'
import { newId } from '~/utils/result'
import { idParam } from '~/utils/params.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

/** The list's `?days=` to go back to, when it was a valid one. */
function daysQuery(request: Request) {
  const typed = new URL(request.url).searchParams.get('days')
  const filter = typed ? QuietFilterSchema.safeParse({ days: typed }) : null
  return filter?.success ? `days=${filter.data.days}` : ''
}

export async function loader(args: LoaderFunctionArgs) {
  const actor = await requireRole(args, 'support')
  const organizationId = idParam(args, 'organizationId')
  const draft = await checkInDraft(actor, organizationId)
  if (!draft.ok) {
    if (draft.reason === 'forbidden') throw forbidden(draft.message)
    if (draft.reason === 'not_found') throw notFound(draft.message)
    throw new HttpError(409, draft.message)
  }
  const history = await listCheckIns(actor, organizationId)
  if (!history.ok) throw forbidden(history.message)
  return { draft: draft.value, history: history.value, submissionKey: newId() }
}

export async function action(args: ActionFunctionArgs) {
  const actor = await requireRole(args, 'support')
  const form = parseForm(await args.request.formData(), CheckInSchema, { arrays: ['recipientIds'] })
  if (!form.ok) return formFailure(form)
  const limit = await consumeLimit('message', actor.id)
  if (!limit.ok) {
    const values = { ...form.values, recipientIds: form.data.recipientIds.join(',') }
    return limitedFailure({ errors: { '': [limitMessage('message', limit.retryAfter)] }, values }, limit.retryAfter)
  }
  const result = await checkIn(actor, { ...form.data, organizationId: idParam(args, 'organizationId') })
  if (!result.ok) {
    if (result.reason === 'forbidden') throw forbidden(result.message)
    if (result.reason === 'not_found') throw notFound(result.message)
    return commandFailure(result, form.values)
  }
  const params = new URLSearchParams(daysQuery(args.request))
  params.set('checkedIn', result.value.id)
  throw redirect(`/support/quiet?${params}`)
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Check in on ${data.draft.organization.name} · Support · Switchboard` : 'Check in · Support · Switchboard' },
]

export default function CheckInPage() {
  const { draft, history, submissionKey } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const values: Record<string, string> = actionData?.values ?? {}
  const errors: Record<string, string[] | undefined> = actionData?.errors ?? {}
  // After a failed send, exactly the people who were ticked stay ticked.
  const chosen = actionData ? new Set((values.recipientIds ?? '').split(',').filter(Boolean)) : null
  const days = searchParams.get('days')
  const back = `/support/quiet${days && /^\d{1,3}$/.test(days) ? `?days=${days}` : ''}`
  const recipientErrors = errors.recipientIds
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p className="text-sm">
        <Link to={back}>← Quiet customers</Link>
      </p>
      <div>
        <h1>Check in on {draft.organization.name}</h1>
        <p className="mt-2 text-slate-700">
          A short, friendly message. It is emailed at once to the people you choose and appears in their notifications
          in Switchboard; it is recorded below and in the audit log.
        </p>
      </div>
      <Form method="post" className="card space-y-5" noValidate>
        <input type="hidden" name="submissionKey" value={values.submissionKey ?? submissionKey} />
        <FormErrors errors={errors['']} />
        <fieldset aria-describedby={recipientErrors?.length ? 'recipients-error' : undefined}>
          <legend className="label">Send to</legend>
          <ul className="mt-2 space-y-2">
            {draft.people.map((person) => (
              <li key={person.id}>
                <label className="flex items-center gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    name="recipientIds"
                    value={person.id}
                    defaultChecked={chosen ? chosen.has(person.id) : true}
                    className="h-4 w-4 accent-brand-600"
                  />
                  <span>
                    {person.name} <span className="text-slate-600">({person.email})</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
          {recipientErrors?.length ? (
            <p id="recipients-error" className="field-error">
              {recipientErrors[0]}
            </p>
          ) : null}
        </fieldset>
        <Field
          label="Subject"
          name="subject"
          required
          maxLength={CHECK_IN_SUBJECT_MAX}
          defaultValue={values.subject ?? draft.subject}
          errors={errors.subject}
          hint={`Up to ${CHECK_IN_SUBJECT_MAX} characters.`}
        />
        <TextAreaField
          label="Message"
          name="body"
          rows={16}
          defaultValue={values.body ?? draft.body}
          errors={errors.body}
          hint={`Plain text, up to ${CHECK_IN_BODY_MAX.toLocaleString('en')} characters. A blank line starts a new paragraph.`}
        />
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pendingText="Sending…">Send check-in</SubmitButton>
          <Link to={back}>Cancel</Link>
        </div>
      </Form>
      <section aria-labelledby="check-in-history" className="space-y-3">
        <h2 id="check-in-history">Earlier check-ins</h2>
        {history.length === 0 ? (
          <p className="text-slate-700">Nobody has checked in on {draft.organization.name} yet.</p>
        ) : (
          <ul className="space-y-3">
            {history.map((item) => (
              <li key={item.id} className="card space-y-2">
                <p className="font-semibold">
                  <Link to={`/check-ins/${item.id}`}>{item.subject}</Link>
                </p>
                <p className="text-sm text-slate-600">
                  <time dateTime={new Date(item.createdAt).toISOString()}>{formatDateTime(item.createdAt)}</time> by {item.author.name}, to{' '}
                  {item.recipients.map((r) => r.name).join(', ')}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}
