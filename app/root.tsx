import { type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteLoaderData,
} from '@remix-run/react'
import { type ReactNode } from 'react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { SearchBox } from '~/components/search/search-box'
import { getOptionalUser } from '~/modules/auth/auth.server'
import { countUnread } from '~/modules/notifications/notifications.server'
import stylesheet from '~/styles/app.css?url'
import { useNonce } from '~/utils/nonce'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export async function loader(args: LoaderFunctionArgs) {
  const user = await getOptionalUser(args)
  if (!user) return { user: null }
  const unreadNotifications = await countUnread(user.id)
  return { user: { id: user.id, name: user.name, email: user.email, role: user.role, unreadNotifications } }
}

export const meta: MetaFunction = () => [{ title: 'Switchboard' }]

type RootUser = NonNullable<Awaited<ReturnType<typeof loader>>['user']>

/** The bell: a link to the notifications page, its unread count shown and spoken. */
function NotificationBell({ unread }: { unread: number }) {
  return (
    <Link to="/notifications" className="btn-secondary relative px-3">
      <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      <span className="sr-only">{unread ? `Notifications, ${unread} unread` : 'Notifications, none unread'}</span>
      {unread ? (
        <span aria-hidden="true" className="absolute -right-2 -top-2 min-w-5 rounded-full bg-red-600 px-1.5 text-center text-xs font-semibold leading-5 text-white">
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </Link>
  )
}

function AccountMenu({ user }: { user: RootUser }) {
  return (
    <details className="relative">
      <summary className="btn-secondary cursor-pointer list-none" aria-label={`Account menu for ${user.name}`}>
        <span aria-hidden="true" className="flex h-6 w-6 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-800">
          {user.name.trim().charAt(0).toUpperCase() || '?'}
        </span>
        <span className="hidden sm:inline">{user.name}</span>
      </summary>
      <div className="absolute right-0 z-10 mt-2 w-56 rounded-md border border-slate-200 bg-white p-2 shadow-lg">
        <p className="truncate px-2 py-1 text-xs text-slate-600">{user.email}</p>
        <ul className="mt-1">
          <li>
            <Link to="/settings/profile" className="block rounded px-2 py-1.5 text-sm text-slate-800 hover:bg-slate-100">
              Profile and settings
            </Link>
          </li>
          <li>
            <Link to="/settings/sessions" className="block rounded px-2 py-1.5 text-sm text-slate-800 hover:bg-slate-100">
              Your sessions
            </Link>
          </li>
        </ul>
        <Form method="post" action="/logout" className="mt-1 border-t border-slate-100 pt-1">
          <button type="submit" className="w-full rounded px-2 py-1.5 text-left text-sm text-slate-800 hover:bg-slate-100">
            Sign out
          </button>
        </Form>
      </div>
    </details>
  )
}

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium no-underline hover:bg-slate-100 hover:no-underline ${isActive ? 'bg-slate-100 text-slate-900' : 'text-slate-700'}`

function Header({ user }: { user: RootUser | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3">
        <Link to="/" className="text-lg font-bold text-brand-700 no-underline hover:no-underline">
          Switchboard
        </Link>
        {user ? (
          <>
            <nav aria-label="Main" className="order-3 flex w-full gap-1 md:order-none md:w-auto">
              <NavLink to="/" end className={navClass}>
                Home
              </NavLink>
              <NavLink to="/introductions" className={navClass}>
                Introductions
              </NavLink>
              {user.role === 'support' || user.role === 'admin' ? (
                <NavLink to="/support" className={navClass}>
                  Support
                </NavLink>
              ) : null}
              {user.role === 'admin' ? (
                <NavLink to="/admin" className={navClass}>
                  Admin
                </NavLink>
              ) : null}
            </nav>
            <div className="flex flex-1 justify-end gap-3">
              <SearchBox />
              <NotificationBell unread={user.unreadNotifications} />
              <AccountMenu user={user} />
            </div>
          </>
        ) : (
          <nav aria-label="Account" className="ml-auto flex gap-2">
            <Link to="/login" className="btn-secondary">
              Sign in
            </Link>
            <Link to="/signup" className="btn-primary">
              Sign up
            </Link>
          </nav>
        )}
      </div>
    </header>
  )
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce()
  const data = useRouteLoaderData<typeof loader>('root')
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="flex min-h-full flex-col">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
          Skip to content
        </a>
        <Header user={data?.user ?? null} />
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
          {children}
        </main>
        <footer className="border-t border-slate-200 bg-white">
          <p className="mx-auto max-w-6xl px-4 py-4 text-sm text-slate-600">
            Switchboard — customers helping customers, with support at the switchboard.
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  useLoaderData<typeof loader>()
  return <Outlet />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}

/** A Markdown preview changes nothing: do not reload this page's data after one. */
export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'
