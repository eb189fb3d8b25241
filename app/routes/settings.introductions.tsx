import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { IntroductionSettingsSchema } from '~/modules/introductions/introductions.schema'
import { getIntroductionSettings, updateIntroductionSettings } from '~/modules/introductions/introductions.server'
import { parseForm } from '~/utils/forms'
import { formFailure, notFound } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const settings = await getIntroductionSettings(user)
  if (!settings) throw notFound()
  return { settings, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  // Only the schema's two fields are read, for the signed-in person: a forged
  // "userId" in the form changes nobody else's settings.
  const form = parseForm(await args.request.formData(), IntroductionSettingsSchema)
  if (!form.ok) return formFailure(form)
  await updateIntroductionSettings(user, form.data)
  throw redirect('/settings/introductions?notice=introduction-settings-saved')
}

export const meta: MetaFunction = () => [{ title: 'Introduction settings · Switchboard' }]

export default function IntroductionSettingsPage() {
  const { settings, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  // After a refused save, show what was sent (an unticked box is absent from the form).
  const enabled = actionData ? actionData.values.introductionsEnabled !== undefined : settings.introductionsEnabled
  const contactEmail = actionData ? (actionData.values.contactEmail ?? '') : (settings.contactEmail ?? '')
  return (
    <section aria-labelledby="introduction-settings-title" className="space-y-6">
      <h1 id="introduction-settings-title">Introductions</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <div className="space-y-3 text-slate-700">
        <p>
          When you are stuck, the quickest help is often another customer who already solved the same thing. Support can
          introduce the two of you — and when you have solved something, someone else may be glad to hear from you.
        </p>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            <strong>Always double opt-in.</strong> Support asks each of you separately, here in Switchboard. Nothing
            happens unless you both say yes.
          </li>
          <li>
            <strong>What is shared, and when.</strong> Only once you both said yes does each of you see the other’s name,
            organization and the contact email below, and a private thread opens for the two of you and support. Before
            that, the other person does not learn your name — not even that you were asked.
          </li>
          <li>
            <strong>Saying no is private.</strong> The other side learns only that the introduction did not happen, never
            who said no or why.
          </li>
        </ul>
        <p>
          See <Link to="/introductions">your introductions</Link>.
        </p>
      </div>
      <div className="card">
        <Form method="post" className="space-y-6" noValidate>
          <FormErrors errors={errors['']} />
          <div>
            <div className="flex items-start gap-3">
              <input
                id="introductions-enabled"
                type="checkbox"
                name="introductionsEnabled"
                value="on"
                defaultChecked={enabled}
                aria-describedby="introductions-enabled-hint"
                className="mt-1 h-4 w-4 accent-brand-600"
              />
              <label htmlFor="introductions-enabled" className="text-sm font-medium text-slate-900">
                Support may introduce me to other customers
              </label>
            </div>
            <p id="introductions-enabled-hint" className="hint ml-7">
              On by default. Turning it off stops new requests from now on; it withdraws nothing already connected, and
              your existing threads stay open.
            </p>
          </div>
          <Field
            label="Contact email to share"
            name="contactEmail"
            type="email"
            autoComplete="email"
            maxLength={254}
            placeholder={settings.email}
            defaultValue={contactEmail}
            errors={errors.contactEmail}
            hint={`Shown only to people you are connected with. Leave it empty to share your account email (${settings.email}).`}
          />
          <SubmitButton pendingText="Saving…">Save introduction settings</SubmitButton>
        </Form>
      </div>
    </section>
  )
}
