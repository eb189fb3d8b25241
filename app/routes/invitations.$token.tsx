import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { LinkProblem } from '~/components/link-problem'
import { NewAccountForm } from '~/components/new-account-form'
import { CompleteSignUpSchema } from '~/modules/accounts/accounts.schema'
import { acceptInvitation, getInvitation } from '~/modules/accounts/accounts.server'
import { requireAnonymous, sessionMeta, setSessionCookie } from '~/modules/auth/auth.server'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure, limitedFailure } from '~/utils/http.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireAnonymous(args)
  const invitation = await getInvitation(args.params.token)
  if (!invitation.ok) {
    return data({ problem: invitation.message, invitation: null }, { status: invitation.reason === 'invalid' ? 404 : 410 })
  }
  const { email, role, organizationName } = invitation.value
  return { problem: null, invitation: { email, role, organizationName } }
}

export async function action(args: ActionFunctionArgs) {
  await requireAnonymous(args)
  const form = parseForm(await args.request.formData(), CompleteSignUpSchema)
  if (!form.ok) return formFailure(form)
  const limit = await consumeLimit('invitation', args.context.clientIp ?? 'unknown')
  if (!limit.ok) {
    return limitedFailure({ errors: { '': [limitMessage('invitation', limit.retryAfter)] }, values: { name: form.data.name } }, limit.retryAfter)
  }
  const result = await acceptInvitation(args.params.token, form.data, sessionMeta(args))
  if (!result.ok) return commandFailure(result, { name: form.data.name }, result.reason === 'weak_password' ? 400 : 409)
  setSessionCookie(args.context, result.value.token, result.value.expiresAt)
  throw redirect('/?notice=welcome')
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Accept your invitation · Switchboard' }]

export default function InvitationPage() {
  const { problem, invitation } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  if (!invitation) {
    return <LinkProblem title="This invitation cannot be used" message={problem ?? ''} next={{ to: '/login', label: 'Go to sign in' }} />
  }
  return (
    <div className="mx-auto max-w-md">
      <h1>Welcome to Switchboard</h1>
      <p className="mt-2 text-slate-700">
        You were invited to join {invitation.organizationName}
        {invitation.role !== 'customer' ? ` as ${invitation.role}` : ''}. Choose your name and a password.
      </p>
      <div className="card mt-6">
        <NewAccountForm email={invitation.email} errors={actionData?.errors} values={actionData?.values} />
      </div>
    </div>
  )
}
