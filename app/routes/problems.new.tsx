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
import { listProductsWithVersions, listShareableColleagues } from '~/modules/posts/post-queries.server'
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
  const user = await requireUser(args)
  const [products, colleagues] = await Promise.all([listProductsWithVersions(), listShareableColleagues(user)])
  return { products, colleagues, submissionKey: newId() }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const formData = await args.request.formData()
  const form = parseForm(formData, ProblemSchema, { arrays: ['versionIds', 'readerIds'] })
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
  const typed = { ...form.values, versionIds: form.data.versionIds.join(','), readerIds: form.data.readerIds.join(',') }
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
  const { products, colleagues, submissionKey } = useLoaderData<typeof loader>()
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
        <WhoCanRead colleagues={colleagues} values={values} errors={errors} />
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

/**
 * Who can read the problem: the community, or private — the author, the
 * colleagues ticked here (none is fine) and support. Plain radios and
 * checkboxes, so it works without JavaScript; the server checks that every
 * ticked colleague belongs to the author's organization.
 */
function WhoCanRead({
  colleagues,
  values,
  errors,
}: {
  colleagues: { id: string; name: string }[]
  values: Record<string, string>
  errors: Record<string, string[] | undefined>
}) {
  const visibility = values.visibility === 'private' ? 'private' : 'community'
  const chosen = new Set((values.readerIds ?? '').split(',').filter(Boolean))
  const messages = [...(errors.visibility ?? []), ...(errors.readerIds ?? [])]
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-4" aria-describedby={messages.length ? 'visibility-errors' : undefined}>
      <legend className="px-1 font-medium">Who can read it</legend>
      {messages.length ? (
        <ul id="visibility-errors" className="text-sm text-rose-700">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      <div className="space-y-2">
        <label className="flex items-start gap-2">
          <input type="radio" name="visibility" value="community" defaultChecked={visibility === 'community'} className="mt-1" />
          <span>
            <span className="font-medium">The community</span>
            <span className="block text-sm text-slate-600">Every signed-in customer and the support team, so others with the same problem find it.</span>
          </span>
        </label>
        <label className="flex items-start gap-2">
          <input type="radio" name="visibility" value="private" defaultChecked={visibility === 'private'} className="mt-1" />
          <span>
            <span className="font-medium">Private</span>
            <span className="block text-sm text-slate-600">
              Only you, the colleagues you tick below and the support team — for logs and configurations.
            </span>
          </span>
        </label>
      </div>
      {colleagues.length ? (
        <fieldset className="space-y-1 pl-6">
          <legend className="text-sm font-medium">Colleagues who may read it when private (optional)</legend>
          <div className="max-h-48 space-y-1 overflow-y-auto">
            {colleagues.map((c) => (
              <label key={c.id} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="readerIds" value={c.id} defaultChecked={chosen.has(c.id)} />
                {c.name}
              </label>
            ))}
          </div>
          <p className="hint">Ignored when the problem is for the community.</p>
        </fieldset>
      ) : null}
    </fieldset>
  )
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
