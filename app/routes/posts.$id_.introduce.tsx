import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Markdown } from '~/components/markdown'
import { StateBadge } from '~/components/posts/badges'
import { FormErrors, TextAreaField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireRole } from '~/modules/auth/auth.server'
import { findCandidates, findSameMoveCandidates } from '~/modules/introductions/candidates.server'
import {
  defaultAskerNote,
  defaultSameMoveAskerNote,
  defaultSameMoveSolverNote,
  defaultSolverNote,
} from '~/modules/introductions/introductions-view'
import { NOTE_MAX, ProposeSchema } from '~/modules/introductions/introductions.schema'
import { proposeIntroduction } from '~/modules/introductions/introductions.server'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { getPersonPage, getPostPage } from '~/modules/posts/post-queries.server'
import { parseForm, type FieldErrors } from '~/utils/forms'
import { commandFailure, formFailure, forbidden, notFound, limitedFailure } from '~/utils/http.server'
import { idFromQuery, idParam } from '~/utils/params.server'
import { limitHeaders } from '~/utils/limit-headers'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'

/** How many candidates to look through for the chosen one (the panel shows fewer). */
const CANDIDATE_LOOKUP = 50

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireRole(args, 'support')
  const url = new URL(args.request.url)
  const problemId = idParam(args)
  const solverId = idFromQuery(url, 'solver') ?? ''
  const via = idFromQuery(url, 'via')
  const page = await getPostPage(user, problemId)
  if (!page || page.redirectTo !== null || (page.post.kind !== 'problem' && page.post.kind !== 'migration')) {
    throw notFound('We could not find that problem. Introductions start from a problem report or a migration plan.')
  }
  // A migration plan: customers making the same move (the migration radar's "connect these customers").
  const sameMove = page.post.kind === 'migration'
  const candidates =
    (sameMove ? await findSameMoveCandidates(user, problemId, CANDIDATE_LOOKUP) : await findCandidates(user, problemId, CANDIDATE_LOOKUP)) ?? []
  const candidate = candidates.find((c) => c.id === solverId) ?? null
  // Someone no longer suggested (opted out, deactivated…) can still be shown:
  // the proposal then answers with the reason, which is clearer than a 404.
  const person = candidate ?? (solverId ? (await getPersonPage(user, solverId))?.person : null)
  if (!person) throw notFound('We could not find that person. Choose someone under “People who solved this” on the problem page.')
  const reason = candidate?.reasons.find((r) => r.postId === via) ?? candidate?.reasons[0] ?? null
  const { post } = page
  const title = post.title ?? (sameMove ? 'Untitled migration plan' : 'Untitled problem')
  return {
    sameMove,
    problem: {
      id: post.id,
      title,
      state: post.state,
      visibility: post.visibility,
      authorName: post.authorName,
      organizationName: post.organizationName,
      productName: post.productName,
      versions: post.versions.map((v) => v.name),
      html: renderMarkdown(post.body),
    },
    solver: {
      id: person.id,
      name: person.name,
      organizationName: person.organizationName,
      suggested: Boolean(candidate),
      openIntroductions: candidate?.openIntroductions ?? null,
      reasons: candidate?.reasons ?? [],
    },
    qualifyingPostId: reason?.postId ?? '',
    defaults: sameMove
      ? {
          askerNote: defaultSameMoveAskerNote({ askerName: post.authorName, planTitle: title, staffName: user.name }),
          solverNote: defaultSameMoveSolverNote({ solverName: person.name, planTitle: title, done: Boolean(reason?.completed), staffName: user.name }),
        }
      : {
          askerNote: defaultAskerNote({ askerName: post.authorName, problemTitle: post.title ?? 'your problem', staffName: user.name }),
          solverNote: defaultSolverNote({ solverName: person.name, reasonKind: reason?.kind ?? null, staffName: user.name }),
        },
  }
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, 'support')
  const form = parseForm(await args.request.formData(), ProposeSchema)
  if (!form.ok) return formFailure(form)
  const limit = await consumeLimit('introduction', user.id)
  if (!limit.ok) {
    return limitedFailure({ errors: { '': [limitMessage('introduction', limit.retryAfter)] } as FieldErrors, values: form.values }, limit.retryAfter)
  }
  // The problem comes from the URL and the proposer from the session; the
  // asker is the problem's author, looked up by the command (never a form field).
  const result = await proposeIntroduction(user, { problemId: idParam(args), ...form.data })
  if (!result.ok) {
    if (result.reason === 'forbidden') throw forbidden(result.message)
    return commandFailure(result, form.values, 409)
  }
  throw redirect(`/introductions/${result.value.id}?notice=introduction-proposed`)
}

/** Retry-After of a refused (429) submission reaches the browser. */
export const headers = limitHeaders

