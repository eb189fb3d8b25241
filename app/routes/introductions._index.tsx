import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Notice } from '~/components/ui/field'
import { type IntroductionState } from '~/db/schema'
import { isStaff } from '~/modules/accounts/accounts.server'
import { requireUser } from '~/modules/auth/auth.server'
import { describeAge, describeRemaining, sideStateLabel, staffStateLabel } from '~/modules/introductions/introductions-view'
import { INTRODUCTION_STATE_LABELS } from '~/modules/introductions/introductions.schema'
import { listIntroductionsPage } from '~/modules/introductions/introductions.server'
import { formatDate, formatDateTime } from '~/utils/format'
import { noticeFrom } from '~/utils/notices'
import { KeysetPagination } from '~/components/ui/pagination'
import { cursorFrom } from '~/utils/keyset'

/** The states support can filter by (a side never sees these names). */
const STAFF_STATES = ['proposed', 'connected', 'declined', 'expired', 'withdrawn'] as const satisfies readonly IntroductionState[]

function stateFrom(url: URL): IntroductionState | undefined {
  const value = url.searchParams.get('state')
  return STAFF_STATES.find((s) => s === value)
}

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const url = new URL(args.request.url)
  const staff = isStaff(user)
  const state = staff ? stateFrom(url) : undefined
  const list = await listIntroductionsPage(user, { state, cursor: cursorFrom(url) })
  const rows = list.items
  const now = new Date()
  return {
    staff,
    state: state ?? '',
    older: list.older,
    newer: list.newer,
    notice: noticeFrom(url),
    introductions: rows.map((r) => ({
      id: r.id,
      side: r.side,
      state: r.state,
      label: staff ? staffStateLabel(r.state, r.acceptedByOne) : sideStateLabel(r.state, r.myResponse),
      iDeclined: r.myResponse === 'declined',
      // For a side: the other person's name, only once connected (the server withholds it before).
      otherName: r.side === 'asker' ? r.solverName : r.side === 'solver' ? r.askerName : null,
      askerName: r.askerName,
      solverName: r.solverName,
      problemId: r.problemId,
      problemTitle: r.problemTitle ?? 'a problem',
      // Before connecting, the solver reads only the product of the asker's problem.
      subject: r.problemTitle ? `“${r.problemTitle}”` : `a problem with ${r.productName}`,
      outcome: r.outcome,
      created: { at: r.createdAt.toISOString(), date: formatDate(r.createdAt), age: describeAge(r.createdAt, now) },
      changed: { at: r.updatedAt.toISOString(), text: formatDateTime(r.updatedAt), age: describeAge(r.updatedAt, now) },
      expiresIn: r.state === 'proposed' ? describeRemaining(r.expiresAt, now) : null,
    })),
  }
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['introductions'][number]

const STATE_STYLES: Record<string, string> = {
  proposed: 'bg-amber-100 text-amber-900',
  connected: 'bg-emerald-100 text-emerald-900',
}

