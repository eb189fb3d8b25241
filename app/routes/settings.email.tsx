import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { ChangeEmailSchema } from '~/modules/accounts/accounts.schema'
import { requestEmailChange } from '~/modules/accounts/accounts.server'
import { requireUser } from '~/modules/auth/auth.server'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure, limitedFailure } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'
import { limitHeaders } from '~/utils/limit-headers'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  return { email: user.email, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const form = parseForm(await args.request.formData(), ChangeEmailSchema)
  if (!form.ok) return formFailure(form)
  const result = await requestEmailChange(user, form.data)
  if (!result.ok && 'retryAfter' in result) {
    return limitedFailure({ errors: { [result.field ?? '']: [result.message] }, values: { email: form.data.email } }, result.retryAfter)
  }
  if (!result.ok) return commandFailure(result, { email: form.data.email })
  throw redirect('/settings/email?notice=email-sent')
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Change your email · Switchboard' }]

export default function EmailPage() {
  const { email, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  return (
    <section aria-labelledby="email-title" className="space-y-6">
      <h1 id="email-title">Your email address</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <p className="text-slate-700">
        You sign in and receive notifications at <strong className="break-all">{email}</strong>. To change it, enter the new
        address: we send a confirmation link there, and tell your current address once it changes.
      </p>
      <div className="card">
        <Form method="post" className="space-y-4" noValidate>
          <FormErrors errors={errors['']} />
          <Field label="New email address" name="email" type="email" autoComplete="email" required defaultValue={actionData?.values.email} errors={errors.email} />
          <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required errors={errors.currentPassword} />
          <SubmitButton pendingText="Sending…">Send confirmation link</SubmitButton>
        </Form>
      </div>
    </section>
  )
}
