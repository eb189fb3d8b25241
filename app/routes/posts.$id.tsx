import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { PeopleWhoSolvedThis } from '~/components/introductions/people-who-solved-this'
import { ResultCard } from '~/components/search/result-card'
import { Markdown } from '~/components/markdown'
import { MarkdownEditor } from '~/components/markdown-editor'
import {
  AcceptedBadge,
  HiddenBadge,
  KindBadge,
  MigrationStatusBadge,
  PrivateBadge,
  StaffOnlyBadge,
  StateBadge,
  VerifiedBadge,
} from '~/components/posts/badges'
import { CurrentStatusBadge, StatusUpdates } from '~/components/posts/status-updates'
import { Field, FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { findCandidates } from '~/modules/introductions/candidates.server'
import { describeAge, staffStateLabel } from '~/modules/introductions/introductions-view'
import { listIntroductions } from '~/modules/introductions/introductions.server'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { getPostPage } from '~/modules/posts/post-queries.server'
import { getSimilarProblems } from '~/modules/search/similar-problems.server'
import { currentStatus, STATUS_UPDATE_MAX, StatusUpdateSchema } from '~/modules/support/status-updates.schema'
import { listStatusUpdates, postStatusUpdate } from '~/modules/support/status-updates.server'
import {
  HideSchema,
  MIGRATION_STATUS_LABELS,
  MigrationStatusSchema,
  REPLY_MAX,
  BODY_MAX,
  ReplySchema,
  VisibilitySchema,
  WorkaroundSchema,
} from '~/modules/posts/posts.schema'
import {
  acceptWorkaround,
  addWorkaround,
  replyToPost,
  setMigrationStatus,
  setPostHidden,
  setPostVisibility,
  setReplyHidden,
  setWorkaroundVerified,
  toggleFollow,
  toggleMeToo,
  withdrawAcceptance,
} from '~/modules/posts/posts.server'
import { formatDate, formatDateTime, formatWindow } from '~/utils/format'
import { isSafeId, parseForm, type FieldErrors } from '~/utils/forms'
import { forbidden, notFound, limitedFailure } from '~/utils/http.server'
import { noticeFrom, type NoticeKey } from '~/utils/notices'
import { type Failure, newId } from '~/utils/result'
import { idParam } from '~/utils/params.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const page = await getPostPage(user, idParam(args))
  if (!page) throw notFound('We could not find that post. It may have been removed, or it is not visible to you.')
  if (page.redirectTo !== null) throw redirect(page.redirectTo)
  const url = new URL(args.request.url)
  const quoteId = url.searchParams.get('quote')
  const quoted = quoteId ? page.replies.find((r) => r.id === quoteId) : undefined
  // Support, on a problem: who could help, and the introductions already made.
  const [candidates, introductions] =
    page.staffOnly && page.post.kind === 'problem'
      ? await Promise.all([findCandidates(user, page.post.id), listIntroductions(user, { problemId: page.post.id })])
      : [null, null]
  const statusUpdates = await listStatusUpdates(user, page.post.id)
  const now = new Date()
  return {
    ...page,
    post: { ...page.post, html: renderMarkdown(page.post.body) },
    workarounds: page.workarounds.map((w) => ({ ...w, html: renderMarkdown(w.body) })),
    replies: page.replies.map((r) => ({ ...r, html: renderMarkdown(r.body) })),
    quote: quoted
      ? { id: quoted.id, text: `> **${quoted.authorName}** wrote:\n${quoted.body.split('\n').map((l) => `> ${l}`).join('\n')}\n\n` }
      : null,
    notice: noticeFrom(url),
    similar:
      page.post.kind === 'problem' && !page.post.hiddenAt
        ? await getSimilarProblems(user, page.post.id)
        : [],
    statusUpdates: statusUpdates.ok ? statusUpdates.value : [],
    submissionKeys: { reply: newId(), workaround: newId(), statusUpdate: newId() },
    introductionTools:
      candidates && introductions
        ? {
            candidates,
            introductions: introductions.map((i) => ({
              id: i.id,
              askerName: i.askerName,
              solverName: i.solverName,
              label: staffStateLabel(i.state, i.acceptedByOne),
              createdAt: i.createdAt.toISOString(),
              createdDate: formatDate(i.createdAt),
              age: describeAge(i.createdAt, now),
            })),
          }
        : null,
  }
}

