import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listAuditActions, listAuditLog } from '~/modules/audit/audit.server'
import { requireRole } from '~/modules/auth/auth.server'
import { formatDateTime } from '~/utils/format'
import { hasControlCharacters } from '~/utils/forms'
import { KeysetPagination } from '~/components/ui/pagination'
import { cursorFrom } from '~/utils/keyset'

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined)

/** The filters in the URL; anything malformed is ignored rather than refused. */
const AuditFiltersSchema = z.object({
  person: z.string().trim().toLowerCase().max(254).refine((v) => !hasControlCharacters(v)).optional().catch(undefined),
  action: z.string().max(64).refine((v) => !hasControlCharacters(v)).optional().catch(undefined),
  from: date,
  to: date,
})

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'admin')
  const url = new URL(args.request.url)
  const filters = AuditFiltersSchema.parse(Object.fromEntries(url.searchParams))
  const [log, actions] = await Promise.all([
    listAuditLog({
      actorEmail: filters.person || undefined,
      action: filters.action || undefined,
      from: filters.from ? new Date(`${filters.from}T00:00:00Z`) : undefined,
      to: filters.to ? new Date(Date.parse(`${filters.to}T00:00:00Z`) + 24 * 3600 * 1000) : undefined,
      cursor: cursorFrom(url),
    }),
    listAuditActions(),
  ])
  return { ...log, actions, filters }
}

export const meta: MetaFunction = () => [{ title: 'Audit log · Admin · Switchboard' }]

export default function AuditLogPage() {
  const { rows, older, newer, actions, filters } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-6">
      <h1>Audit log</h1>
      <p className="text-slate-700">Who did what, and when: sign-ups, invitations, role and account changes, moderation, acceptances and introductions.</p>
      <Form method="get" className="card flex flex-wrap items-end gap-3 p-4" aria-label="Filter the audit log">
        <div>
          <label htmlFor="audit-person" className="label">
            Person (email)
          </label>
          <input id="audit-person" name="person" type="email" defaultValue={filters.person ?? ''} className="input" />
        </div>
        <div>
          <label htmlFor="audit-action" className="label">
            Action
          </label>
          <select id="audit-action" name="action" defaultValue={filters.action ?? ''} className="input">
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-from" className="label">
            From
          </label>
          <input id="audit-from" name="from" type="date" defaultValue={filters.from ?? ''} className="input" />
        </div>
        <div>
          <label htmlFor="audit-to" className="label">
            To
          </label>
          <input id="audit-to" name="to" type="date" defaultValue={filters.to ?? ''} className="input" />
        </div>
        <button type="submit" className="btn-secondary">
          Filter
        </button>
        <Link to="/admin/audit" className="text-sm">
          Clear
        </Link>
      </Form>
      {rows.length === 0 ? (
        <p className="card text-slate-700">Nothing recorded matches these filters.</p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table">
            <caption className="sr-only">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td className="whitespace-nowrap">{formatDateTime(row.at)}</td>
                  <td>{row.actorName ? `${row.actorName} (${row.actorEmail})` : <span className="text-slate-600">the system</span>}</td>
                  <td>
                    <code>{row.action}</code>
                  </td>
                  <td>
                    {row.subjectType === 'post' && row.subjectId ? (
                      <Link to={`/posts/${row.subjectId}`}>post {row.subjectId}</Link>
                    ) : row.subjectType === 'introduction' && row.subjectId ? (
                      <Link to={`/introductions/${row.subjectId}`}>introduction {row.subjectId}</Link>
                    ) : (
                      [row.subjectType, row.subjectId].filter(Boolean).join(' ')
                    )}
                  </td>
                  <td className="max-w-xs break-words text-xs text-slate-700">
                    {Object.keys(row.details ?? {}).length ? JSON.stringify(row.details) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <KeysetPagination newer={newer} older={older} />
    </div>
  )
}
