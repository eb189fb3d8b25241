import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { MarkdownEditor } from '~/components/markdown-editor'
import { Field, FormErrors } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { getOwnPostForEdit } from '~/modules/posts/post-queries.server'
import { BODY_MAX, EditPostSchema, KIND_LABELS, TAGS_MAX, TITLE_MAX } from '~/modules/posts/posts.schema'
import { editPost } from '~/modules/posts/posts.server'
import { parseForm } from '~/utils/forms'
import { isPreview, previewResponse } from '~/utils/preview.server'
import { commandFailure, formFailure, notFound } from '~/utils/http.server'
import { idParam } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const post = await getOwnPostForEdit(user, idParam(args))
  if (!post) throw notFound('We could not find a post of yours to edit here.')
  return {
    post: { id: post.id, kind: post.kind, title: post.title, body: post.body, tags: post.tags, problemId: post.problemId },
  }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const formData = await args.request.formData()
  if (isPreview(formData)) return previewResponse(formData, BODY_MAX)
  const form = parseForm(formData, EditPostSchema)
  if (!form.ok) return formFailure(form)
  const result = await editPost(user, idParam(args), form.data)
  if (!result.ok) {
    if (result.reason === 'not_found') throw notFound(result.message)
    return commandFailure(result, form.values, result.reason === 'forbidden' ? 403 : 409)
  }
  const pageId = result.value.problemId ?? result.value.id
  throw redirect(`/posts/${pageId}?notice=post-updated${result.value.problemId ? `#workaround-${result.value.id}` : ''}`)
}

export const meta: MetaFunction = () => [{ title: 'Edit · Switchboard' }]

export default function EditPostPage() {
  const { post } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const values: Record<string, string> = actionData?.values ?? {}
  const errors: Record<string, string[] | undefined> = actionData?.errors ?? {}
  const preview = actionData && 'preview' in actionData ? (actionData.preview as string) : undefined
  const titled = post.kind === 'problem' || post.kind === 'story'
  const tagged = titled
  const back = post.problemId ? `/posts/${post.problemId}#workaround-${post.id}` : `/posts/${post.id}`
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1>Edit your {KIND_LABELS[post.kind].toLowerCase()}</h1>
        <p className="mt-2 text-slate-700">The earlier version is kept, and the post shows that it was edited.</p>
      </div>
      <Form method="post" className="card space-y-5" noValidate>
        <FormErrors errors={errors['']} />
        {titled ? <Field label="Title" name="title" required maxLength={TITLE_MAX} defaultValue={values.title ?? post.title ?? ''} errors={errors.title} /> : null}
        <MarkdownEditor label="Text" name="body" defaultValue={values.body ?? post.body} errors={errors.body} maxLength={BODY_MAX} preview={preview} rows={12} />
        {tagged ? (
          <Field label="Tags" name="tags" defaultValue={values.tags ?? post.tags.join(', ')} errors={errors.tags} hint={`Up to ${TAGS_MAX} words separated by commas or spaces.`} />
        ) : null}
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pendingText="Saving…">Save changes</SubmitButton>
          <Link to={back}>Cancel</Link>
        </div>
      </Form>
    </div>
  )
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