type ActionResult = { form: string; errors: FieldErrors; values: Record<string, string>; preview?: string }

function failure(form: string, result: Failure, values: Record<string, string> = {}) {
  if (result.reason === 'not_found') throw notFound(result.message)
  if (result.reason === 'forbidden') throw forbidden(result.message)
  return data<ActionResult>({ form, errors: { [result.field ?? '']: [result.message] }, values }, { status: 409 })
}

/** A reply or workaround refused by its rate limit: 429, the message on the form, the text kept. */
function limited(form: 'reply' | 'workaround', retryAfter: number, values: Record<string, string>) {
  const message = limitMessage(form === 'reply' ? 'reply' : 'post', retryAfter)
  return limitedFailure<ActionResult>({ form, errors: { '': [message] }, values }, retryAfter)
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const postId = idParam(args)
  const formData = await args.request.formData()
  const intent = String(formData.get('intent') ?? '')
  // The post, reply or workaround acted on: a malformed id names nothing.
  const rawTarget = formData.get('target')
  const target = isSafeId(rawTarget) ? rawTarget : ''
  const back = (notice: NoticeKey, anchor = '') => redirect(`/posts/${postId}?notice=${notice}${anchor}`)

  switch (intent) {
    case 'reply':
    case 'reply-preview': {
      const form = parseForm(formData, ReplySchema)
      if (intent === 'reply-preview' || formData.get('preview') === 'reply') {
        const body = String(formData.get('body') ?? '').slice(0, REPLY_MAX)
        return data<ActionResult>({ form: 'reply', errors: {}, values: form.ok ? { body, quotedReplyId: form.data.quotedReplyId ?? '' } : form.values, preview: renderMarkdown(body) })
      }
      if (!form.ok) return data<ActionResult>({ form: 'reply', errors: form.errors, values: form.values }, { status: 400 })
      const limit = await consumeLimit('reply', user.id)
      if (!limit.ok) return limited('reply', limit.retryAfter, form.values)
      const result = await replyToPost(user, postId, form.data)
      if (!result.ok) return failure('reply', result, { body: form.data.body })
      throw back('reply-posted', `#reply-${result.value.id}`)
    }
    case 'workaround': {
      const form = parseForm(formData, WorkaroundSchema)
      if (formData.get('preview') === 'workaround') {
        const body = String(formData.get('body') ?? '').slice(0, BODY_MAX)
        return data<ActionResult>({ form: 'workaround', errors: {}, values: { body }, preview: renderMarkdown(body) })
      }
      if (!form.ok) return data<ActionResult>({ form: 'workaround', errors: form.errors, values: form.values }, { status: 400 })
      const limit = await consumeLimit('post', user.id)
      if (!limit.ok) return limited('workaround', limit.retryAfter, form.values)
      const result = await addWorkaround(user, postId, form.data)
      if (!result.ok) return failure('workaround', result, { body: form.data.body })
      throw back('workaround-added', `#workaround-${result.value.id}`)
    }
    case 'status-update': {
      if (formData.get('preview') === 'status-update') {
        const body = String(formData.get('body') ?? '').slice(0, STATUS_UPDATE_MAX)
        const values = { status: String(formData.get('status') ?? ''), body, submissionKey: String(formData.get('submissionKey') ?? '') }
        return data<ActionResult>({ form: 'status-update', errors: {}, values, preview: renderMarkdown(body) })
      }
      const form = parseForm(formData, StatusUpdateSchema)
      if (!form.ok) return data<ActionResult>({ form: 'status-update', errors: form.errors, values: form.values }, { status: 400 })
      const result = await postStatusUpdate(user, { postId, ...form.data })
      if (!result.ok) return failure('status-update', result, form.values)
      throw back('status-update-posted', `#status-update-${result.value.id}`)
    }
    case 'me-too': {
      const result = await toggleMeToo(user, postId)
      if (!result.ok) return failure('actions', result)
      throw redirect(`/posts/${postId}`)
    }
    case 'follow': {
      const result = await toggleFollow(user, postId)
      if (!result.ok) return failure('actions', result)
      throw back(result.value.following ? 'followed' : 'unfollowed')
    }
    case 'accept':
    case 'withdraw': {
      const result = intent === 'accept' ? await acceptWorkaround(user, target) : await withdrawAcceptance(user, target)
      if (!result.ok) return failure('actions', result)
      throw back(intent === 'accept' ? 'accepted' : 'acceptance-withdrawn', `#workaround-${target}`)
    }
    case 'verify':
    case 'unverify': {
      const result = await setWorkaroundVerified(user, target, intent === 'verify')
      if (!result.ok) return failure('actions', result)
      throw back(intent === 'verify' ? 'verified' : 'unverified', `#workaround-${target}`)
    }
    case 'hide':
    case 'hide-reply': {
      const form = parseForm(formData, HideSchema)
      if (!form.ok) return data<ActionResult>({ form: `hide:${target}`, errors: form.errors, values: form.values }, { status: 400 })
      const result = intent === 'hide' ? await setPostHidden(user, target, form.data) : await setReplyHidden(user, target, form.data)
      if (!result.ok) return failure(`hide:${target}`, result, form.values)
      throw back('hidden')
    }
    case 'unhide':
    case 'unhide-reply': {
      const result = intent === 'unhide' ? await setPostHidden(user, target, null) : await setReplyHidden(user, target, null)
      if (!result.ok) return failure('actions', result)
      throw back('unhidden')
    }
    case 'visibility': {
      const form = parseForm(formData, VisibilitySchema)
      if (!form.ok) return data<ActionResult>({ form: 'visibility', errors: form.errors, values: form.values }, { status: 400 })
      const result = await setPostVisibility(user, postId, form.data.visibility)
      if (!result.ok) return failure('visibility', result)
      throw back('visibility-changed')
    }
    case 'migration-status': {
      const form = parseForm(formData, MigrationStatusSchema)
      if (!form.ok) return data<ActionResult>({ form: 'migration-status', errors: form.errors, values: form.values }, { status: 400 })
      const result = await setMigrationStatus(user, postId, form.data.status)
      if (!result.ok) return failure('migration-status', result)
      throw back('status-changed')
    }
    default:
      return data<ActionResult>({ form: 'actions', errors: { '': ['Choose an action.'] }, values: {} }, { status: 400 })
  }
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.post.title ?? 'Post'} · Switchboard` },
]

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>

function Byline({ name, id, organization, at, edited }: { name: string; id: string; organization: string; at: string | Date; edited: string | Date | null }) {
  return (
    <p className="text-sm text-slate-600">
      <Link to={`/people/${id}`}>{name}</Link> · {organization} · <time dateTime={new Date(at).toISOString()}>{formatDateTime(at)}</time>
      {edited ? (
        <span title={`Edited ${formatDateTime(edited)}`}>
          {' '}
          · edited
        </span>
      ) : null}
    </p>
  )
}

function HideForm({ target, intent, label, errors, values }: { target: string; intent: 'hide' | 'hide-reply'; label: string; errors?: FieldErrors; values?: Record<string, string> }) {
  return (
    <details className="text-sm" open={Boolean(errors && Object.keys(errors).length)}>
      <summary className="cursor-pointer text-slate-700">Hide {label}…</summary>
      <Form method="post" className="mt-2 space-y-2" noValidate>
        <input type="hidden" name="target" value={target} />
        <Field label="Reason shown to the author" name="reason" required maxLength={500} defaultValue={values?.reason} errors={errors?.reason ?? errors?.['']} />
        <SubmitButton className="btn-danger" name="intent" value={intent}>
          Hide {label}
        </SubmitButton>
      </Form>
    </details>
  )
}

function Workarounds({ page, actionData }: { page: LoaderData; actionData?: ActionResult }) {
  const { workarounds, viewer } = page
  return (
    <section aria-labelledby="workarounds-heading" className="space-y-4">
      <h2 id="workarounds-heading">
        Workarounds <span className="text-slate-600">({workarounds.length})</span>
      </h2>
      {workarounds.length === 0 ? (
        <p className="text-slate-700">No workaround yet. If you found one, share it below — it may save someone days.</p>
      ) : null}
      {workarounds.map((w) => (
        <article
          key={w.id}
          id={`workaround-${w.id}`}
          className={`card space-y-3 ${w.acceptedAt ? 'border-emerald-400 ring-1 ring-emerald-300' : ''}`}
          aria-label={`Workaround by ${w.authorName}`}
        >
          <div className="flex flex-wrap items-center gap-2">
            {w.acceptedAt ? <AcceptedBadge /> : null}
            {w.verifiedAt ? <VerifiedBadge /> : null}
            {w.hiddenAt ? <HiddenBadge /> : null}
          </div>
          {w.hiddenAt && w.hiddenReason ? (
            <p className="alert">Hidden by support: {w.hiddenReason}</p>
          ) : null}
          <Markdown html={w.html} />
          <Byline name={w.authorName} id={w.authorId} organization={w.organizationName} at={w.createdAt} edited={w.editedAt} />
          <div className="flex flex-wrap items-center gap-2">
            {viewer.canAccept && !w.hiddenAt ? (
              <Form method="post">
                <input type="hidden" name="target" value={w.id} />
                {w.acceptedAt ? (
                  <SubmitButton className="btn-secondary" name="intent" value="withdraw">
                    Withdraw acceptance
                  </SubmitButton>
                ) : (
                  <SubmitButton className="btn-primary" name="intent" value="accept">
                    Accept this workaround<span className="sr-only"> by {w.authorName}</span>
                  </SubmitButton>
                )}
              </Form>
            ) : null}
            {viewer.staff ? (
              <Form method="post">
                <input type="hidden" name="target" value={w.id} />
                <SubmitButton className="btn-secondary" name="intent" value={w.verifiedAt ? 'unverify' : 'verify'}>
                  {w.verifiedAt ? 'Remove verified mark' : 'Mark verified'}
                  <span className="sr-only"> (workaround by {w.authorName})</span>
                </SubmitButton>
              </Form>
            ) : null}
            {w.authorId === viewer.id ? (
              <Link to={`/posts/${w.id}/edit`} className="btn-secondary">
                Edit<span className="sr-only"> your workaround</span>
              </Link>
            ) : null}
          </div>
          {viewer.staff ? (
            w.hiddenAt ? (
              <Form method="post">
                <input type="hidden" name="target" value={w.id} />
                <SubmitButton className="btn-secondary" name="intent" value="unhide">
                  Show this workaround again
                </SubmitButton>
              </Form>
            ) : (
              <HideForm
                target={w.id}
                intent="hide"
                label="this workaround"
                errors={actionData?.form === `hide:${w.id}` ? actionData.errors : undefined}
                values={actionData?.form === `hide:${w.id}` ? actionData.values : undefined}
              />
            )
          ) : null}
        </article>
      ))}
      {page.post.hiddenAt ? null : (
        <section aria-labelledby="add-workaround" className="card">
          <h3 id="add-workaround" className="text-base font-semibold">
            Share a workaround
          </h3>
          {/* Keyed by the number of workarounds: after a successful post the form starts empty; other actions keep what is typed. */}
          <Form key={`workaround-form-${page.workarounds.length}`} method="post" className="mt-3 space-y-3" noValidate>
            <input type="hidden" name="submissionKey" value={actionData?.form === 'workaround' ? (actionData.values.submissionKey ?? page.submissionKeys.workaround) : page.submissionKeys.workaround} />
            <input type="hidden" name="intent" value="workaround" />
            <FormErrors errors={actionData?.form === 'workaround' ? actionData.errors[''] : undefined} />
            <MarkdownEditor
              label="How you solved or avoided it"
              name="body"
              defaultValue={actionData?.form === 'workaround' ? actionData.values.body : ''}
              errors={actionData?.form === 'workaround' ? actionData.errors.body : undefined}
              maxLength={BODY_MAX}
              preview={actionData?.form === 'workaround' ? actionData.preview : undefined}
              previewName="preview"
              previewValue="workaround"
              rows={5}
            />
            <SubmitButton pendingText="Posting…">Post workaround</SubmitButton>
          </Form>
        </section>
      )}
    </section>
  )
}

function Conversation({ page, actionData }: { page: LoaderData; actionData?: ActionResult }) {
  const [searchParams] = useSearchParams()
  const { replies, viewer } = page
  const replyForm = actionData?.form === 'reply' ? actionData : undefined
  return (
    <section aria-labelledby="replies-heading" className="space-y-4">
      <h2 id="replies-heading">
        Conversation <span className="text-slate-600">({replies.length})</span>
      </h2>
      {replies.length === 0 ? <p className="text-slate-700">No replies yet.</p> : null}
      <ol className="space-y-3">
        {replies.map((r) => (
          <li key={r.id} id={`reply-${r.id}`} className="card space-y-2 p-4">
            {r.hiddenAt ? (
              <p className="alert">
                <HiddenBadge /> {r.hiddenReason ? `Hidden by support: ${r.hiddenReason}` : 'Hidden by support.'}
              </p>
            ) : null}
            <div className="flex flex-wrap items-center gap-2">
              {r.authorRole !== 'customer' ? <span className="rounded bg-brand-100 px-2 py-0.5 text-xs text-brand-800">Support</span> : null}
            </div>
            <Markdown html={r.html} />
            <Byline name={r.authorName} id={r.authorId} organization={r.organizationName} at={r.createdAt} edited={r.editedAt} />
            <div className="flex flex-wrap items-center gap-3 text-sm">
              {page.post.hiddenAt ? null : (
                <Link to={`?quote=${r.id}#reply-form`} preventScrollReset>
                  Quote<span className="sr-only"> the reply of {r.authorName}</span>
                </Link>
              )}
              {r.authorId === viewer.id ? (
                <Link to={`/replies/${r.id}/edit`}>
                  Edit<span className="sr-only"> your reply</span>
                </Link>
              ) : null}
              {viewer.staff ? (
                r.hiddenAt ? (
                  <Form method="post">
                    <input type="hidden" name="target" value={r.id} />
                    <SubmitButton className="btn-secondary" name="intent" value="unhide-reply">
                      Show reply again
                    </SubmitButton>
                  </Form>
                ) : (
                  <HideForm
                    target={r.id}
                    intent="hide-reply"
                    label="this reply"
                    errors={actionData?.form === `hide:${r.id}` ? actionData.errors : undefined}
                    values={actionData?.form === `hide:${r.id}` ? actionData.values : undefined}
                  />
                )
              ) : null}
            </div>
          </li>
        ))}
      </ol>
      {page.post.hiddenAt ? (
        <p className="text-slate-700">This post is hidden, so it takes no new replies.</p>
      ) : (
        <Form key={`reply-form-${page.replies.length}`} method="post" id="reply-form" className="card space-y-3" noValidate>
          <h3 className="text-base font-semibold">Reply</h3>
          <input type="hidden" name="intent" value="reply" />
          <input type="hidden" name="submissionKey" value={replyForm?.values.submissionKey ?? page.submissionKeys.reply} />
          {(replyForm?.values.quotedReplyId ?? page.quote?.id) ? (
            <input type="hidden" name="quotedReplyId" value={replyForm?.values.quotedReplyId ?? page.quote?.id ?? ''} />
          ) : null}
          <FormErrors errors={replyForm?.errors['']} />
          <MarkdownEditor
            key={searchParams.get('quote') ?? 'reply'}
            label="Your reply"
            name="body"
            defaultValue={replyForm?.values.body ?? page.quote?.text ?? ''}
            errors={replyForm?.errors.body}
            maxLength={REPLY_MAX}
            preview={replyForm?.preview}
            previewName="preview"
            previewValue="reply"
            rows={5}
          />
          <SubmitButton pendingText="Posting…">Post reply</SubmitButton>
        </Form>
      )}
    </section>
  )
}

