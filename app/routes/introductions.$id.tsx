import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { type ReactNode } from 'react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Markdown } from '~/components/markdown'
import { MarkdownEditor } from '~/components/markdown-editor'
import { FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser } from '~/modules/auth/auth.server'
import { describeAge, describeRemaining, sideStateLabel, staffStateLabel } from '~/modules/introductions/introductions-view'
import { MessageSchema, OutcomeSchema, RespondSchema } from '~/modules/introductions/introductions.schema'
import {
  getIntroduction,
  INTRO_MESSAGES,
  postIntroductionMessage,
  recordIntroductionOutcome,
  respondToIntroduction,
  withdrawIntroduction,
} from '~/modules/introductions/introductions.server'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { getPostPage } from '~/modules/posts/post-queries.server'
import { REPLY_MAX } from '~/modules/posts/posts.schema'
import { formatDate, formatDateTime } from '~/utils/format'
import { parseForm, type FieldErrors } from '~/utils/forms'
import { forbidden, limitedFailure, notFound } from '~/utils/http.server'
import { noticeFrom, type NoticeKey } from '~/utils/notices'
import { newId, type Failure } from '~/utils/result'
import { idParam } from '~/utils/params.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  // Someone else's introduction is "not found": its existence is not revealed.
  const intro = await getIntroduction(user, idParam(args))
  if (!intro) throw notFound(INTRO_MESSAGES.notFound)
  const now = new Date()

  // After connecting, the asker may accept the solver's workaround on their problem.
  let solverWorkaround: { id: string; accepted: boolean } | null = null
  if (intro.side === 'asker' && intro.state === 'connected' && intro.other && intro.problem) {
    const page = await getPostPage(user, intro.problem.id)
    const found = page?.redirectTo === null ? page.workarounds.find((w) => w.authorId === intro.other!.id && !w.hiddenAt) : undefined
    solverWorkaround = found ? { id: found.id, accepted: Boolean(found.acceptedAt) } : null
  }

  // Only what the page shows leaves the server (the qualifying post's author
  // id, for one, would name the solver before both said yes). Which post a
  // side sees is the module's rule (getIntroduction): before both accept,
  // the other side's post is only a neutral summary.
  const q = intro.qualifying
  return {
    id: intro.id,
    side: intro.side,
    staff: intro.staff,
    /** 'migration': two customers planning the same move (from the migration radar). */
    subjectKind: intro.subjectKind,
    state: intro.state,
    myResponse: intro.myResponse,
    created: { at: intro.createdAt.toISOString(), text: formatDateTime(intro.createdAt), age: describeAge(intro.createdAt, now) },
    expires: { date: formatDate(intro.expiresAt), text: formatDateTime(intro.expiresAt), remaining: describeRemaining(intro.expiresAt, now) },
    connectedAt: intro.connectedAt ? formatDateTime(intro.connectedAt) : null,
    outcome: intro.outcome as 'helped' | 'not_helped' | null,
    note: intro.note,
    /** Before both accept: what a side is told of the other side's post (never its text, title, id or link). */
    otherSummary: intro.otherSummary,
    problem: intro.problem ? { id: intro.problem.id, title: intro.problem.title ?? 'Untitled problem', html: renderMarkdown(intro.problem.body) } : null,
    qualifying: q ? { id: q.id, kind: q.kind, title: q.title, problemId: q.problemId, html: renderMarkdown(q.body) } : null,
    other: intro.other,
    staffView: intro.staffView,
    messages: intro.messages.map((m) => ({
      id: m.id,
      authorName: m.authorName,
      mine: m.authorId === user.id,
      at: m.createdAt.toISOString(),
      when: formatDateTime(m.createdAt),
      html: renderMarkdown(m.body),
    })),
    solverWorkaround,
    submissionKey: newId(),
    notice: noticeFrom(args.request.url),
  }
}

type ActionResult = { form: string; errors: FieldErrors; values: Record<string, string>; preview?: string }

