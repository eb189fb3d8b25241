import { type LoaderFunctionArgs } from '@remix-run/node'
import { NavLink, Outlet } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireRole } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'support')
  return null
}

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium no-underline hover:bg-slate-100 hover:no-underline ${isActive ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-700'}`

export default function SupportLayout() {
  return (
    <div className="space-y-6">
      <nav aria-label="Support" className="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
        <NavLink to="/support/queue" className={tabClass}>
          Queue
        </NavLink>
        <NavLink to="/support/radar" className={tabClass}>
          Migration radar
        </NavLink>
        <NavLink to="/support/quiet" className={tabClass}>
          Quiet customers
        </NavLink>
        <NavLink to="/introductions" className={tabClass}>
          Introductions
        </NavLink>
      </nav>
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