function MigrationDetails({ page, actionData }: { page: LoaderData; actionData?: ActionResult }) {
  const { post, migration, viewer } = page
  if (post.kind !== 'migration' || !migration) return null
  const canChange = viewer.isAuthor || viewer.staff
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <section aria-labelledby="migration-plan" className="card space-y-3">
        <h2 id="migration-plan">The plan</h2>
        <dl className="grid grid-cols-2 gap-3 text-sm">
          <div>
            <dt className="text-slate-600">From</dt>
            <dd className="font-medium">{post.productName} {migration.fromVersion}</dd>
          </div>
          <div>
            <dt className="text-slate-600">To</dt>
            <dd className="font-medium">{post.productName} {migration.toVersion}</dd>
          </div>
          <div>
            <dt className="text-slate-600">When</dt>
            <dd className="font-medium">{post.windowStart ? formatWindow(post.windowStart, post.windowEnd) : '—'}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Status</dt>
            <dd>{post.migrationStatus ? <MigrationStatusBadge status={post.migrationStatus} /> : null}</dd>
          </div>
        </dl>
        <p className="text-sm text-slate-700">
          {migration.otherOrganizations === 0
            ? 'No other organization plans this move yet.'
            : `${migration.otherOrganizations} other ${migration.otherOrganizations === 1 ? 'organization plans' : 'organizations plan'} the same move.`}
        </p>
        {canChange ? (
          <Form method="post" className="flex flex-wrap items-end gap-2" noValidate>
            <div>
              <label htmlFor="migration-status" className="label">
                Change the status
              </label>
              <select id="migration-status" name="status" className="input" defaultValue={post.migrationStatus ?? 'planned'}>
                {Object.entries(MIGRATION_STATUS_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <SubmitButton className="btn-secondary" name="intent" value="migration-status">
              Update status
            </SubmitButton>
            {actionData?.form === 'migration-status' ? <FormErrors errors={Object.values(actionData.errors).flat().filter(Boolean) as string[]} /> : null}
          </Form>
        ) : null}
        {post.migrationStatus === 'done' && viewer.isAuthor ? (
          <div className="notice space-y-2">
            <p>Done — congratulations! Tell others how it went:</p>
            <p className="flex flex-wrap gap-2">
              <Link
                className="btn-primary"
                to={`/stories/new?${new URLSearchParams({ related: post.id, product: post.productSlug, title: `We moved to ${post.productName} ${migration.toVersion ?? ''}`.trim(), ...(post.toVersionId ? { version: post.toVersionId } : {}) })}`}
              >
                Write a success story
              </Link>
              <Link
                className="btn-secondary"
                to={`/problems/new?${new URLSearchParams({ product: post.productSlug, ...(post.toVersionId ? { version: post.toVersionId } : {}) })}`}
              >
                Log a problem you hit
              </Link>
            </p>
          </div>
        ) : null}
      </section>
      <section aria-labelledby="known-problems" className="card space-y-3">
        <h2 id="known-problems">Known open problems in {migration.toVersion}</h2>
        {migration.openProblems.length === 0 ? (
          <p className="text-sm text-slate-700">None reported. If you hit one, log it — others planning this move will thank you.</p>
        ) : (
          <ul className="space-y-2 text-sm">
            {migration.openProblems.map((p) => (
              <li key={p.id} className="flex flex-wrap items-center gap-2">
                {p.state ? <StateBadge state={p.state} /> : null}
                <Link to={`/posts/${p.id}`}>{p.title}</Link>
                <span className="text-slate-600">{p.meTooCount} me too</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}

export default function PostPage() {
  const page = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const { post, viewer, staffOnly } = page
  const latestStatus = currentStatus(page.statusUpdates)
  return (
    <div className="space-y-8">
      {page.notice ? <Notice>{page.notice}</Notice> : null}
      {actionData?.form === 'actions' ? <FormErrors errors={actionData.errors['']} /> : null}
      <article aria-labelledby="post-title" className="space-y-4">
        <div className="flex flex-wrap items-center gap-2">
          <KindBadge kind={post.kind} />
          {post.state ? <StateBadge state={post.state} /> : null}
          {latestStatus ? <CurrentStatusBadge status={latestStatus} /> : null}
          {post.visibility === 'staff' ? <StaffOnlyBadge /> : null}
          {post.visibility === 'private' ? <PrivateBadge /> : null}
          {post.hiddenAt ? <HiddenBadge /> : null}
          <Link to={`/products/${post.productSlug}`} className="text-sm">
            {post.productName}
          </Link>
          {post.versions.length ? (
            <span className="text-sm text-slate-600">
              {post.kind === 'problem' ? 'Affects ' : ''}
              {post.versions.map((v) => v.name).join(', ')}
            </span>
          ) : null}
        </div>
        <h1 id="post-title">{post.title}</h1>
        <Byline name={post.authorName} id={post.authorId} organization={post.organizationName} at={post.createdAt} edited={post.editedAt} />
        {post.visibility === 'private' ? (
          <p className="notice text-sm">
            Private: only {viewer.isAuthor ? 'you' : post.authorName}
            {page.sharedWith.length ? `, ${page.sharedWith.map((r) => (r.id === viewer.id ? 'you' : r.name)).join(', ')}` : ''} and the
            support team can read it.
          </p>
        ) : post.visibility === 'staff' && viewer.isAuthor ? (
          <p className="notice text-sm">Support made this staff-only: you and the support team can still read and answer it.</p>
        ) : null}
        {post.hiddenAt ? (
          <p className="alert">
            This post is hidden by support{post.hiddenReason ? `: ${post.hiddenReason}` : '.'}
          </p>
        ) : null}
        {page.related ? (
          <p className="text-sm">
            {page.related.kind === 'migration' ? 'Completed migration: ' : 'Overcame: '}
            <Link to={`/posts/${page.related.id}`}>{page.related.title}</Link>
          </p>
        ) : null}
        <Markdown html={post.html} />
        {post.tags.length ? (
          <ul className="flex flex-wrap gap-2" aria-label="Tags">
            {post.tags.map((tag) => (
              <li key={tag} className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-800">
                #{tag}
              </li>
            ))}
          </ul>
        ) : null}

        <div className="flex flex-wrap items-center gap-2 border-y border-slate-200 py-3">
          {post.kind === 'problem' ? (
            viewer.canMeToo && !post.hiddenAt ? (
              <Form method="post">
                <SubmitButton className={viewer.meToo ? 'btn-primary' : 'btn-secondary'} name="intent" value="me-too">
                  <span aria-hidden="true">✋</span> {viewer.meToo ? 'You have this too' : 'Me too'} · {post.meTooCount}
                  <span className="sr-only">{viewer.meToo ? ' (press to take back)' : ''}</span>
                </SubmitButton>
              </Form>
            ) : (
              <span className="text-sm text-slate-700">
                {post.meTooCount} {post.meTooCount === 1 ? 'customer has' : 'customers have'} this too
              </span>
            )
          ) : null}
          <Form method="post">
            <SubmitButton className="btn-secondary" name="intent" value="follow">
              {viewer.following ? 'Following · stop' : 'Follow'}
            </SubmitButton>
          </Form>
          {viewer.isAuthor ? (
            <Link to={`/posts/${post.id}/edit`} className="btn-secondary">
              Edit
            </Link>
          ) : null}
          {viewer.staff && staffOnly && staffOnly.revisionCount > 0 ? (
            <Link to={`/posts/${post.id}/history`} className="text-sm">
              Edit history ({staffOnly.revisionCount})
            </Link>
          ) : null}
        </div>
      </article>

      {post.kind === 'problem' ? (
        <StatusUpdates
          updates={page.statusUpdates}
          form={viewer.staff && !post.hiddenAt ? { state: actionData?.form === 'status-update' ? actionData : undefined } : null}
          submissionKey={page.submissionKeys.statusUpdate}
        />
      ) : null}

      {staffOnly ? (
        <section aria-labelledby="staff-tools" className="card space-y-4 border-dashed">
          <h2 id="staff-tools">Support tools</h2>
          {post.kind === 'problem' ? (
            <div>
              <h3 className="text-sm font-semibold">Who has this too ({staffOnly.meTooPeople.length})</h3>
              {staffOnly.meTooPeople.length ? (
                <ul className="mt-1 text-sm">
                  {staffOnly.meTooPeople.map((p) => (
                    <li key={p.id}>
                      <Link to={`/people/${p.id}`}>{p.name}</Link> · {p.organizationName} · {formatDate(p.at)}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-sm text-slate-700">Nobody yet.</p>
              )}
            </div>
          ) : null}
          {page.introductionTools && !post.hiddenAt ? (
            <PeopleWhoSolvedThis
              problemId={post.id}
              communityVisible={post.visibility === 'community'}
              candidates={page.introductionTools.candidates}
              introductions={page.introductionTools.introductions}
            />
          ) : null}
          <Form method="post" className="flex flex-wrap items-end gap-2">
            <div>
              <label htmlFor="visibility" className="label">
                Who can see this post
              </label>
              <select id="visibility" name="visibility" className="input" defaultValue={post.visibility}>
                <option value="community">Community (every signed-in user)</option>
                {post.kind === 'problem' ? (
                  <option value="private">Private (its author, the colleagues they chose, and support)</option>
                ) : null}
                <option value="staff">Staff only (support; its author keeps reading and answering it)</option>
              </select>
            </div>
            <SubmitButton className="btn-secondary" name="intent" value="visibility">
              Save visibility
            </SubmitButton>
          </Form>
          {post.hiddenAt ? (
            <Form method="post">
              <input type="hidden" name="target" value={post.id} />
              <SubmitButton className="btn-secondary" name="intent" value="unhide">
                Show this post again
              </SubmitButton>
            </Form>
          ) : (
            <HideForm
              target={post.id}
              intent="hide"
              label="this post"
              errors={actionData?.form === `hide:${post.id}` ? actionData.errors : undefined}
              values={actionData?.form === `hide:${post.id}` ? actionData.values : undefined}
            />
          )}
        </section>
      ) : null}

      <MigrationDetails page={page} actionData={actionData} />
      {post.kind === 'problem' ? <Workarounds page={page} actionData={actionData} /> : null}
      <Conversation page={page} actionData={actionData} />
      {page.similar.length ? (
        <section aria-labelledby="similar-problems" className="space-y-2">
          <h2 id="similar-problems">Similar problems</h2>
          <ul className="grid gap-2 md:grid-cols-2">
            {page.similar.map((r) => (
              <li key={r.id}>
                <ResultCard result={r} compact />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
