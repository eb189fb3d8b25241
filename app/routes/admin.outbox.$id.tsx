import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Fragment } from 'react'
import { FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireRole } from '~/modules/auth/auth.server'
import { getOutboxMessageForAdmin, sendOutboxMessageAgain } from '~/modules/email/outbox-view.server'
import { formatDateTime } from '~/utils/format'
import { commandFailure, forbidden, notFound } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'
import { idParam } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const result = await getOutboxMessageForAdmin(admin, idParam(args))
  if (!result.ok) throw result.reason === 'forbidden' ? forbidden(result.message) : notFound(result.message)
  return { message: result.value, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const id = idParam(args)
  const result = await sendOutboxMessageAgain(admin, id)
  if (!result.ok) {
    if (result.reason === 'not_found') throw notFound(result.message)
    return commandFailure(result, {}, result.reason === 'forbidden' ? 403 : 409)
  }
  throw redirect(`/admin/outbox/${id}?notice=email-queued`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.message.subject ?? 'Email'} · Outbox · Switchboard` },
]

/** The text part with its absolute links made clickable. */
function LinkedText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s]+)/g)
  return (
    <>
      {parts.map((part, i) =>
        /^https?:\/\//.test(part) ? (
          <a key={i} href={part}>
            {part}
          </a>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  )
}

export default function OutboxMessagePage() {
  const { message, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/admin/outbox">← Outbox</Link>
      </p>
      <h1>{message.subject}</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <dl className="card grid gap-4 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-slate-600">To</dt>
          <dd className="break-all font-medium">{message.toAddress}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Queued</dt>
          <dd className="font-medium">{formatDateTime(message.createdAt)}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Status</dt>
          <dd className="font-medium">
            {message.status}
            {message.lastError ? ` — ${message.lastError}` : ''}
          </dd>
        </div>
      </dl>
      {message.status === 'failed' ? (
        <Form method="post" className="card space-y-3">
          <FormErrors errors={actionData?.errors?.['']} />
          <p className="text-sm text-slate-700">Delivery failed. Put it back in line to try again; it goes to {message.toAddress} only.</p>
          <SubmitButton>Send again</SubmitButton>
        </Form>
      ) : null}
      <section aria-labelledby="body" className="card">
        <h2 id="body">Message</h2>
        {message.masked ? (
          <p className="mt-2 text-sm text-slate-700">
            This email carries a personal sign-in link. Its secret part is hidden: only {message.toAddress} can use it.
          </p>
        ) : null}
        <pre className="mt-4 whitespace-pre-wrap break-words font-sans text-sm leading-relaxed">
          <LinkedText text={message.text} />
        </pre>
      </section>
    </div>
  )
}