function failure(form: string, result: Failure, values: Record<string, string> = {}) {
  if (result.reason === 'not_found') throw notFound(result.message)
  if (result.reason === 'forbidden') throw forbidden(result.message)
  return data<ActionResult>({ form, errors: { [result.field ?? '']: [result.message] }, values }, { status: 409 })
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const id = idParam(args)
  // Who acts comes from the session only; no form field names a person.
  // Someone else's introduction is a 404 whatever the intent.
  if (!(await getIntroduction(user, id))) throw notFound(INTRO_MESSAGES.notFound)
  const formData = await args.request.formData()
  const intent = String(formData.get('intent') ?? '')
  const back = (notice: NoticeKey, anchor = '') => redirect(`/introductions/${id}?notice=${notice}${anchor}`)

  switch (intent) {
    case 'respond': {
      const form = parseForm(formData, RespondSchema)
      if (!form.ok) return data<ActionResult>({ form: 'respond', errors: form.errors, values: form.values }, { status: 400 })
      const result = await respondToIntroduction(user, id, form.data.answer)
      if (!result.ok) return failure('respond', result)
      if (form.data.answer === 'declined') throw back('introduction-declined')
      throw back(result.value.state === 'connected' ? 'introduction-connected' : 'introduction-accepted')
    }
    case 'withdraw': {
      const result = await withdrawIntroduction(user, id)
      if (!result.ok) return failure('withdraw', result)
      throw back('introduction-withdrawn')
    }
    case 'message': {
      const form = parseForm(formData, MessageSchema)
      if (formData.get('preview') === 'message') {
        const body = String(formData.get('body') ?? '').slice(0, REPLY_MAX)
        return data<ActionResult>({ form: 'message', errors: {}, values: { body, submissionKey: String(formData.get('submissionKey') ?? '') }, preview: renderMarkdown(body) })
      }
      if (!form.ok) return data<ActionResult>({ form: 'message', errors: form.errors, values: form.values }, { status: 400 })
      const limit = await consumeLimit('message', user.id)
      if (!limit.ok) {
        const errors = { '': [limitMessage('message', limit.retryAfter)] }
        return limitedFailure<ActionResult>({ form: 'message', errors, values: form.values }, limit.retryAfter)
      }
      const result = await postIntroductionMessage(user, id, form.data)
      if (!result.ok) return failure('message', result, form.values)
      throw back('introduction-message-posted', `#message-${result.value.id}`)
    }
    case 'outcome': {
      const form = parseForm(formData, OutcomeSchema)
      if (!form.ok) return data<ActionResult>({ form: 'outcome', errors: form.errors, values: form.values }, { status: 400 })
      const result = await recordIntroductionOutcome(user, id, form.data.helped === 'yes')
      if (!result.ok) return failure('outcome', result)
      throw back(form.data.helped === 'yes' ? 'introduction-helped' : 'introduction-not-helped', '#outcome')
    }
    default:
      return data<ActionResult>({ form: 'actions', errors: { '': ['Choose an action.'] }, values: {} }, { status: 400 })
  }
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>

const QUALIFYING_HEADINGS = {
  workaround: 'Their workaround',
  story: 'Their success story',
  migration: 'Their completed migration',
  problem: 'What they shared',
} as const

function Section({ id, title, children, className = 'card space-y-3' }: { id: string; title: string; children: ReactNode; className?: string }) {
  return (
    <section aria-labelledby={id} className={className}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  )
}

function SupportNote({ note }: { note: string }) {
  return (
    <Section id="note-heading" title="A note from support">
      <blockquote className="whitespace-pre-line border-l-4 border-brand-100 pl-4 text-slate-800">{note}</blockquote>
    </Section>
  )
}

function TheProblem({ intro, linked }: { intro: LoaderData; linked: boolean }) {
  if (!intro.problem) return null
  return (
    <Section
      id="problem-heading"
      title={
        intro.subjectKind === 'migration'
          ? intro.side === 'asker' ? 'Your migration plan' : 'The migration they plan'
          : intro.side === 'asker' ? 'Your problem' : 'The problem they are stuck on'
      }
    >
      <h3 className="text-base font-semibold">
        {linked ? <Link to={`/posts/${intro.problem.id}`}>{intro.problem.title}</Link> : intro.problem.title}
      </h3>
      <Markdown html={intro.problem.html} />
    </Section>
  )
}

function TheQualifyingPost({ intro, linked }: { intro: LoaderData; linked: boolean }) {
  const q = intro.qualifying
  if (!q) return null
  const href = q.kind === 'workaround' && q.problemId ? `/posts/${q.problemId}#workaround-${q.id}` : `/posts/${q.id}`
  // Between two plans for the same move, theirs may still be ahead.
  const heading = intro.subjectKind === 'migration' ? 'Their migration plan' : QUALIFYING_HEADINGS[q.kind]
  return (
    <Section id="qualifying-heading" title={intro.side === 'asker' ? `${heading} — why support thought of them` : heading}>
      {q.title ? <h3 className="text-base font-semibold">{linked ? <Link to={href}>{q.title}</Link> : q.title}</h3> : null}
      <Markdown html={q.html} />
      {linked && !q.title ? (
        <p className="text-sm">
          <Link to={href}>Open it in the hub</Link>
        </p>
      ) : null}
    </Section>
  )
}

/** Before both accept: the other side's post as a neutral summary (product, versions), nothing that leads to them. */
function OtherSideSummary({ intro }: { intro: LoaderData }) {
  if (!intro.otherSummary) return null
  const title =
    intro.side === 'asker'
      ? intro.subjectKind === 'migration' ? 'Who support thought of' : 'Why support thought of them'
      : intro.subjectKind === 'migration' ? 'The migration they plan' : 'The problem they are stuck on'
  return (
    <Section id="summary-heading" title={title}>
      <p className="text-slate-800">{intro.otherSummary.text}</p>
      <p className="hint">
        What they wrote is shown once you have both said yes: until then, nothing that could lead to them — or to you — is
        shared.
      </p>
    </Section>
  )
}

function WhatHappensNext({ intro }: { intro: LoaderData }) {
  return (
    <Section id="next-heading" title="What happens next">
      <ul className="list-disc space-y-2 pl-5 text-slate-800">
        <li>
          Nothing about you has been shared. The other customer does not know your name — not even that you were asked.
        </li>
        <li>
          If you <strong>both</strong> say yes, you will both see each other’s name, organization and contact email, and a
          private thread opens for the two of you and the support team.
        </li>
        <li>
          If either of you says no, or there is no answer by {intro.expires.date}, the introduction simply does not happen.
          The other side is told only that — never who said no, or why.
        </li>
        <li>
          The email address you share is set under <Link to="/settings/introductions">Settings → Introductions</Link>, where
          you can also turn introductions off.
        </li>
      </ul>
    </Section>
  )
}

function AnswerForm({ errors }: { errors?: FieldErrors }) {
  return (
    <Section id="answer-heading" title="Your answer">
      <Form method="post" className="space-y-3">
        <input type="hidden" name="intent" value="respond" />
        <FormErrors errors={errors ? [...(errors[''] ?? []), ...(errors.answer ?? [])] : undefined} />
        <div role="group" aria-labelledby="answer-heading" className="flex flex-wrap gap-3">
          <SubmitButton name="answer" value="accepted" pendingText="Saving…">
            Yes, introduce us
          </SubmitButton>
          <SubmitButton className="btn-secondary" name="answer" value="declined" pendingText="Saving…">
            No, thank you
          </SubmitButton>
        </div>
        <p className="hint">Saying no is fine and private: nobody is told it was you.</p>
      </Form>
    </Section>
  )
}

function ContactCard({ person, title }: { person: NonNullable<LoaderData['other']>; title: string }) {
  return (
    <div>
      <h3 className="text-sm font-semibold text-slate-600">{title}</h3>
      <dl className="mt-1 space-y-1 text-sm">
        <div className="flex gap-2">
          <dt className="w-28 shrink-0 text-slate-600">Name</dt>
          <dd className="font-medium">
            <Link to={`/people/${person.id}`}>{person.name}</Link>
          </dd>
        </div>
        <div className="flex gap-2">
          <dt className="w-28 shrink-0 text-slate-600">Organization</dt>
          <dd>{person.organizationName}</dd>
        </div>
        <div className="flex gap-2">
          <dt className="w-28 shrink-0 text-slate-600">Contact email</dt>
          <dd className="break-all">
            <a href={`mailto:${person.contactEmail}`}>{person.contactEmail}</a>
          </dd>
        </div>
      </dl>
    </div>
  )
}

function Thread({ intro, actionData }: { intro: LoaderData; actionData?: ActionResult }) {
  const form = actionData?.form === 'message' ? actionData : undefined
  const canWrite = intro.state === 'connected'
  return (
    <Section id="thread-heading" title="Your private thread" className="space-y-4">
      <p className="text-sm text-slate-700">
        Only the two customers in this introduction and the support team can read it. Everyone here is notified of new
        messages.
      </p>
      {intro.messages.length === 0 ? <p className="text-slate-700">No messages yet. Say hello!</p> : null}
      <ol className="space-y-3">
        {intro.messages.map((m) => (
          <li key={m.id} id={`message-${m.id}`} className={`card space-y-2 p-4 ${m.mine ? 'border-brand-100 bg-brand-50' : ''}`}>
            <p className="text-sm text-slate-600">
              <span className="font-medium text-slate-900">{m.mine ? 'You' : m.authorName}</span> ·{' '}
              <time dateTime={m.at}>{m.when}</time>
            </p>
            <Markdown html={m.html} />
          </li>
        ))}
      </ol>
      {canWrite ? (
        // Keyed on how many messages the reader wrote: after sending, the editor starts empty;
        // after a refusal (no new message) it keeps what was typed.
        <Form key={intro.messages.filter((m) => m.mine).length} method="post" id="message-form" className="card space-y-3" noValidate>
          <h3 className="text-base font-semibold">Write a message</h3>
          <input type="hidden" name="intent" value="message" />
          <input type="hidden" name="submissionKey" value={form?.values.submissionKey || intro.submissionKey} />
          <FormErrors errors={form?.errors['']} />
          <MarkdownEditor
            label="Your message"
            name="body"
            defaultValue={form?.values.body ?? ''}
            errors={form?.errors.body}
            maxLength={REPLY_MAX}
            preview={form?.preview}
            previewName="preview"
            previewValue="message"
            rows={5}
          />
          <SubmitButton pendingText="Sending…">Send message</SubmitButton>
        </Form>
      ) : null}
    </Section>
  )
}

function Outcome({ intro, actionData }: { intro: LoaderData; actionData?: ActionResult }) {
  const problemId = intro.problem?.id
  const errors = actionData?.form === 'outcome' ? actionData.errors : undefined
  return (
    <section id="outcome" aria-labelledby="outcome-heading" className="card space-y-3">
      <h2 id="outcome-heading">Did it help?</h2>
      {intro.outcome ? (
        <p>
          You said: <strong>{intro.outcome === 'helped' ? 'yes, it helped' : 'no, it did not help'}</strong>. You can change
          your answer.
        </p>
      ) : (
        <p className="text-slate-700">When you have talked, tell us whether it helped. It takes one click.</p>
      )}
      <Form method="post" className="space-y-2">
        <input type="hidden" name="intent" value="outcome" />
        <FormErrors errors={errors ? [...(errors[''] ?? []), ...(errors.helped ?? [])] : undefined} />
        <div role="group" aria-labelledby="outcome-heading" className="flex flex-wrap gap-3">
          <SubmitButton className={intro.outcome === 'helped' ? 'btn-primary' : 'btn-secondary'} name="helped" value="yes">
            Yes, it helped
          </SubmitButton>
          <SubmitButton className={intro.outcome === 'not_helped' ? 'btn-primary' : 'btn-secondary'} name="helped" value="no">
            No, not really
          </SubmitButton>
        </div>
      </Form>
      {intro.outcome === 'helped' && problemId && intro.subjectKind === 'problem' ? (
        <div className="notice space-y-2">
          <p>Glad to hear it! Help the next person who hits this:</p>
          <ul className="list-disc space-y-1 pl-5">
            {intro.solverWorkaround && !intro.solverWorkaround.accepted ? (
              <li>
                <Link to={`/posts/${problemId}#workaround-${intro.solverWorkaround.id}`}>
                  Accept {intro.other?.name ?? 'their'}’s workaround on your problem
                </Link>
              </li>
            ) : null}
            {intro.solverWorkaround?.accepted ? <li>Their workaround is already accepted on your problem.</li> : null}
            <li>
              <Link to={`/posts/${problemId}#add-workaround`}>Write a workaround on your problem describing what you did</Link>
            </li>
          </ul>
        </div>
      ) : null}
    </section>
  )
}

function StaffPanel({ intro, actionData }: { intro: LoaderData; actionData?: ActionResult }) {
  const s = intro.staffView
  if (!s) return null
  const response = (r: string | null) => (r === 'accepted' ? 'Said yes' : r === 'declined' ? 'Said no' : 'No answer yet')
  return (
    <Section id="staff-heading" title="Support view" className="card space-y-4 border-dashed">
      <dl className="grid gap-3 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-slate-600">Proposed by</dt>
          <dd>
            {s.proposedBy}, {intro.created.text} ({intro.created.age} ago)
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">{intro.state === 'proposed' ? 'Expires' : intro.state === 'connected' ? 'Connected' : 'Would have expired'}</dt>
          <dd>
            {intro.state === 'connected' ? intro.connectedAt : `${intro.expires.text}${intro.state === 'proposed' ? ` (${intro.expires.remaining})` : ''}`}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Who asked — {response(s.askerResponse)}</dt>
          <dd>
            <Link to={`/people/${s.asker.id}`}>{s.asker.name}</Link> · {s.asker.organizationName} · {s.asker.contactEmail}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">
            {intro.subjectKind === 'migration' ? 'Who makes the same move' : 'Who solved it'} — {response(s.solverResponse)}
          </dt>
          <dd>
            <Link to={`/people/${s.solver.id}`}>{s.solver.name}</Link> · {s.solver.organizationName} · {s.solver.contactEmail}
          </dd>
        </div>
        {intro.state === 'connected' ? (
          <div>
            <dt className="text-slate-600">Did it help?</dt>
            <dd>{intro.outcome === 'helped' ? 'Yes' : intro.outcome === 'not_helped' ? 'No' : 'Not answered yet'}</dd>
          </div>
        ) : null}
      </dl>
      <div className="grid gap-4 md:grid-cols-2">
        <div>
          <h3 className="text-sm font-semibold">Note to {s.asker.name}</h3>
          <blockquote className="mt-1 whitespace-pre-line border-l-4 border-slate-200 pl-3 text-sm text-slate-800">{s.askerNote}</blockquote>
        </div>
        <div>
          <h3 className="text-sm font-semibold">Note to {s.solver.name}</h3>
          <blockquote className="mt-1 whitespace-pre-line border-l-4 border-slate-200 pl-3 text-sm text-slate-800">{s.solverNote}</blockquote>
        </div>
      </div>
      {intro.state === 'proposed' ? (
        <Form method="post" className="space-y-2">
          <FormErrors errors={actionData?.form === 'withdraw' ? actionData.errors[''] : undefined} />
          <SubmitButton className="btn-danger" name="intent" value="withdraw" pendingText="Withdrawing…">
            Withdraw this introduction
          </SubmitButton>
          <p className="hint">Both sides are told only that it did not happen.</p>
        </Form>
      ) : null}
    </Section>
  )
}

function Heading({ intro }: { intro: LoaderData }) {
  let title: string
  if (intro.staff && !intro.side) title = `Introduction about “${intro.problem?.title ?? (intro.subjectKind === 'migration' ? 'a migration plan' : 'a problem')}”`
  else if (intro.state === 'connected') title = `You are connected with ${intro.other?.name ?? 'another customer'}`
  else if (intro.state === 'did_not_happen') title = 'This introduction did not happen'
  else if (intro.side === 'asker') title = intro.subjectKind === 'migration' ? 'Another customer plans the same migration' : 'Someone may have solved your problem'
  else title = intro.subjectKind === 'migration' ? 'Would you compare notes with another customer?' : 'Could you help another customer?'
  return <h1 id="introduction-title">{title}</h1>
}

/** Where things stand, in one sentence, for the person reading. */
function StatusLine({ intro }: { intro: LoaderData }) {
  let text: string
  if (intro.staff && !intro.side) {
    text = `${staffStateLabel(intro.state, Boolean(intro.staffView && (intro.staffView.askerResponse === 'accepted') !== (intro.staffView.solverResponse === 'accepted')))}.`
  } else if (intro.state === 'connected') {
    text = `Connected: you both said yes${intro.connectedAt ? ` on ${intro.connectedAt}` : ''}.`
  } else if (intro.state === 'did_not_happen') {
    text = 'Did not happen. Nothing about you was shared with anyone. Support may suggest someone else.'
  } else if (intro.myResponse === 'accepted') {
    text = `${sideStateLabel(intro.state, 'accepted')}. You said yes; we will let you know when the other side answers (the request expires ${intro.expires.remaining}).`
  } else {
    text = `${sideStateLabel(intro.state, null)}: please answer by ${intro.expires.date} (${intro.expires.remaining}).`
  }
  return (
    <p role="status" className="rounded-md border border-slate-200 bg-white p-3 text-sm font-medium text-slate-800">
      {text}
    </p>
  )
}

export default function IntroductionPage() {
  const intro = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const side = intro.side
  const connected = intro.state === 'connected'
  const closedForSide = !intro.staff && intro.state === 'did_not_happen'
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p className="text-sm">
        <Link to="/introductions">← All your introductions</Link>
      </p>
      {intro.notice ? <Notice>{intro.notice}</Notice> : null}
      {actionData?.form === 'actions' ? <FormErrors errors={actionData.errors['']} /> : null}
      <Heading intro={intro} />
      {side === 'asker' && intro.problem ? (
        <p className="text-slate-700">
          About your {intro.subjectKind === 'migration' ? 'migration plan' : 'problem'}{' '}
          <Link to={`/posts/${intro.problem.id}`}>{intro.problem.title}</Link>
        </p>
      ) : null}
      <StatusLine intro={intro} />

      {closedForSide ? (
        <p className="text-slate-700">
          <Link to="/introductions">Back to your introductions</Link>
        </p>
      ) : (
        <>
          {connected && intro.other ? (
            <Section id="contact-heading" title="Who you are connected with">
              <ContactCard
                person={intro.other}
                title={
                  side === 'asker'
                    ? intro.subjectKind === 'migration' ? 'The customer making the same move' : 'The customer who solved it'
                    : 'The customer who asked'
                }
              />
            </Section>
          ) : null}
          {intro.note ? <SupportNote note={intro.note} /> : null}
          {side === 'solver' || intro.staff ? <TheProblem intro={intro} linked={connected || intro.staff || side === 'asker'} /> : null}
          {side === 'asker' || intro.staff ? <TheQualifyingPost intro={intro} linked={connected || intro.staff} /> : null}
          <OtherSideSummary intro={intro} />
          {side && intro.state === 'proposed' ? <WhatHappensNext intro={intro} /> : null}
          {side && intro.state === 'proposed' && !intro.myResponse ? (
            <AnswerForm errors={actionData?.form === 'respond' ? actionData.errors : undefined} />
          ) : null}
          {side === 'asker' && connected ? <Outcome intro={intro} actionData={actionData} /> : null}
          <StaffPanel intro={intro} actionData={actionData} />
          {connected || (intro.staff && intro.messages.length) ? <Thread intro={intro} actionData={actionData} /> : null}
        </>
      )}
    </div>
  )
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export const meta: MetaFunction = () => [{ title: 'Introduction · Switchboard' }]

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
