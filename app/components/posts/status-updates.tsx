import { Form } from '@remix-run/react'
import { Markdown } from '~/components/markdown'
import { MarkdownEditor } from '~/components/markdown-editor'
import { FormErrors, SelectField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import {
  STATUS_UPDATE_KINDS,
  STATUS_UPDATE_LABELS,
  STATUS_UPDATE_MAX,
} from '~/modules/support/status-updates.schema'
import { formatDateTime } from '~/utils/format'
import { type FieldErrors } from '~/utils/forms'

type Status = (typeof STATUS_UPDATE_KINDS)[number]

const STATUS_STYLES: Record<Status, string> = {
  investigating: 'bg-amber-100 text-amber-900',
  identified: 'bg-orange-100 text-orange-900',
  fix_in_progress: 'bg-blue-100 text-blue-900',
  fix_deployed: 'bg-emerald-100 text-emerald-900',
  resolved: 'bg-emerald-700 text-white',
  update: 'bg-slate-100 text-slate-800',
}

const pill = 'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium'

/** The problem's current status from support, near its title; links to the timeline. */
export function CurrentStatusBadge({ status }: { status: Status }) {
  return (
    <a href="#status-updates" className={`${pill} ${STATUS_STYLES[status]} no-underline`}>
      Status: {STATUS_UPDATE_LABELS[status]}
    </a>
  )
}

export type StatusUpdateItem = {
  id: string
  status: Status
  statusLabel: string
  html: string
  authorName: string
  createdAt: string | Date
}

export type StatusUpdateFormState = {
  errors: FieldErrors
  values: Record<string, string>
  preview?: string
}

/**
 * A problem's status updates from support, oldest first, and for support a
 * form to post the next one (a plain POST: works without JavaScript). The
 * form is keyed by the number of updates, so it starts empty after a
 * successful post and keeps what was typed after a refused one.
 */
export function StatusUpdates({
  updates,
  form,
  submissionKey,
}: {
  updates: StatusUpdateItem[]
  /** Shown to support on a problem that is not hidden; null: the timeline only. */
  form: { state?: StatusUpdateFormState } | null
  submissionKey: string
}) {
  if (!updates.length && !form) return null
  const state = form?.state
  return (
    <section id="status-updates" aria-labelledby="status-updates-heading" className="space-y-4">
      <h2 id="status-updates-heading">
        Status updates <span className="text-slate-600">({updates.length})</span>
      </h2>
      {updates.length === 0 ? (
        <p className="text-slate-700">
          No status update yet. When many customers have this problem, tell them where things stand — each update reaches everyone who pressed
          “me too” or follows it.
        </p>
      ) : (
        <ol className="space-y-3 border-l-2 border-slate-200 pl-4">
          {updates.map((update) => (
            <li key={update.id} id={`status-update-${update.id}`} className="card space-y-2 p-4">
              <h3 className="text-base font-semibold">
                <span className={`${pill} ${STATUS_STYLES[update.status]}`}>{update.statusLabel}</span>
              </h3>
              <Markdown html={update.html} />
              <p className="text-sm text-slate-600">
                {update.authorName} · support team · <time dateTime={new Date(update.createdAt).toISOString()}>{formatDateTime(update.createdAt)}</time>
              </p>
            </li>
          ))}
        </ol>
      )}
      {form ? (
        <section aria-labelledby="post-status-update" className="card">
          <h3 id="post-status-update" className="text-base font-semibold">
            Post a status update
          </h3>
          <Form key={`status-update-form-${updates.length}`} method="post" className="mt-3 space-y-3" noValidate>
            <input type="hidden" name="intent" value="status-update" />
            <input type="hidden" name="submissionKey" value={state?.values.submissionKey ?? submissionKey} />
            <FormErrors errors={state?.errors['']} />
            <SelectField
              label="Status"
              name="status"
              id="status-update-status"
              defaultValue={state?.values.status ?? 'investigating'}
              errors={state?.errors.status}
            >
              {STATUS_UPDATE_KINDS.map((status) => (
                <option key={status} value={status}>
                  {STATUS_UPDATE_LABELS[status]}
                </option>
              ))}
            </SelectField>
            <MarkdownEditor
              label="What changed"
              name="body"
              defaultValue={state?.values.body ?? ''}
              errors={state?.errors.body}
              maxLength={STATUS_UPDATE_MAX}
              hint="Everyone who pressed “me too” or follows this problem is told, in the app and by email."
              preview={state?.preview}
              previewName="preview"
              previewValue="status-update"
              rows={4}
            />
            <SubmitButton pendingText="Posting…">Post status update</SubmitButton>
          </Form>
        </section>
      ) : null}
    </section>
  )
}
