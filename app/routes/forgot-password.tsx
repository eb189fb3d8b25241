import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { ForgotPasswordSchema } from '~/modules/accounts/accounts.schema'
import { requestPasswordReset } from '~/modules/accounts/accounts.server'
import { requireAnonymous } from '~/modules/auth/auth.server'
import { parseForm, type FieldErrors } from '~/utils/forms'
import { formFailure, limitedFailure } from '~/utils/http.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireAnonymous(args)
  return null
}

export async function action(args: ActionFunctionArgs) {
  await requireAnonymous(args)
  const form = parseForm(await args.request.formData(), ForgotPasswordSchema)
  if (!form.ok) return formFailure(form)
  // Per IP address: says nothing about the address typed, so it may answer differently.
  const limit = await consumeLimit('password-reset', args.context.clientIp ?? 'unknown')
  if (!limit.ok) {
    return limitedFailure({ errors: { '': [limitMessage('password-reset', limit.retryAfter)] } as FieldErrors, values: { email: form.data.email } }, limit.retryAfter)
  }
  await requestPasswordReset(form.data.email)
  // The same answer whether or not the address has an account.
  return { sentTo: form.data.email }
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Forgot your password · Switchboard' }]

export default function ForgotPasswordPage() {
  const actionData = useActionData<typeof action>()
  const errors = actionData && 'errors' in actionData ? actionData.errors : {}
  const values = actionData && 'values' in actionData ? actionData.values : {}
  return (
    <div className="mx-auto max-w-md">
      <h1>Forgot your password?</h1>
      <div className="card mt-6 space-y-4">
        {actionData && 'sentTo' in actionData ? (
          <Notice>
            If <strong>{actionData.sentTo}</strong> has a Switchboard account, a link to choose a new password is on its way.
            It works once and expires in one hour.
          </Notice>
        ) : (
          <>
            <p className="text-slate-700">Enter your email and we will send you a link to choose a new password.</p>
            <FormErrors errors={errors['']} />
            <Form method="post" className="space-y-4" noValidate>
              <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={values.email} errors={errors.email} />
              <SubmitButton pendingText="Sending…">Send me a reset link</SubmitButton>
            </Form>
          </>
        )}
      </div>
      <p className="mt-6 text-sm">
        <Link to="/login">Back to sign in</Link>
      </p>
    </div>
  )
}
