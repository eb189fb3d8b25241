import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { LinkProblem } from '~/components/link-problem'
import { SubmitButton } from '~/components/ui/submit-button'
import { confirmEmailChange } from '~/modules/accounts/accounts.server'
import { isWellFormedLinkToken } from '~/modules/auth/tokens.server'

/** Opening the emailed link shows a button; only the POST changes anything. */
export async function loader({ params }: LoaderFunctionArgs) {
  if (!isWellFormedLinkToken(params.token)) {
    return data({ valid: false }, { status: 404 })
  }
  return { valid: true }
}

export async function action({ params }: ActionFunctionArgs) {
  const result = await confirmEmailChange(params.token)
  if (!result.ok) return data({ problem: result.message }, { status: result.reason === 'invalid' ? 404 : 409 })
  throw redirect('/settings/email?notice=email-changed')
}

export const meta: MetaFunction = () => [{ title: 'Confirm your new email · Switchboard' }]

export default function ConfirmEmailChangePage() {
  const { valid } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  if (!valid || actionData?.problem) {
    return (
      <LinkProblem
        title="This confirmation link cannot be used"
        message={actionData?.problem ?? 'This link is not valid. Check that you copied all of it, or ask for a new one.'}
        next={{ to: '/settings/email', label: 'Go to your email settings' }}
      />
    )
  }
  return (
    <div className="mx-auto max-w-md">
      <h1>Confirm your new email address</h1>
      <div className="card mt-6 space-y-4">
        <p className="text-slate-700">Use this address for your Switchboard account from now on?</p>
        <Form method="post">
          <SubmitButton pendingText="Confirming…">Yes, use this address</SubmitButton>
        </Form>
      </div>
    </div>
  )
}
