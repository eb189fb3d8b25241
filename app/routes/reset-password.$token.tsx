import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { LinkProblem } from '~/components/link-problem'
import { Field, FormErrors } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { ResetPasswordSchema } from '~/modules/accounts/accounts.schema'
import { getPasswordReset, resetPassword } from '~/modules/accounts/accounts.server'
import { sessionMeta, setSessionCookie } from '~/modules/auth/auth.server'
import { PASSWORD_MAX, PASSWORD_MIN } from '~/modules/auth/password.schema'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure } from '~/utils/http.server'

export async function loader({ params }: LoaderFunctionArgs) {
  const reset = await getPasswordReset(params.token)
  if (!reset.ok) return data({ problem: reset.message, email: null }, { status: reset.reason === 'invalid' ? 404 : 410 })
  return { problem: null, email: reset.value.email }
}

export async function action(args: ActionFunctionArgs) {
  const form = parseForm(await args.request.formData(), ResetPasswordSchema)
  if (!form.ok) return formFailure(form)
  const result = await resetPassword(args.params.token, form.data.password, sessionMeta(args))
  if (!result.ok) return commandFailure(result, {}, result.reason === 'weak_password' ? 400 : 409)
  setSessionCookie(args.context, result.value.token, result.value.expiresAt)
  throw redirect('/?notice=password-reset')
}

export const meta: MetaFunction = () => [{ title: 'Choose a new password · Switchboard' }]

export default function ResetPasswordPage() {
  const { problem, email } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  if (!email) return <LinkProblem title="This reset link cannot be used" message={problem ?? ''} next={{ to: '/forgot-password', label: 'Ask for a new link' }} />
  return (
    <div className="mx-auto max-w-md">
      <h1>Choose a new password</h1>
      <p className="mt-2 text-slate-700">For {email}. Every session of this account will be signed out.</p>
      <div className="card mt-6">
        <Form method="post" className="space-y-4" noValidate>
          <FormErrors errors={errors['']} />
          <Field label="New password" name="password" type="password" autoComplete="new-password" required errors={errors.password} hint={`${PASSWORD_MIN}–${PASSWORD_MAX} characters.`} />
          <Field label="New password again" name="confirmPassword" type="password" autoComplete="new-password" required errors={errors.confirmPassword} />
          <SubmitButton pendingText="Saving…">Save my new password</SubmitButton>
        </Form>
      </div>
    </div>
  )
}
