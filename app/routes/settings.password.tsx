import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData } from '@remix-run/react'
import { Field, FormErrors } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { ChangePasswordSchema } from '~/modules/accounts/accounts.schema'
import { changePassword } from '~/modules/accounts/accounts.server'
import { requireUser, sessionMeta, setSessionCookie } from '~/modules/auth/auth.server'
import { PASSWORD_MAX, PASSWORD_MIN } from '~/modules/auth/password.schema'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure } from '~/utils/http.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireUser(args)
  return null
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const form = parseForm(await args.request.formData(), ChangePasswordSchema)
  if (!form.ok) return formFailure(form)
  const result = await changePassword(user, form.data, sessionMeta(args))
  if (!result.ok) return commandFailure(result, {})
  setSessionCookie(args.context, result.value.token, result.value.expiresAt)
  throw redirect('/settings/password?notice=password-changed')
}

export const meta: MetaFunction = () => [{ title: 'Change your password · Switchboard' }]

export default function PasswordPage() {
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  return (
    <section aria-labelledby="password-title" className="space-y-6">
      <h1 id="password-title">Change your password</h1>
      <p className="text-slate-700">Changing it signs out every other session, and we email you to confirm.</p>
      <div className="card">
        <Form method="post" className="space-y-4" noValidate>
          <FormErrors errors={errors['']} />
          <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required errors={errors.currentPassword} />
          <Field label="New password" name="password" type="password" autoComplete="new-password" required errors={errors.password} hint={`${PASSWORD_MIN}–${PASSWORD_MAX} characters; common passwords are refused.`} />
          <Field label="New password again" name="confirmPassword" type="password" autoComplete="new-password" required errors={errors.confirmPassword} />
          <SubmitButton pendingText="Saving…">Change password</SubmitButton>
        </Form>
      </div>
    </section>
  )
}
