import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { useState } from 'react'
import { MarkdownEditor } from '~/components/markdown-editor'
import { ProductAndVersions } from '~/components/posts/product-fields'
import { SimilarPanel } from '~/components/search/similar-panel'
import { Field, FormErrors } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { listProductsWithVersions } from '~/modules/posts/post-queries.server'
import { BODY_MAX, ProblemSchema, TAGS_MAX, TITLE_MAX } from '~/modules/posts/posts.schema'
import { logProblem } from '~/modules/posts/posts.server'
import { similarPosts, type SearchCard } from '~/modules/search/search.server'
import { parseForm, type FieldErrors } from '~/utils/forms'
import { isPreview, typedFields } from '~/utils/preview.server'
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
  const form = parseForm(formData, ProblemSchema, { arrays: ['versionIds'] })
  if (isPreview(formData)) {
    const body = String(formData.get('body') ?? '').slice(0, BODY_MAX)
    const workaround = String(formData.get('workaround') ?? '').slice(0, BODY_MAX)
    return data({
      preview: { body: renderMarkdown(body), workaround: workaround.trim() ? renderMarkdown(workaround) : null },
      similar: await similarPosts(user, `${String(formData.get('title') ?? '')} ${body}`),
      values: typedFields(formData),
      errors: {} as FieldErrors,
    })
  }
  if (!form.ok) return formFailure(form)
  const typed = { ...form.values, versionIds: form.data.versionIds.join(',') }
  const limit = await consumeLimit('post', user.id)
  if (!limit.ok) return limitedFailure({ errors: { '': [limitMessage('post', limit.retryAfter)] }, values: typed }, limit.retryAfter)
  const result = await logProblem(user, form.data)
  if (!result.ok) return commandFailure(result, typed)
  throw redirect(`/posts/${result.value.id}?notice=problem-logged`)
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Log a problem · Switchboard' }]

export default function NewProblemPage() {
  const { products, submissionKey } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const values: Record<string, string> = actionData?.values ?? {}
  const errors: Record<string, string[] | undefined> = actionData?.errors ?? {}
  const preview = actionData && 'preview' in actionData ? (actionData.preview as { body: string; workaround: string | null }) : null
  const similar = actionData && 'similar' in actionData ? (actionData.similar as SearchCard[]) : undefined
  const [title, setTitle] = useState(values.title ?? searchParams.get('title') ?? '')
  const [body, setBody] = useState(values.body ?? searchParams.get('body') ?? '')
  const defaultProduct = values.productId ?? products.find((p) => p.slug === searchParams.get('product'))?.id
  const defaultVersions = values.versionIds ? values.versionIds.split(',') : searchParams.getAll('version')
  return (
    <div className="mx-auto grid max-w-6xl gap-6 lg:grid-cols-[1fr_20rem]">
      <div className="space-y-6">
      <div>
        <h1>Log a problem</h1>
        <p className="mt-2 text-slate-700">
          Describe what happens and what you expected. You will get a tracking link at once, and we let you know when
          someone replies or posts a workaround.
        </p>
      </div>
      <Form method="post" className="card space-y-5" noValidate>
        <input type="hidden" name="submissionKey" value={values.submissionKey ?? submissionKey} />
        <FormErrors errors={errors['']} />
        <Field
          label="Title"
          name="title"
          required
          maxLength={TITLE_MAX}
          defaultValue={values.title ?? searchParams.get('title') ?? ''}
          onChange={(e) => setTitle(e.target.value)}
          errors={errors.title}
          hint="A short summary of the symptom, e.g. “Gateway drops TLS sessions after upgrading to 5.0”."
        />
        <ProductAndVersions products={products} defaultProductId={defaultProduct} defaultVersionIds={defaultVersions} errors={errors} />
        <MarkdownEditor
          label="What happens"
          name="body"
          defaultValue={values.body ?? searchParams.get('body') ?? ''}
          onChange={setBody}
          errors={errors.body}
          maxLength={BODY_MAX}
          preview={preview?.body}
          rows={10}
        />
        <Field
          label="Tags (optional)"
          name="tags"
          defaultValue={values.tags ?? ''}
          errors={errors.tags}
          hint={`Up to ${TAGS_MAX} words separated by commas or spaces, e.g. tls, timeout, upgrade.`}
        />
        <details className="rounded-md border border-slate-200 p-4" open={Boolean(values.workaround)}>
          <summary className="cursor-pointer font-medium">I found a workaround</summary>
          <p className="mt-2 text-sm text-slate-700">
            Solved it yourself? Describe what you did; it is saved with the problem and will save the next person days.
          </p>
          <div className="mt-3">
            <MarkdownEditor
              label="Your workaround (optional)"
              name="workaround"
              defaultValue={values.workaround ?? ''}
              errors={errors.workaround}
              maxLength={BODY_MAX}
              preview={preview?.workaround ?? undefined}
              rows={6}
            />
          </div>
        </details>
        <div className="flex flex-wrap gap-3">
          <SubmitButton pendingText="Logging…">Log this problem</SubmitButton>
        </div>
      </Form>
      </div>
      <div className="lg:sticky lg:top-4 lg:self-start">
        <SimilarPanel title={title} body={body} initial={similar} />
      </div>
    </div>
  )
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
