import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { LinkProblem } from '~/components/link-problem'
import { NewAccountForm } from '~/components/new-account-form'
import { CompleteSignUpSchema } from '~/modules/accounts/accounts.schema'
import { completeSignUp, getSignUp } from '~/modules/accounts/accounts.server'
import { requireAnonymous, sessionMeta, setSessionCookie } from '~/modules/auth/auth.server'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure } from '~/utils/http.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireAnonymous(args)
  const signUp = await getSignUp(args.params.token)
  if (!signUp.ok) return data({ problem: signUp.message, signUp: null }, { status: signUp.reason === 'invalid' ? 404 : 410 })
  return { problem: null, signUp: signUp.value }
}

export async function action(args: ActionFunctionArgs) {
  await requireAnonymous(args)
  const form = parseForm(await args.request.formData(), CompleteSignUpSchema)
  if (!form.ok) return formFailure(form)
  const result = await completeSignUp(args.params.token, form.data, sessionMeta(args))
  if (!result.ok) return commandFailure(result, { name: form.data.name }, result.reason === 'weak_password' ? 400 : 409)
  setSessionCookie(args.context, result.value.token, result.value.expiresAt)
  throw redirect('/?notice=welcome')
}

export const meta: MetaFunction = () => [{ title: 'Create your account · Switchboard' }]

export default function CompleteSignUpPage() {
  const { problem, signUp } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  if (!signUp) return <LinkProblem title="This sign-up link cannot be used" message={problem ?? ''} next={{ to: '/signup', label: 'Ask for a new link' }} />
  return (
    <div className="mx-auto max-w-md">
      <h1>Create your account</h1>
      <p className="mt-2 text-slate-700">You are joining {signUp.organizationName} on Switchboard.</p>
      <div className="card mt-6">
        <NewAccountForm email={signUp.email} errors={actionData?.errors} values={actionData?.values} />
      </div>
    </div>
  )
}