export default function ProposeIntroductionPage() {
  const { sameMove, problem, solver, qualifyingPostId, defaults } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  const values = actionData?.values ?? {}
  // Failures about the person or the qualifying post have no visible field of their own.
  const formErrors = [...(errors[''] ?? []), ...(errors.solverId ?? []), ...(errors.qualifyingPostId ?? [])]
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p className="text-sm">
        <Link to={`/posts/${problem.id}`}>← Back to the {sameMove ? 'migration plan' : 'problem'}</Link>
      </p>
      <h1>Propose an introduction</h1>
      <p className="text-slate-700">
        You are about to ask two customers, separately and privately, whether they would like to be introduced. Neither
        learns the other’s name, organization or email — nor even that the other was asked — until both say yes. If
        either says no, or nobody answers in time, both are told only that it did not happen.
      </p>

      <section aria-labelledby="problem-heading" className="card space-y-3">
        <h2 id="problem-heading">{sameMove ? 'The migration plan' : 'The problem'}</h2>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          {problem.state ? <StateBadge state={problem.state} /> : null}
          <span>{problem.productName}</span>
          {problem.versions.length ? <span className="text-slate-600">Affects {problem.versions.join(', ')}</span> : null}
        </div>
        <h3 className="text-base font-semibold">
          <Link to={`/posts/${problem.id}`}>{problem.title}</Link>
        </h3>
        <p className="text-sm text-slate-600">
          {sameMove ? 'Planned' : 'Asked'} by {problem.authorName} · {problem.organizationName}
        </p>
        {problem.visibility !== 'community' ? (
          <p className="alert">
            This {sameMove ? 'plan' : 'problem'} is staff-only. Make it visible to the community before introducing someone to it.
          </p>
        ) : null}
        <details>
          <summary className="cursor-pointer text-sm text-slate-700">Show what they wrote</summary>
          <Markdown html={problem.html} className="mt-2" />
        </details>
      </section>

      <section aria-labelledby="candidate-heading" className="card space-y-3">
        <h2 id="candidate-heading">{sameMove ? 'Who makes the same move' : 'Who could help'}</h2>
        <p>
          <Link to={`/people/${solver.id}`} className="font-medium">
            {solver.name}
          </Link>{' '}
          · {solver.organizationName}
          {solver.openIntroductions !== null ? (
            <span className="text-slate-600">
              {' '}
              · {solver.openIntroductions} open {solver.openIntroductions === 1 ? 'introduction' : 'introductions'}
            </span>
          ) : null}
        </p>
        {solver.suggested ? (
          <>
            <h3 className="text-sm font-semibold">Why</h3>
            <ul className="list-disc space-y-1 pl-5 text-sm">
              {solver.reasons.map((r) => (
                <li key={r.postId}>
                  <Link to={r.path}>{r.label}</Link>
                  {r.postId === qualifyingPostId ? <span className="text-slate-600"> (shown to the person who asked)</span> : null}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="alert">
            {solver.name} is not among the people suggested for this {sameMove ? 'plan' : 'problem'} right now (they may have
            turned introductions off, be of the same organization, or have no qualifying post).
          </p>
        )}
      </section>

      <section aria-labelledby="notes-heading" className="card space-y-4">
        <h2 id="notes-heading">Your notes</h2>
        <p className="text-sm text-slate-700">
          Each side sees only the note written for them. Edit them as you like — but do not name the other person: names
          are shared only when both say yes.
        </p>
        <Form method="post" className="space-y-4" noValidate>
          <FormErrors errors={formErrors.length ? formErrors : undefined} />
          <input type="hidden" name="solverId" value={values.solverId ?? solver.id} />
          {qualifyingPostId ? <input type="hidden" name="qualifyingPostId" value={values.qualifyingPostId ?? qualifyingPostId} /> : null}
          <TextAreaField
            label={`Note to ${problem.authorName} (${sameMove ? 'whose plan this is' : 'who asked'})`}
            name="askerNote"
            rows={9}
            defaultValue={values.askerNote ?? defaults.askerNote}
            errors={errors.askerNote}
            hint={`Shown with the post that qualifies the other customer. Up to ${NOTE_MAX.toLocaleString('en-US')} characters.`}
          />
          <TextAreaField
            label={`Note to ${solver.name} (${sameMove ? 'who makes the same move' : 'who solved it'})`}
            name="solverNote"
            rows={9}
            defaultValue={values.solverNote ?? defaults.solverNote}
            errors={errors.solverNote}
            hint={`Shown with the ${sameMove ? 'plan' : 'problem'}. Up to ${NOTE_MAX.toLocaleString('en-US')} characters.`}
          />
          <div className="flex flex-wrap items-center gap-3">
            <SubmitButton pendingText="Sending…">Send both requests</SubmitButton>
            <Link to={`/posts/${problem.id}`}>Cancel</Link>
          </div>
        </Form>
      </section>
    </div>
  )
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Propose an introduction: ${data?.problem.title ?? 'problem'} · Switchboard` },
]

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
