import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Fragment } from 'react'
import { requireRole } from '~/modules/auth/auth.server'
import { getOutboxMessage } from '~/modules/email/email.server'
import { formatDateTime } from '~/utils/format'
import { notFound } from '~/utils/http.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'admin')
  const message = await getOutboxMessage(args.params.id ?? '')
  if (!message) throw notFound('That email is not in the outbox.')
  const { html: _html, ...rest } = message
  return { message: rest }
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
  const { message } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/admin/outbox">← Outbox</Link>
      </p>
      <h1>{message.subject}</h1>
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
      <section aria-labelledby="body" className="card">
        <h2 id="body">Message</h2>
        <pre className="mt-4 whitespace-pre-wrap break-words font-sans text-sm leading-relaxed">
          <LinkedText text={message.text} />
        </pre>
      </section>
    </div>
  )
}
