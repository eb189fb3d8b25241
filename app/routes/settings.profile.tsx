import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { ProfileSchema } from '~/modules/accounts/accounts.schema'
import { getOwnProfile, updateProfile } from '~/modules/accounts/accounts.server'
import { requireUser } from '~/modules/auth/auth.server'
import { parseForm } from '~/utils/forms'
import { formFailure, notFound } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const profile = await getOwnProfile(user)
  if (!profile) throw notFound()
  return { profile, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  // Only the fields of ProfileSchema are read: a forged "role" or
  // "organizationId" field in the form is ignored.
  const form = parseForm(await args.request.formData(), ProfileSchema)
  if (!form.ok) return formFailure(form)
  await updateProfile(user, form.data)
  throw redirect('/settings/profile?notice=profile-saved')
}

export const meta: MetaFunction = () => [{ title: 'Your profile · Switchboard' }]

const ROLE_NAMES = { customer: 'Customer', support: 'Support engineer', admin: 'Administrator' } as const

export default function ProfilePage() {
  const { profile, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  return (
    <section aria-labelledby="profile-title" className="space-y-6">
      <h1 id="profile-title">Your profile</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <div className="card">
        <dl className="grid gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-600">Organization</dt>
            <dd className="font-medium">{profile.organizationName}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Role</dt>
            <dd className="font-medium">{ROLE_NAMES[profile.role]}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Email</dt>
            <dd className="font-medium break-all">{profile.email}</dd>
          </div>
        </dl>
      </div>
      <div className="card">
        <Form method="post" className="space-y-4" noValidate>
          <FormErrors errors={errors['']} />
          <Field label="Your name" name="name" autoComplete="name" required maxLength={100} defaultValue={actionData?.values.name ?? profile.name} errors={errors.name} hint="Shown next to what you post." />
          <SubmitButton pendingText="Saving…">Save profile</SubmitButton>
        </Form>
      </div>
    </section>
  )
}
