import { Form } from '@remix-run/react'
import { PASSWORD_MAX, PASSWORD_MIN } from '~/modules/auth/password.schema'
import { Field, FormErrors } from './ui/field'
import { SubmitButton } from './ui/submit-button'

/** Name and password for a new account (invitation or confirmed sign-up). */
export function NewAccountForm({
  email,
  errors = {},
  values = {},
}: {
  email: string
  errors?: Record<string, string[] | undefined>
  values?: Record<string, string>
}) {
  return (
    <Form method="post" className="space-y-4" noValidate>
      <FormErrors errors={errors['']} />
      <Field label="Email" name="email-shown" type="email" value={email} readOnly disabled hint="This is the address you were invited with." />
      <Field label="Your name" name="name" autoComplete="name" required maxLength={100} defaultValue={values.name} errors={errors.name} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        errors={errors.password}
        hint={`${PASSWORD_MIN}–${PASSWORD_MAX} characters. A few unrelated words make a strong, memorable password.`}
      />
      <Field label="Password again" name="confirmPassword" type="password" autoComplete="new-password" required errors={errors.confirmPassword} />
      <SubmitButton pendingText="Creating your account…">Create my account</SubmitButton>
    </Form>
  )
}
