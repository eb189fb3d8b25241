import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { MarkdownEditor } from '~/components/markdown-editor'
import { ProductAndVersions } from '~/components/posts/product-fields'
import { Field, FormErrors } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { listProductsWithVersions } from '~/modules/posts/post-queries.server'
import { BODY_MAX, StorySchema, TAGS_MAX, TITLE_MAX } from '~/modules/posts/posts.schema'
import { writeStory } from '~/modules/posts/posts.server'
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
  const form = parseForm(formData, StorySchema, { arrays: ['versionIds'] })
  if (isPreview(formData)) return previewResponse(formData, BODY_MAX)
  if (!form.ok) return formFailure(form)
  const typed = { ...form.values, versionIds: form.data.versionIds.join(',') }
  const limit = await consumeLimit('post', user.id)
  if (!limit.ok) return limitedFailure({ errors: { '': [limitMessage('post', limit.retryAfter)] }, values: typed }, limit.retryAfter)
  const result = await writeStory(user, form.data)
  if (!result.ok) return commandFailure(result, typed)
  throw redirect(`/posts/${result.value.id}?notice=story-shared`)
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Share a success story · Switchboard' }]

export default function NewStoryPage() {
  const { products, submissionKey } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const values: Record<string, string> = actionData?.values ?? {}
  const errors: Record<string, string[] | undefined> = actionData?.errors ?? {}
  const preview = actionData && 'preview' in actionData ? (actionData.preview as string) : undefined
  const related = values.relatedPostId ?? searchParams.get('related') ?? ''
  const defaultProduct = values.productId ?? products.find((p) => p.slug === searchParams.get('product'))?.id
  const defaultVersions = values.versionIds ? values.versionIds.split(',') : searchParams.getAll('version')
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1>Share a success story</h1>
        <p className="mt-2 text-slate-700">
          Proud of something you did with our products? A finished migration, a tricky setup that works? Tell others how
          you got there.
        </p>
      </div>
      <Form method="post" className="card space-y-5" noValidate>
        <input type="hidden" name="submissionKey" value={values.submissionKey ?? submissionKey} />
        {related ? <input type="hidden" name="relatedPostId" value={related} /> : null}
        <FormErrors errors={errors[''] ?? errors.relatedPostId} />
        <Field label="Title" name="title" required maxLength={TITLE_MAX} defaultValue={values.title ?? searchParams.get('title') ?? ''} errors={errors.title} />
        <ProductAndVersions products={products} defaultProductId={defaultProduct} defaultVersionIds={defaultVersions} errors={errors} versionsLabel="Versions" />
        <MarkdownEditor label="Your story" name="body" defaultValue={values.body ?? ''} errors={errors.body} maxLength={BODY_MAX} preview={preview} rows={10} />
        <Field label="Tags (optional)" name="tags" defaultValue={values.tags ?? ''} errors={errors.tags} hint={`Up to ${TAGS_MAX} words separated by commas or spaces.`} />
        <SubmitButton pendingText="Sharing…">Share this story</SubmitButton>
      </Form>
    </div>
  )
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
