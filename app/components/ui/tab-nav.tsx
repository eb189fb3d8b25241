import { NavLink } from '@remix-run/react'

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium no-underline hover:bg-slate-100 hover:no-underline ${isActive ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-700'}`

/** The row of tabs at the top of an area (support console, administration); the current one is marked. */
export function TabNav({ label, tabs }: { label: string; tabs: readonly { to: string; text: string }[] }) {
  return (
    <nav aria-label={label} className="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
      {tabs.map((tab) => (
        <NavLink key={tab.to} to={tab.to} className={tabClass}>
          {tab.text}
        </NavLink>
      ))}
    </nav>
  )
}
