import { type LoaderFunctionArgs } from '@remix-run/node'
import { Outlet } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { TabNav } from '~/components/ui/tab-nav'
import { requireRole } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'admin')
  return null
}

const ADMIN_TABS = [
  { to: '/admin/organizations', text: 'Organizations' },
  { to: '/admin/products', text: 'Products' },
  { to: '/admin/outbox', text: 'Outbox' },
  { to: '/admin/audit', text: 'Audit log' },
] as const

export default function AdminLayout() {
  return (
    <div className="space-y-6">
      <TabNav label="Administration" tabs={ADMIN_TABS} />
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
