import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, Notice, TextAreaField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { DomainsSchema, InviteSchema, RoleSchema, ROLES } from '~/modules/accounts/accounts.schema'
import {
  changeUserRole,
  deactivateUser,
  getOrganization,
  inviteUser,
  reactivateUser,
  revokeInvitation,
  setOrganizationDomains,
} from '~/modules/accounts/accounts.server'
import { requireRole } from '~/modules/auth/auth.server'
import { isSafeId, parseForm, type FieldErrors } from '~/utils/forms'
import { commandFailure, formFailure, forbidden, notFound, limitedFailure } from '~/utils/http.server'
import { formatDateTime } from '~/utils/format'
import { noticeFrom } from '~/utils/notices'
import { idParam } from '~/utils/params.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

export async function loader(args: LoaderFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const result = await getOrganization(admin, idParam(args))
  if (!result.ok) throw result.reason === 'forbidden' ? forbidden(result.message) : notFound(result.message)
  return { organization: result.value, adminId: admin.id, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const organizationId = idParam(args)
  const formData = await args.request.formData()
  const intent = formData.get('intent')
  const back = (notice: string) => redirect(`/admin/organizations/${organizationId}?notice=${notice}`)

  if (intent === 'domains') {
    const form = parseForm(formData, DomainsSchema)
    if (!form.ok) return formFailure({ ...form, values: { ...form.values, intent: 'domains' } })
    const result = await setOrganizationDomains(admin, organizationId, form.data.domains)
    if (!result.ok) return commandFailure(result, { intent: 'domains', domains: form.data.domains.join(', ') }, result.reason === 'not_found' ? 404 : 400)
    throw back('domains-saved')
  }
  if (intent === 'invite') {
    const form = parseForm(formData, InviteSchema)
    if (!form.ok) return formFailure({ ...form, values: { ...form.values, intent: 'invite' } })
    const values = { intent: 'invite', email: form.data.email, role: form.data.role }
    const limit = await consumeLimit('invitation', args.context.clientIp ?? 'unknown')
    if (!limit.ok) return limitedFailure({ errors: { '': [limitMessage('invitation', limit.retryAfter)] } as FieldErrors, values }, limit.retryAfter)
    const result = await inviteUser(admin, { organizationId, ...form.data })
    if (!result.ok && 'retryAfter' in result) {
      return limitedFailure({ errors: { [result.field ?? '']: [result.message] } as FieldErrors, values }, result.retryAfter)
    }
    if (!result.ok) return commandFailure(result, values, result.reason === 'not_found' ? 404 : 400)
    throw back('invitation-sent')
  }
  const rawTargetId = formData.get('id')
  const targetId = isSafeId(rawTargetId) ? rawTargetId : ''
  if (intent === 'revoke') {
    const result = await revokeInvitation(admin, targetId)
    if (!result.ok) return commandFailure(result, { intent: 'people' }, 404)
    throw back('invitation-revoked')
  }
  if (intent === 'role') {
    const form = parseForm(formData, RoleSchema)
    if (!form.ok) return formFailure({ ...form, values: { ...form.values, intent: 'people' } })
    const result = await changeUserRole(admin, targetId, form.data.role)
    if (!result.ok) return commandFailure(result, { intent: 'people' }, result.reason === 'not_found' ? 404 : 400)
    throw back('role-changed')
  }
  if (intent === 'deactivate' || intent === 'reactivate') {
    const result = intent === 'deactivate' ? await deactivateUser(admin, targetId) : await reactivateUser(admin, targetId)
    if (!result.ok) return commandFailure(result, { intent: 'people' }, result.reason === 'not_found' ? 404 : 400)
    throw back(intent === 'deactivate' ? 'user-deactivated' : 'user-reactivated')
  }
  return data(
    { errors: { '': ['Choose an action.'] } as FieldErrors, values: { intent: '' } as Record<string, string> },
    { status: 400 },
  )
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.organization.name ?? 'Organization'} · Admin · Switchboard` },
]

export default function OrganizationPage() {
  const { organization, adminId, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const values: Record<string, string> = actionData?.values ?? {}
  const intent = values.intent
  const errorsFor = (name: string): FieldErrors => (intent === name ? (actionData?.errors ?? {}) : {})
  const roles = organization.isVendor ? ROLES : (['customer'] as const)
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/admin/organizations">← All organizations</Link>
      </p>
      <h1>{organization.name}</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <FormErrors errors={errorsFor('people')['']} />

      <section aria-labelledby="people" className="card overflow-x-auto">
        <h2 id="people">People</h2>
        {organization.members.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">Nobody yet. Invite the first person below.</p>
        ) : (
          <table className="table mt-4">
            <caption className="sr-only">People of {organization.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {organization.members.map((m) => (
                <tr key={m.id}>
                  <td>
                    {m.name}
                    {m.active ? null : <span className="ml-2 rounded bg-slate-200 px-2 py-0.5 text-xs">deactivated</span>}
                  </td>
                  <td className="break-all">{m.email}</td>
                  <td>
                    {organization.isVendor && m.id !== adminId ? (
                      <Form method="post" action={`/admin/organizations/${organization.id}`} className="flex items-center gap-2">
                        <input type="hidden" name="id" value={m.id} />
                        <label htmlFor={`role-${m.id}`} className="sr-only">
                          Role of {m.name}
                        </label>
                        <select id={`role-${m.id}`} name="role" defaultValue={m.role} className="input w-auto py-1">
                          {ROLES.map((role) => (
                            <option key={role} value={role}>
                              {role}
                            </option>
                          ))}
                        </select>
                        <SubmitButton className="btn-secondary" name="intent" value="role">
                          Save<span className="sr-only"> the role of {m.name}</span>
                        </SubmitButton>
                      </Form>
                    ) : (
                      m.role
                    )}
                  </td>
                  <td>{m.lastSignInAt ? formatDateTime(m.lastSignInAt) : 'never'}</td>
                  <td>
                    {m.id === adminId ? null : (
                      <Form method="post" action={`/admin/organizations/${organization.id}`}>
                        <input type="hidden" name="id" value={m.id} />
                        <SubmitButton className={m.active ? 'btn-danger' : 'btn-secondary'} name="intent" value={m.active ? 'deactivate' : 'reactivate'}>
                          {m.active ? 'Deactivate' : 'Reactivate'}
                          <span className="sr-only"> {m.name}</span>
                        </SubmitButton>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div className="grid gap-6 md:grid-cols-2">
        <section aria-labelledby="invite" className="card">
          <h2 id="invite">Invite someone</h2>
          <Form method="post" action={`/admin/organizations/${organization.id}`} className="mt-4 space-y-4" noValidate>
            <FormErrors errors={errorsFor('invite')['']} />
            <Field label="Email" name="email" type="email" required defaultValue={intent === 'invite' ? values.email : undefined} errors={errorsFor('invite').email} />
            <div>
              <label htmlFor="invite-role" className="label">
                Role
              </label>
              <select id="invite-role" name="role" className="input" defaultValue={(intent === 'invite' && values.role) || 'customer'}>
                {roles.map((role) => (
                  <option key={role} value={role}>
                    {role}
                  </option>
                ))}
              </select>
              {errorsFor('invite').role ? <p className="field-error">{errorsFor('invite').role![0]}</p> : null}
            </div>
            <SubmitButton name="intent" value="invite" pendingText="Sending…">
              Send invitation
            </SubmitButton>
          </Form>
          {organization.invitations.length ? (
            <>
              <h3 className="mt-6 text-sm font-semibold">Open invitations</h3>
              <ul className="mt-2 space-y-2 text-sm">
                {organization.invitations.map((inv) => (
                  <li key={inv.id} className="flex items-center justify-between gap-2">
                    <span className="break-all">
                      {inv.email} ({inv.role}) · expires {formatDateTime(inv.expiresAt)}
                    </span>
                    <Form method="post" action={`/admin/organizations/${organization.id}`}>
                      <input type="hidden" name="id" value={inv.id} />
                      <SubmitButton className="btn-secondary" name="intent" value="revoke">
                        Withdraw<span className="sr-only"> the invitation of {inv.email}</span>
                      </SubmitButton>
                    </Form>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>

        <section aria-labelledby="domains" className="card">
          <h2 id="domains">Sign-up domains</h2>
          <Form method="post" action={`/admin/organizations/${organization.id}`} className="mt-4 space-y-4" noValidate>
            <FormErrors errors={errorsFor('domains')['']} />
            <TextAreaField
              label="Allowed email domains"
              name="domains"
              defaultValue={intent === 'domains' ? values.domains : organization.domains.join('\n')}
              errors={errorsFor('domains').domains}
              hint="One per line. People with these email domains may sign up after confirming their address. Leave empty for invitation only."
            />
            <SubmitButton name="intent" value="domains" pendingText="Saving…">
              Save domains
            </SubmitButton>
          </Form>
        </section>
      </div>
    </div>
  )
}
