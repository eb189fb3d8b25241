import { KIND_LABELS, MIGRATION_STATUS_LABELS, STATE_LABELS } from '~/modules/posts/posts.schema'

type Kind = keyof typeof KIND_LABELS
type State = keyof typeof STATE_LABELS
type MigrationStatus = keyof typeof MIGRATION_STATUS_LABELS

const KIND_STYLES: Record<Kind, string> = {
  problem: 'bg-amber-100 text-amber-900',
  workaround: 'bg-sky-100 text-sky-900',
  story: 'bg-violet-100 text-violet-900',
  migration: 'bg-teal-100 text-teal-900',
}

const STATE_STYLES: Record<State, string> = {
  open: 'bg-slate-100 text-slate-800',
  answered: 'bg-blue-100 text-blue-900',
  solved: 'bg-emerald-100 text-emerald-900',
}

const pill = 'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium'

export function KindBadge({ kind }: { kind: Kind }) {
  return <span className={`${pill} ${KIND_STYLES[kind]}`}>{KIND_LABELS[kind]}</span>
}

export function StateBadge({ state }: { state: State }) {
  return <span className={`${pill} ${STATE_STYLES[state]}`}>{STATE_LABELS[state]}</span>
}

export function MigrationStatusBadge({ status }: { status: MigrationStatus }) {
  return <span className={`${pill} bg-teal-50 text-teal-900 ring-1 ring-teal-200`}>{MIGRATION_STATUS_LABELS[status]}</span>
}

export function AcceptedBadge() {
  return <span className={`${pill} bg-emerald-700 text-white`}>✓ Accepted</span>
}

export function VerifiedBadge() {
  return <span className={`${pill} bg-indigo-600 text-white`}>Verified by support</span>
}

export function StaffOnlyBadge() {
  return <span className={`${pill} bg-rose-100 text-rose-900`}>Staff only</span>
}

/** A private post: its author, the colleagues they chose, and support. */
export function PrivateBadge() {
  return <span className={`${pill} bg-violet-100 text-violet-900`}>Private</span>
}

export function HiddenBadge() {
  return <span className={`${pill} bg-slate-700 text-white`}>Hidden</span>
}
