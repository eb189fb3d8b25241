import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { SignUpRequestSchema } from '~/modules/accounts/accounts.schema'
import { requestSignUp } from '~/modules/accounts/accounts.server'
import { requireAnonymous } from '~/modules/auth/auth.server'
import { parseForm, type FieldErrors } from '~/utils/forms'
import { commandFailure, formFailure, limitedFailure } from '~/utils/http.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireAnonymous(args)
  return null
}

export async function action(args: ActionFunctionArgs) {
  await requireAnonymous(args)
  const form = parseForm(await args.request.formData(), SignUpRequestSchema)
  if (!form.ok) return formFailure(form)
  const limit = await consumeLimit('sign-up', args.context.clientIp ?? 'unknown')
  if (!limit.ok) {
    return limitedFailure({ errors: { '': [limitMessage('sign-up', limit.retryAfter)] } as FieldErrors, values: { email: form.data.email } }, limit.retryAfter)
  }
  const result = await requestSignUp(form.data.email)
  if (!result.ok) return commandFailure(result, { email: form.data.email })
  return { sentTo: form.data.email }
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Sign up · Switchboard' }]

export default function SignUpPage() {
  const actionData = useActionData<typeof action>()
  const errors = actionData && 'errors' in actionData ? actionData.errors : {}
  const values = actionData && 'values' in actionData ? actionData.values : {}
  return (
    <div className="mx-auto max-w-md">
      <h1>Join Switchboard</h1>
      <p className="mt-2 text-slate-700">
        If your organization allowed sign-up for its email domain, enter your work email and we will send you a link to
        confirm it. Otherwise, ask your administrator for an invitation.
      </p>
      <div className="card mt-6 space-y-4">
        {actionData && 'sentTo' in actionData ? (
          <Notice>
            Check your inbox at <strong>{actionData.sentTo}</strong>: we sent a link to confirm your address and choose a
            password. It expires in 24 hours.
          </Notice>
        ) : (
          <>
            <FormErrors errors={errors['']} />
            <Form method="post" className="space-y-4" noValidate>
              <Field label="Work email" name="email" type="email" autoComplete="email" required defaultValue={values.email} errors={errors.email} />
              <SubmitButton pendingText="Sending…">Send me a confirmation link</SubmitButton>
            </Form>
          </>
        )}
      </div>
      <p className="mt-6 text-sm text-slate-700">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </div>
  )
}
