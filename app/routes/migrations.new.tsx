import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { MarkdownEditor } from '~/components/markdown-editor'
import { ProductSelect } from '~/components/posts/product-fields'
import { Field, FormErrors } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { listProductsWithVersions } from '~/modules/posts/post-queries.server'
import { BODY_MAX, MIGRATION_STATUS_LABELS, MigrationSchema } from '~/modules/posts/posts.schema'
import { planMigration } from '~/modules/posts/posts.server'
import { parseForm } from '~/utils/forms'
import { isPreview, previewResponse } from '~/utils/preview.server'
import { commandFailure, formFailure, limitedFailure } from '~/utils/http.server'
import { newId } from '~/utils/result'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireUser(args)
  return { products: await listProductsWithVersions(), submissionKey: newId() }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const formData = await args.request.formData()
  if (isPreview(formData)) return previewResponse(formData, BODY_MAX)
  const form = parseForm(formData, MigrationSchema)
  if (!form.ok) return formFailure(form)
  const limit = await consumeLimit('post', user.id)
  if (!limit.ok) return limitedFailure({ errors: { '': [limitMessage('post', limit.retryAfter)] }, values: form.values }, limit.retryAfter)
  const result = await planMigration(user, form.data)
  if (!result.ok) return commandFailure(result, form.values)
  throw redirect(`/posts/${result.value.id}?notice=migration-planned`)
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Plan a migration · Switchboard' }]

function VersionSelect({
  id,
  label,
  products,
  defaultValue,
  errors,
}: {
  id: string
  label: string
  products: Awaited<ReturnType<typeof loader>>['products']
  defaultValue?: string
  errors?: string[]
}) {
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      <select id={id} name={id} className="input" defaultValue={defaultValue ?? ''} aria-invalid={errors ? true : undefined} aria-describedby={errors ? `${id}-error` : undefined}>
        <option value="">Choose a version…</option>
        {products.map((p) => (
          <optgroup key={p.id} label={p.name}>
            {p.versions
              .filter((v) => !v.retired || v.id === defaultValue)
              .map((v) => (
                <option key={v.id} value={v.id}>
                  {p.name} {v.name}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
      {errors ? (
        <p id={`${id}-error`} className="field-error">
          {errors[0]}
        </p>
      ) : null}
    </div>
  )
}

export default function NewMigrationPage() {
  const { products, submissionKey } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const values: Record<string, string> = actionData?.values ?? {}
  const errors: Record<string, string[] | undefined> = actionData?.errors ?? {}
  const preview = actionData && 'preview' in actionData ? (actionData.preview as string) : undefined
  const defaultProduct = values.productId ?? products.find((p) => p.slug === searchParams.get('product'))?.id ?? ''
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1>Plan a migration</h1>
        <p className="mt-2 text-slate-700">
          Tell us and other customers when you plan to upgrade. You will see the known problems of the target version and
          who else is making the same move — support can connect you.
        </p>
      </div>
      <Form method="post" className="card space-y-5" noValidate>
        <input type="hidden" name="submissionKey" value={values.submissionKey ?? submissionKey} />
        <FormErrors errors={errors['']} />
        <ProductSelect products={products} defaultValue={defaultProduct} errors={errors.productId} />
        <div className="grid gap-4 sm:grid-cols-2">
          <VersionSelect id="fromVersionId" label="From version" products={products} defaultValue={values.fromVersionId} errors={errors.fromVersionId} />
          <VersionSelect id="toVersionId" label="To version" products={products} defaultValue={values.toVersionId} errors={errors.toVersionId} />
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Planned date (or start of the window)" name="windowStart" type="date" required defaultValue={values.windowStart ?? ''} errors={errors.windowStart} />
          <Field label="End of the window (optional)" name="windowEnd" type="date" defaultValue={values.windowEnd ?? ''} errors={errors.windowEnd} />
        </div>
        <div>
          <label htmlFor="status" className="label">
            Status
          </label>
          <select id="status" name="status" className="input" defaultValue={values.status ?? 'planned'}>
            {Object.entries(MIGRATION_STATUS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <MarkdownEditor label="Notes (optional)" name="body" defaultValue={values.body ?? ''} errors={errors.body} maxLength={BODY_MAX} preview={preview} rows={6} required={false} />
        <SubmitButton pendingText="Saving…">Save the plan</SubmitButton>
      </Form>
    </div>
  )
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
