import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { listOwnSessions, signOutOtherSessions, signOutSession } from '~/modules/accounts/accounts.server'
import { requireAuth } from '~/modules/auth/auth.server'
import { describeUserAgent, formatDateTime } from '~/utils/format'
import { isSafeId } from '~/utils/forms'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  const { user, session } = await requireAuth(args)
  const sessions = await listOwnSessions(user)
  return {
    notice: noticeFrom(args.request.url),
    sessions: sessions.map((s) => ({
      id: s.id,
      current: s.id === session.id,
      device: describeUserAgent(s.userAgent),
      ipAddress: s.ipAddress,
      createdAt: formatDateTime(s.createdAt),
      lastSeenAt: formatDateTime(s.lastSeenAt),
    })),
  }
}

export async function action(args: ActionFunctionArgs) {
  const { user, session } = await requireAuth(args)
  const formData = await args.request.formData()
  const intent = formData.get('intent')
  if (intent === 'sign-out-others') {
    await signOutOtherSessions(user, session.id)
    throw redirect('/settings/sessions?notice=sessions-ended')
  }
  const sessionId = formData.get('sessionId')
  if (intent === 'sign-out-one' && isSafeId(sessionId) && sessionId !== session.id) {
    const result = await signOutSession(user, sessionId)
    if (!result.ok) return data({ error: result.message }, { status: 404 })
    throw redirect('/settings/sessions?notice=session-ended')
  }
  return data({ error: 'Choose a session to sign out.' }, { status: 400 })
}

export const meta: MetaFunction = () => [{ title: 'Your sessions · Switchboard' }]

export default function SessionsPage() {
  const { sessions, notice } = useLoaderData<typeof loader>()
  const others = sessions.filter((s) => !s.current).length
  return (
    <section aria-labelledby="sessions-title" className="space-y-6">
      <h1 id="sessions-title">Where you are signed in</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <p className="text-slate-700">
        Each browser you signed in with has a session that lasts 30 days from its last use. Sign out any you do not
        recognise.
      </p>
      <ul className="space-y-3">
        {sessions.map((s) => (
          <li key={s.id} className="card flex flex-wrap items-center justify-between gap-4 p-4">
            <div>
              <p className="font-medium">
                {s.device}
                {s.current ? <span className="ml-2 rounded bg-emerald-100 px-2 py-0.5 text-xs text-emerald-900">This session</span> : null}
              </p>
              <p className="text-sm text-slate-600">
                Signed in {s.createdAt} · last used {s.lastSeenAt}
                {s.ipAddress ? ` · from ${s.ipAddress}` : ''}
              </p>
            </div>
            {s.current ? null : (
              <Form method="post">
                <input type="hidden" name="sessionId" value={s.id} />
                <SubmitButton className="btn-secondary" name="intent" value="sign-out-one">
                  Sign out<span className="sr-only"> {s.device}, last used {s.lastSeenAt}</span>
                </SubmitButton>
              </Form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Form method="post">
          <SubmitButton className="btn-danger" name="intent" value="sign-out-others" pendingText="Signing out…">
            Sign out all other sessions ({others})
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  )
}
