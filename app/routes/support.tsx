import { type LoaderFunctionArgs } from '@remix-run/node'
import { Outlet } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { TabNav } from '~/components/ui/tab-nav'
import { requireRole } from '~/modules/auth/auth.server'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'support')
  return null
}

const SUPPORT_TABS = [
  { to: '/support/queue', text: 'Queue' },
  { to: '/support/radar', text: 'Migration radar' },
  { to: '/support/quiet', text: 'Quiet customers' },
  { to: '/introductions', text: 'Introductions' },
] as const

export default function SupportLayout() {
  return (
    <div className="space-y-6">
      <TabNav label="Support" tabs={SUPPORT_TABS} />
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
