/**
 * The status update form on a problem's page, safe for the browser: the
 * statuses support can choose, their labels, and the one schema the page
 * and the command both use.
 */
import { z } from 'zod'
import type { StatusUpdateKind } from '~/db/schema'
import { bodyField, SubmissionKeyField } from '~/modules/posts/posts.schema'

/** Longest status update text. A status update is a short note; details belong in replies. */
export const STATUS_UPDATE_MAX = 5_000

/** Every status, in the order a problem usually moves through them (and the form lists them). */
export const STATUS_UPDATE_KINDS = [
  'investigating',
  'identified',
  'fix_in_progress',
  'fix_deployed',
  'resolved',
  'update',
] as const satisfies readonly StatusUpdateKind[]

// The list above must name every value of the database enum, no more, no less.
type Missing = Exclude<StatusUpdateKind, (typeof STATUS_UPDATE_KINDS)[number]>
const everyKindListed: [Missing] extends [never] ? true : Missing = true
void everyKindListed

/** What each status says, on the timeline, in the badge and in notifications. */
export const STATUS_UPDATE_LABELS: Record<StatusUpdateKind, string> = {
  investigating: 'Investigating',
  identified: 'Cause identified',
  fix_in_progress: 'Fix in progress',
  fix_deployed: 'Fix deployed — please test',
  resolved: 'Resolved',
  update: 'Update',
}

export const StatusUpdateSchema = z.object({
  status: z.enum(STATUS_UPDATE_KINDS, { error: 'Choose a status from the list.' }),
  body: bodyField('what changed, for everyone who has this problem', STATUS_UPDATE_MAX),
  submissionKey: SubmissionKeyField,
})

export type StatusUpdateInput = z.input<typeof StatusUpdateSchema>

/**
 * The status the problem's badge shows: the latest one that says where
 * things stand ('update' is news without a new status, so it does not
 * replace the one before). Null when no update has a status.
 */
export function currentStatus(updates: readonly { status: StatusUpdateKind }[]): StatusUpdateKind | null {
  for (let i = updates.length - 1; i >= 0; i--) {
    const status = updates[i]!.status
    if (status !== 'update') return status
  }
  return null
}
