import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Pagination } from '~/components/ui/pagination'
import { requireRole } from '~/modules/auth/auth.server'
import { listOutboxForAdmin } from '~/modules/email/outbox-view.server'
import { formatDateTime } from '~/utils/format'
import { forbidden } from '~/utils/http.server'
import { pageFrom } from '~/utils/pagination'

export async function loader(args: LoaderFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const url = new URL(args.request.url)
  const result = await listOutboxForAdmin(admin, { page: pageFrom(url) })
  if (!result.ok) throw forbidden(result.message)
  return { ...result.value, smtp: Boolean(process.env.SMTP_URL) }
}

export const meta: MetaFunction = () => [{ title: 'Outbox · Admin · Switchboard' }]

const STATUS: Record<string, string> = {
  pending: 'waiting',
  sending: 'sending',
  sent: 'sent',
  kept: 'kept (no SMTP)',
  failed: 'failed',
}

export default function OutboxPage() {
  const { rows, total, page, pageSize, smtp, masked } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-6">
      <h1>Outbox</h1>
      <p className="text-slate-700">
        {smtp
          ? 'Every email Switchboard sends, with its delivery status.'
          : 'No SMTP server is configured, so emails are kept here instead of being sent. Open one to read it and follow its links.'}
        {masked
          ? ' Personal sign-in links (password resets, invitations, sign-up and email-change confirmations) show their secret part only in your own emails.'
          : ''}
      </p>
      {rows.length === 0 ? (
        <p className="card text-slate-600">No emails yet.</p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table">
            <caption className="sr-only">Emails, newest first</caption>
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col">Queued</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td className="break-all">{row.toAddress}</td>
                  <td>
                    <Link to={`/admin/outbox/${row.id}`}>{row.subject}</Link>
                  </td>
                  <td>{STATUS[row.status] ?? row.status}</td>
                  <td>{formatDateTime(row.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} pageSize={pageSize} total={total} />
    </div>
  )
}
