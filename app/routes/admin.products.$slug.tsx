import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, Notice, TextAreaField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireRole } from '~/modules/auth/auth.server'
import {
  DESCRIPTION_MAX,
  PRODUCT_NAME_MAX,
  RenameSchema,
  RenameVersionSchema,
  VERSION_NAME_MAX,
  VersionSchema,
  VersionTargetSchema,
} from '~/modules/catalog/catalog.schema'
import {
  addVersion,
  getProductBySlug,
  renameProduct,
  renameVersion,
  restoreVersion,
  retireVersion,
} from '~/modules/catalog/catalog.server'
import { formatDate } from '~/utils/format'
import { parseForm, type FieldErrors } from '~/utils/forms'
import { commandFailure, forbidden, formFailure, notFound } from '~/utils/http.server'
import { type NoticeKey, noticeFrom } from '~/utils/notices'
import { type Failure } from '~/utils/result'
import { slugParam } from '~/utils/params.server'

const PRODUCT_MISSING = 'We could not find that product. It may have been renamed; choose it again from the list of products.'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'admin')
  const product = await getProductBySlug(slugParam(args))
  if (!product) throw notFound(PRODUCT_MISSING)
  return { product, notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const product = await getProductBySlug(slugParam(args))
  if (!product) throw notFound(PRODUCT_MISSING)
  const formData = await args.request.formData()
  const intent = String(formData.get('intent') ?? '')
  const back = (notice: NoticeKey) => redirect(`/admin/products/${product.slug}?notice=${notice}`)
  /** A command's failure shown on the form it came from; refusals become error pages. */
  const failed = (failure: Failure, values: Record<string, string>) => {
    if (failure.reason === 'forbidden') throw forbidden(failure.message)
    return commandFailure(failure, { ...values, intent }, failure.reason === 'not_found' ? 404 : 400)
  }

  if (intent === 'rename') {
    const form = parseForm(formData, RenameSchema)
    if (!form.ok) return formFailure({ ...form, values: { ...form.values, intent } })
    const result = await renameProduct(admin, product.id, form.data)
    if (!result.ok) return failed(result, form.values)
    throw back('product-renamed')
  }
  if (intent === 'add-version') {
    const form = parseForm(formData, VersionSchema)
    if (!form.ok) return formFailure({ ...form, values: { ...form.values, intent } })
    const result = await addVersion(admin, product.id, form.data)
    if (!result.ok) return failed(result, form.values)
    throw back('version-added')
  }
  if (intent === 'rename-version') {
    const form = parseForm(formData, RenameVersionSchema)
    if (!form.ok) return formFailure({ ...form, values: { ...form.values, intent } })
    const { versionId, ...input } = form.data
    const result = await renameVersion(admin, product.id, versionId, input)
    if (!result.ok) return failed(result, form.values)
    throw back('version-renamed')
  }
  if (intent === 'retire' || intent === 'restore') {
    const form = parseForm(formData, VersionTargetSchema)
    if (!form.ok) return formFailure({ ...form, values: { ...form.values, intent } })
    const retire = intent === 'retire'
    const result = retire
      ? await retireVersion(admin, product.id, form.data.versionId)
      : await restoreVersion(admin, product.id, form.data.versionId)
    if (!result.ok) return failed(result, form.values)
    if (!result.value.changed) throw back(retire ? 'version-already-retired' : 'version-already-active')
    throw back(retire ? 'version-retired' : 'version-restored')
  }
  return data(
    { errors: { '': ['Choose an action.'] } as FieldErrors, values: { intent: '' } as Record<string, string> },
    { status: 400 },
  )
}

