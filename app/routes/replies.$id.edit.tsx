import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { MarkdownEditor } from '~/components/markdown-editor'
import { FormErrors } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { getReply } from '~/modules/posts/post-queries.server'
import { EditReplySchema, REPLY_MAX } from '~/modules/posts/posts.schema'
import { editReply } from '~/modules/posts/posts.server'
import { parseForm } from '~/utils/forms'
import { isPreview, previewResponse } from '~/utils/preview.server'
import { commandFailure, formFailure, notFound } from '~/utils/http.server'
import { idParam } from '~/utils/params.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const reply = await getReply(user, idParam(args))
  if (!reply || reply.authorId !== user.id) throw notFound('We could not find a reply of yours to edit here.')
  return { reply: { id: reply.id, body: reply.body, pagePostId: reply.pagePostId } }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const formData = await args.request.formData()
  if (isPreview(formData)) return previewResponse(formData, REPLY_MAX)
  const form = parseForm(formData, EditReplySchema)
  if (!form.ok) return formFailure(form)
  const result = await editReply(user, idParam(args), form.data.body)
  if (!result.ok) {
    if (result.reason === 'not_found') throw notFound(result.message)
    return commandFailure(result, form.values, 403)
  }
  throw redirect(`/posts/${result.value.postId}?notice=post-updated#reply-${args.params.id}`)
}

export const meta: MetaFunction = () => [{ title: 'Edit your reply · Switchboard' }]

export default function EditReplyPage() {
  const { reply } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors: Record<string, string[] | undefined> = actionData?.errors ?? {}
  const preview = actionData && 'preview' in actionData ? (actionData.preview as string) : undefined
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <h1>Edit your reply</h1>
      <Form method="post" className="card space-y-5" noValidate>
        <FormErrors errors={errors['']} />
        <MarkdownEditor label="Your reply" name="body" defaultValue={actionData?.values.body ?? reply.body} errors={errors.body} maxLength={REPLY_MAX} preview={preview} rows={8} />
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pendingText="Saving…">Save reply</SubmitButton>
          <Link to={`/posts/${reply.pagePostId}#reply-${reply.id}`}>Cancel</Link>
        </div>
      </Form>
    </div>
  )
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
