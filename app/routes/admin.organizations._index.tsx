import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, Notice, TextAreaField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { OrganizationSchema } from '~/modules/accounts/accounts.schema'
import { createOrganization, listOrganizations } from '~/modules/accounts/accounts.server'
import { requireRole } from '~/modules/auth/auth.server'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure, forbidden } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const result = await listOrganizations(admin)
  if (!result.ok) throw forbidden(result.message)
  return { organizations: result.value, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const form = parseForm(await args.request.formData(), OrganizationSchema)
  if (!form.ok) return formFailure(form)
  const result = await createOrganization(admin, form.data)
  if (!result.ok) {
    if (result.reason === 'forbidden') throw forbidden(result.message)
    return commandFailure(result, { name: form.data.name, domains: form.data.domains.join(', ') })
  }
  throw redirect(`/admin/organizations/${result.value.id}?notice=organization-created`)
}

export const meta: MetaFunction = () => [{ title: 'Organizations · Admin · Switchboard' }]

export default function OrganizationsPage() {
  const { organizations, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  return (
    <div className="space-y-6">
      <h1>Organizations</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <div className="card overflow-x-auto p-0">
        <table className="table">
          <caption className="sr-only">Organizations, their sign-up domains and number of people</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Sign-up domains</th>
              <th scope="col">People</th>
            </tr>
          </thead>
          <tbody>
            {organizations.map((org) => (
              <tr key={org.id}>
                <td>
                  <Link to={`/admin/organizations/${org.id}`}>{org.name}</Link>
                  {org.isVendor ? <span className="ml-2 rounded bg-brand-100 px-2 py-0.5 text-xs text-brand-800">vendor</span> : null}
                </td>
                <td>{org.domains.length ? org.domains.join(', ') : <span className="text-slate-600">invitation only</span>}</td>
                <td>{org.members}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="new-org" className="card">
        <h2 id="new-org">Add a customer organization</h2>
        <Form method="post" className="mt-4 space-y-4" noValidate>
          <FormErrors errors={errors['']} />
          <Field label="Name" name="name" required maxLength={120} defaultValue={actionData?.values.name} errors={errors.name} />
          <TextAreaField
            label="Sign-up domains (optional)"
            name="domains"
            defaultValue={actionData?.values.domains}
            errors={errors.domains}
            hint="People with an email at these domains may sign up on their own after confirming their address. Separate with commas or new lines, e.g. example.com."
          />
          <SubmitButton pendingText="Creating…">Create organization</SubmitButton>
        </Form>
      </section>
    </div>
  )
}