export default function ProductAdminPage() {
  const { product, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const values: Record<string, string> = actionData?.values ?? {}
  const intent = values.intent
  const errorsFor = (name: string): FieldErrors => (intent === name ? (actionData?.errors ?? {}) : {})
  /** Errors of a per-version form: only the version that was submitted shows them. */
  const versionErrors = (versionId: string): FieldErrors =>
    (intent === 'rename-version' || intent === 'retire' || intent === 'restore') && values.versionId === versionId
      ? (actionData?.errors ?? {})
      : {}
  const submittedVersionExists = product.versions.some((v) => v.id === values.versionId)
  // A version form whose version vanished (or a forged id): show the error at the top.
  const orphanErrors =
    (intent === 'rename-version' || intent === 'retire' || intent === 'restore') && !submittedVersionExists
      ? (actionData?.errors ?? {})
      : {}
  // Posting to the bare address drops a `?notice=` from an earlier success.
  const formAction = `/admin/products/${product.slug}`
  const renaming = intent === 'rename'
  const adding = intent === 'add-version'
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/admin/products">← All products</Link>
      </p>
      <div>
        <h1>{product.name}</h1>
        <p className="mt-1 text-sm text-slate-600">
          Web address <Link to={`/products/${product.slug}`}>/products/{product.slug}</Link> · {product.postCount}{' '}
          {product.postCount === 1 ? 'post' : 'posts'}
        </p>
      </div>
      {notice ? <Notice>{notice}</Notice> : null}
      <FormErrors errors={errorsFor('')[''] ?? Object.values(orphanErrors).flat().filter((e): e is string => Boolean(e))} />

      <section aria-labelledby="versions" className="card space-y-4">
        <div>
          <h2 id="versions">Versions</h2>
          <p className="hint">
            In the order customers see them; new versions go last. A retired version is no longer offered for new posts and
            stays on the posts that already name it.
          </p>
        </div>
        {product.versions.length === 0 ? (
          <p className="text-sm text-slate-600">No versions yet. Add the first one below.</p>
        ) : (
          <ul className="space-y-4">
            {product.versions.map((v) => {
              const errors = versionErrors(v.id)
              const typed = intent === 'rename-version' && values.versionId === v.id
              return (
                <li key={`${v.id}:${v.name}:${v.releasedOn ?? ''}:${v.retiredAt ? 'r' : 'a'}`} className="rounded-md border border-slate-200 p-3">
                  <Form method="post" action={formAction} noValidate>
                    <fieldset className="space-y-3">
                      <legend className="font-medium">
                        Version {v.name}
                        {v.retiredAt ? (
                          <span className="ml-2 rounded bg-slate-200 px-2 py-0.5 text-xs">retired {formatDate(v.retiredAt)}</span>
                        ) : null}
                        <span className="ml-2 text-sm font-normal text-slate-600">
                          · {v.postCount} {v.postCount === 1 ? 'post' : 'posts'}
                        </span>
                      </legend>
                      <input type="hidden" name="versionId" value={v.id} />
                      <FormErrors errors={errors['']} />
                      <div className="grid gap-3 sm:grid-cols-2">
                        <Field
                          label="Name"
                          name="name"
                          required
                          maxLength={VERSION_NAME_MAX}
                          defaultValue={typed ? values.name : v.name}
                          errors={errors.name}
                        />
                        <Field
                          label="Release date (optional)"
                          name="releasedOn"
                          type="date"
                          placeholder="YYYY-MM-DD"
                          defaultValue={typed ? values.releasedOn : (v.releasedOn ?? '')}
                          errors={errors.releasedOn}
                        />
                      </div>
                      {errors.versionId ? <p className="field-error">{errors.versionId[0]}</p> : null}
                      <div className="flex flex-wrap gap-2">
                        <SubmitButton className="btn-secondary" name="intent" value="rename-version" pendingText="Saving…">
                          Save<span className="sr-only"> version {v.name}</span>
                        </SubmitButton>
                        <SubmitButton
                          className={v.retiredAt ? 'btn-secondary' : 'btn-danger'}
                          name="intent"
                          value={v.retiredAt ? 'restore' : 'retire'}
                        >
                          {v.retiredAt ? 'Offer again' : 'Retire'}
                          <span className="sr-only"> version {v.name}</span>
                        </SubmitButton>
                      </div>
                    </fieldset>
                  </Form>
                </li>
              )
            })}
          </ul>
        )}
      </section>

      <div className="grid gap-6 md:grid-cols-2">
        <section aria-labelledby="add-version" className="card">
          <h2 id="add-version">Add a version</h2>
          <Form key={product.versions.length} method="post" action={formAction} className="mt-4 space-y-4" noValidate>
            <FormErrors errors={errorsFor('add-version')['']} />
            <Field
              label="Version name"
              name="name"
              required
              maxLength={VERSION_NAME_MAX}
              defaultValue={adding ? values.name : undefined}
              errors={errorsFor('add-version').name}
              hint={`At most ${VERSION_NAME_MAX} characters, such as 5.1 or 2025.2.`}
            />
            <Field
              label="Release date (optional)"
              name="releasedOn"
              type="date"
              placeholder="YYYY-MM-DD"
              defaultValue={adding ? values.releasedOn : undefined}
              errors={errorsFor('add-version').releasedOn}
              hint="Written YYYY-MM-DD, such as 2025-03-31."
            />
            <SubmitButton name="intent" value="add-version" pendingText="Adding…">
              Add version
            </SubmitButton>
          </Form>
        </section>

        <section aria-labelledby="rename-product" className="card">
          <h2 id="rename-product">Name and description</h2>
          <Form key={`${product.name}:${product.description}`} method="post" action={formAction} className="mt-4 space-y-4" noValidate>
            <FormErrors errors={errorsFor('rename')['']} />
            <Field
              label="Name"
              name="name"
              required
              maxLength={PRODUCT_NAME_MAX}
              defaultValue={renaming ? values.name : product.name}
              errors={errorsFor('rename').name}
              hint={`2 to ${PRODUCT_NAME_MAX} characters. The web address stays /products/${product.slug}.`}
            />
            <TextAreaField
              label="Description (optional)"
              name="description"
              defaultValue={renaming ? values.description : product.description}
              errors={errorsFor('rename').description}
              hint={`At most ${DESCRIPTION_MAX} characters, shown on the product’s page.`}
            />
            <SubmitButton name="intent" value="rename" pendingText="Saving…">
              Save name and description
            </SubmitButton>
          </Form>
        </section>
      </div>
    </div>
  )
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.product.name ?? 'Product'} · Admin · Switchboard` },
]
