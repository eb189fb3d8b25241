import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { SignInSchema } from '~/modules/accounts/accounts.schema'
import { signIn } from '~/modules/accounts/accounts.server'
import { requireAnonymous, safeRedirect, sessionMeta, setSessionCookie } from '~/modules/auth/auth.server'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'
import { limitHeaders } from '~/utils/limit-headers'

export async function loader(args: LoaderFunctionArgs) {
  await requireAnonymous(args)
  return { notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  await requireAnonymous(args)
  const form = parseForm(await args.request.formData(), SignInSchema)
  if (!form.ok) return formFailure(form)
  const values = { email: form.data.email, redirectTo: form.data.redirectTo ?? '' }
  const result = await signIn(form.data, sessionMeta(args))
  if (!result.ok) {
    const status = { throttled: 429, busy: 503, deactivated: 403, invalid_credentials: 400 }[result.reason]
    const headers = result.retryAfter ? { 'Retry-After': String(result.retryAfter) } : undefined
    return commandFailure(result, values, status, headers)
  }
  setSessionCookie(args.context, result.value.token, result.value.expiresAt)
  throw redirect(safeRedirect(form.data.redirectTo))
}

/** The throttle's Retry-After reaches the browser (documents and `.data` requests). */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Sign in · Switchboard' }]

export default function LoginPage() {
  const { notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const errors = actionData?.errors ?? {}
  const values = actionData?.values ?? {}
  const formRef = useRef<HTMLFormElement>(null)
  // After a refused sign-in the password is never kept, with or without JavaScript.
  useEffect(() => {
    const password = formRef.current?.elements.namedItem('password')
    if (actionData && password instanceof HTMLInputElement) password.value = ''
  }, [actionData])
  return (
    <div className="mx-auto max-w-md">
      <h1>Sign in to Switchboard</h1>
      <p className="mt-2 text-slate-700">Share what you found, find what others solved.</p>
      <div className="card mt-6 space-y-4">
        {notice ? <Notice>{notice}</Notice> : null}
        <FormErrors errors={errors['']} />
        <Form method="post" className="space-y-4" noValidate ref={formRef}>
          <input type="hidden" name="redirectTo" value={values.redirectTo ?? searchParams.get('redirectTo') ?? ''} />
          <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={values.email} errors={errors.email} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required errors={errors.password} />
          <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
        </Form>
        <p className="text-sm">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </div>
      <p className="mt-6 text-sm text-slate-700">
        New here? <Link to="/signup">Sign up with your work email</Link> or ask your administrator for an invitation.
      </p>
    </div>
  )
}
