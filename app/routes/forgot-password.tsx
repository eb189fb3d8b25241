import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { ForgotPasswordSchema } from '~/modules/accounts/accounts.schema'
import { requestPasswordReset } from '~/modules/accounts/accounts.server'
import { requireAnonymous } from '~/modules/auth/auth.server'
import { parseForm } from '~/utils/forms'
import { formFailure } from '~/utils/http.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireAnonymous(args)
  return null
}

export async function action(args: ActionFunctionArgs) {
  await requireAnonymous(args)
  const form = parseForm(await args.request.formData(), ForgotPasswordSchema)
  if (!form.ok) return formFailure(form)
  await requestPasswordReset(form.data.email)
  // The same answer whether or not the address has an account.
  return { sentTo: form.data.email }
}

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
