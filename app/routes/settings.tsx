import { type LoaderFunctionArgs } from '@remix-run/node'
import { NavLink, Outlet } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireUser(args)
  return null
}

const linkClass = ({ isActive }: { isActive: boolean }) =>
  `block rounded-md px-3 py-2 text-sm no-underline hover:bg-slate-100 hover:no-underline ${isActive ? 'bg-white font-semibold text-slate-900 shadow-sm' : 'text-slate-700'}`

export default function SettingsLayout() {
  return (
    <div className="grid gap-8 md:grid-cols-[14rem_1fr]">
      <nav aria-label="Settings">
        <h2 className="px-3 text-sm font-semibold uppercase tracking-wide text-slate-600">Settings</h2>
        <ul className="mt-2 space-y-1">
          <li>
            <NavLink to="/settings/profile" className={linkClass}>
              Profile
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings/email" className={linkClass}>
              Email address
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings/password" className={linkClass}>
              Password
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings/notifications" className={linkClass}>
              Notifications
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings/introductions" className={linkClass}>
              Introductions
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings/calendar" className={linkClass}>
              Migration calendar
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings/sessions" className={linkClass}>
              Sessions
            </NavLink>
          </li>
        </ul>
      </nav>
      <div className="min-w-0">
        <Outlet />
      </div>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
