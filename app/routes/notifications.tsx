import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FormErrors, Notice } from '~/components/ui/field'
import { KeysetPagination } from '~/components/ui/pagination'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireUser, safeRedirect } from '~/modules/auth/auth.server'
import {
  countUnread,
  listNotifications,
  markAllRead,
  markRead,
  NotificationActionSchema,
} from '~/modules/notifications/notifications.server'
import { formatDateTime } from '~/utils/format'
import { parseForm } from '~/utils/forms'
import { notFound } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'
import { cursorFrom, encodeCursor } from '~/utils/keyset'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const url = new URL(args.request.url)
  const [list, unread] = await Promise.all([listNotifications(user.id, { cursor: cursorFrom(url) }), countUnread(user.id)])
  return {
    notice: noticeFrom(url),
    unread,
    older: list.older,
    newer: list.newer,
    // On a later page (a cursor) that came back empty: offer the latest ones.
    pastTheEnd: cursorFrom(url) !== null,
    notifications: list.rows.map((n) => ({
      id: n.id,
      summary: n.summary,
      // About a post the reader may no longer see: a neutral line with nothing to open.
      openable: n.visible,
      unread: n.readAt === null,
      at: n.createdAt.toISOString(),
      when: formatDateTime(n.createdAt),
    })),
  }
}

/** The page the person was on (its cursor), to come back to after marking something read. */
function backTo(request: Request, notice: string) {
  const cursor = cursorFrom(new URL(request.url))
  const params = new URLSearchParams(cursor ? { [cursor.direction]: encodeCursor(cursor.at, cursor.id) } : {})
  params.set('notice', notice)
  return `/notifications?${params}`
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireUser(args)
  const form = parseForm(await args.request.formData(), NotificationActionSchema)
  if (!form.ok) {
    return data({ error: 'Choose a notification, or mark all of them read.' }, { status: 400 })
  }
  if (form.data.intent === 'read-all') {
    await markAllRead(user.id)
    throw redirect(backTo(args.request, 'notifications-read'))
  }
  // markRead only matches the person's own notification: another id is a 404.
  const opened = await markRead(user.id, form.data.id)
  if (!opened) throw notFound('We could not find that notification. It may have been removed.')
  if (form.data.intent === 'read') throw redirect(backTo(args.request, 'notification-read'))
  // Paths are written by the hub itself; safeRedirect is a second guard against leaving the site.
  throw redirect(safeRedirect(opened.path, '/notifications'))
}

export const meta: MetaFunction = () => [{ title: 'Notifications · Switchboard' }]

export default function NotificationsPage() {
  const { notifications, notice, unread, older, newer, pastTheEnd } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  return (
    <section aria-labelledby="notifications-title" className="mx-auto max-w-3xl space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 id="notifications-title">Notifications</h1>
          <p className="mt-1 text-sm text-slate-600">
            {unread ? `${unread} unread` : 'You are all caught up.'} ·{' '}
            <Link to="/settings/notifications">Choose what is emailed to you</Link>
          </p>
        </div>
        {unread ? (
          <Form method="post">
            <SubmitButton className="btn-secondary" name="intent" value="read-all" pendingText="Marking…">
              Mark all read
            </SubmitButton>
          </Form>
        ) : null}
      </div>
      {notice ? <Notice>{notice}</Notice> : null}
      <FormErrors errors={actionData?.error ? [actionData.error] : undefined} />
      {notifications.length ? (
        <ul className="space-y-3">
          {notifications.map((n) => (
            <li
              key={n.id}
              className={`card flex flex-wrap items-start justify-between gap-3 p-4 ${n.unread ? 'border-l-4 border-l-brand-600 bg-brand-50' : ''}`}
            >
              <div className="min-w-0 flex-1">
                {n.openable ? (
                  <Form method="post">
                    <input type="hidden" name="id" value={n.id} />
                    <button
                      type="submit"
                      name="intent"
                      value="open"
                      className={`text-left text-brand-700 underline-offset-2 hover:underline ${n.unread ? 'font-semibold' : ''}`}
                    >
                      {n.unread ? <span className="sr-only">Unread: </span> : null}
                      {n.summary}
                    </button>
                  </Form>
                ) : (
                  <p className={`text-slate-700 ${n.unread ? 'font-semibold' : ''}`}>
                    {n.unread ? <span className="sr-only">Unread: </span> : null}
                    {n.summary}
                  </p>
                )}
                <p className="mt-1 text-sm text-slate-600">
                  {n.unread ? (
                    <span aria-hidden="true" className="mr-2 rounded bg-brand-600 px-1.5 py-0.5 text-xs font-semibold text-white">
                      New
                    </span>
                  ) : null}
                  <time dateTime={n.at}>{n.when}</time>
                </p>
              </div>
              {n.unread ? (
                <Form method="post">
                  <input type="hidden" name="id" value={n.id} />
                  <SubmitButton className="btn-secondary px-3 py-1" name="intent" value="read">
                    Mark read<span className="sr-only">: {n.summary}</span>
                  </SubmitButton>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      ) : pastTheEnd ? (
        <div className="card text-slate-700">
          <p>
            There is nothing on this page. <Link to="/notifications">Go to your latest notifications</Link>.
          </p>
        </div>
      ) : (
        <div className="card space-y-2 text-slate-700">
          <p className="font-medium text-slate-900">No notifications yet.</p>
          <p>
            When someone replies to a post you follow, posts a workaround for your problem, or support updates
            something you care about, you will find it here. Follow a post to hear about it.
          </p>
        </div>
      )}
      <KeysetPagination newer={newer} older={older} />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