function StatePill({ row }: { row: Row }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${STATE_STYLES[row.state] ?? 'bg-slate-100 text-slate-800'}`}>
      {row.label}
    </span>
  )
}

function SideList({ rows, heading, id, empty }: { rows: Row[]; heading: string; id: string; empty: string }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <h2 id={id}>
        {heading} <span className="text-slate-600">({rows.length})</span>
      </h2>
      {rows.length === 0 ? (
        <p className="text-slate-700">{empty}</p>
      ) : (
        <ul className="space-y-3">
          {rows.map((r) => (
            <li key={r.id} className="card flex flex-wrap items-start justify-between gap-3 p-4">
              <div className="min-w-0 flex-1 space-y-1">
                <p className="font-medium">
                  <Link to={`/introductions/${r.id}`}>
                    {r.side === 'asker' ? `Your problem ${r.subject}` : `Someone stuck on ${r.subject}`}
                  </Link>
                </p>
                <p className="text-sm text-slate-600">
                  {r.state === 'connected' && r.otherName ? <>With {r.otherName} · </> : null}
                  Asked on <time dateTime={r.created.at}>{r.created.date}</time>
                  {r.expiresIn ? ` · expires ${r.expiresIn}` : ''}
                  {r.iDeclined ? ' · you said no' : ''}
                </p>
              </div>
              <StatePill row={r} />
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function CustomerView({ rows }: { rows: Row[] }) {
  return (
    <>
      <p className="text-slate-700">
        When support finds a customer who solved a problem like yours — or someone stuck on a problem you solved — they
        ask each of you here, separately. Nothing about you is shared unless you both say yes.{' '}
        <Link to="/settings/introductions">Introduction settings</Link>
      </p>
      <SideList
        id="asked-for-you"
        heading="About your problems"
        rows={rows.filter((r) => r.side === 'asker')}
        empty="None yet. When support finds someone who solved a problem like yours, you will be asked here first."
      />
      <SideList
        id="asked-of-you"
        heading="Asked to help someone"
        rows={rows.filter((r) => r.side === 'solver')}
        empty="None yet. When someone is stuck on a problem you solved, support may ask whether you would talk to them."
      />
    </>
  )
}

function StaffView({ rows, state }: { rows: Row[]; state: string }) {
  return (
    <>
      <Form method="get" className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="state-filter" className="label">
            State
          </label>
          <select id="state-filter" name="state" className="input" defaultValue={state}>
            <option value="">Every state</option>
            {STAFF_STATES.map((s) => (
              <option key={s} value={s}>
                {INTRODUCTION_STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn-secondary">
          Show
        </button>
      </Form>
      {rows.length === 0 ? (
        <p className="card text-slate-700">
          No introductions {state ? `in the state “${INTRODUCTION_STATE_LABELS[state as (typeof STAFF_STATES)[number]]}”` : 'yet'}.
          Propose one from an open problem’s “People who solved this”.
        </p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table">
            <caption className="sr-only">Introductions{state ? `, ${INTRODUCTION_STATE_LABELS[state as (typeof STAFF_STATES)[number]]}` : ''}, most recently changed first</caption>
            <thead>
              <tr>
                <th scope="col">Problem</th>
                <th scope="col">Who asked → who solved it</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Waiting since / last change</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/introductions/${r.id}`}>{r.problemTitle}</Link>
                  </td>
                  <td>
                    {r.askerName} → {r.solverName}
                  </td>
                  <td>
                    <StatePill row={r} />
                    {r.expiresIn ? <span className="block text-xs text-slate-600">expires {r.expiresIn}</span> : null}
                    {r.outcome ? <span className="block text-xs text-slate-600">{r.outcome === 'helped' ? 'It helped' : 'Did not help'}</span> : null}
                  </td>
                  <td>
                    <time dateTime={r.created.at}>{r.created.date}</time>
                    <span className="block text-xs text-slate-600">{r.created.age} ago</span>
                  </td>
                  <td>
                    {r.state === 'proposed' ? 'waiting ' : 'changed '}
                    <time dateTime={r.changed.at} title={r.changed.text}>
                      {r.changed.age}
                    </time>
                    {r.state === 'proposed' ? '' : ' ago'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

export default function IntroductionsPage() {
  const { staff, state, introductions, notice, older, newer } = useLoaderData<typeof loader>()
  return (
    <section aria-labelledby="introductions-title" className="mx-auto max-w-5xl space-y-6">
      <h1 id="introductions-title">{staff ? 'Introductions' : 'Your introductions'}</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      {staff ? <StaffView rows={introductions} state={state} /> : <CustomerView rows={introductions} />}
      <KeysetPagination newer={newer} older={older} />
    </section>
  )
}

export const meta: MetaFunction = () => [{ title: 'Introductions · Switchboard' }]

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
