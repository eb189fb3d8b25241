import { useFetcher, type ShouldRevalidateFunction } from '@remix-run/react'
import { useId, useRef, useState, type ReactNode } from 'react'
import { Markdown } from '~/components/markdown'
import { type action as previewAction } from '~/routes/markdown.preview'
import { useHydrated } from '~/utils/use-hydrated'

const MARKDOWN_HINT = 'Markdown: **bold**, _italic_, `code`, lists, links'

/** The resource route that renders a preview for the editor (with JavaScript). */
const PREVIEW_ACTION = '/markdown/preview'

/**
 * A preview changes nothing, but after any successful fetcher POST Remix
 * reloads every loader on the page. Routes with an editor (and their parent
 * layouts, and root) can skip that:
 * `export { skipPreviewRevalidation as shouldRevalidate } from '~/components/markdown-editor'`.
 */
export const skipPreviewRevalidation: ShouldRevalidateFunction = ({
  formAction,
  defaultShouldRevalidate,
}) => (formAction === PREVIEW_ACTION ? false : defaultShouldRevalidate)

export type MarkdownEditorProps = {
  label: string
  /** The form field's name (`body`, `workaround`…). */
  name: string
  defaultValue?: string
  /** Called with the text as it is typed (e.g. to look for similar posts). */
  onChange?: (value: string) => void
  errors?: string[]
  /** The schema's limit; shown under the field and enforced by the textarea. */
  maxLength?: number
  rows?: number
  /** Marks the field required (default true). Forms validate on the server either way. */
  required?: boolean
  /** Extra text before the Markdown hint. */
  hint?: ReactNode
  /** Sanitized HTML from the action's `renderMarkdown(…)`, after a Preview submit. */
  preview?: string | null
  /** The Preview submit button's name and value (default `intent=preview`). */
  previewName?: string
  previewValue?: string
}

/**
 * A Markdown textarea with a preview that works with and without JavaScript.
 *
 * Without JavaScript (the contract with the route): a submit button
 * `name="intent" value="preview"` (or `previewName`/`previewValue`, for
 * forms whose `intent` field is taken) posts the whole form to the route's
 * action. When the action sees it, it must save nothing and answer status
 * 200 with `{ preview: renderMarkdown(body), values }`, where `values` is
 * what was typed; the page passes `preview` and `defaultValue={values.body}`
 * back here, which shows the preview under the field with the text kept.
 *
 * With JavaScript: Write/Preview toggle buttons (aria-pressed) replace the
 * submit button. Preview sends the current text as `body` to
 * `/markdown/preview` with a fetcher and shows the answer in a labelled
 * region that is announced politely; nothing is submitted. The textarea is
 * only hidden meanwhile, so it is still sent with the form.
 */
export function MarkdownEditor({
  label,
  name,
  defaultValue,
  onChange,
  errors,
  maxLength,
  rows = 8,
  required = true,
  hint,
  preview,
  previewName = 'intent',
  previewValue = 'preview',
}: MarkdownEditorProps) {
  const inputId = `${name}-${useId()}`
  const hintId = `${inputId}-hint`
  const errorId = errors?.length ? `${inputId}-error` : undefined
  const regionLabelId = `${inputId}-preview-label`
  const hydrated = useHydrated()
  const textarea = useRef<HTMLTextAreaElement>(null)
  const fetcher = useFetcher<typeof previewAction>()
  // A preview the server rendered (a Preview submitted before JavaScript loaded) stays shown.
  const [mode, setMode] = useState<'write' | 'preview'>(preview != null ? 'preview' : 'write')
  // The text last sent for preview; null until the toggle is first used.
  const [requested, setRequested] = useState<string | null>(null)

  const loading = fetcher.state !== 'idle'

  function showPreview() {
    setMode('preview')
    const body = textarea.current?.value ?? ''
    // Same text as last time and already shown (or on its way): nothing to fetch.
    if (body === requested && (loading || fetcher.data?.html != null)) return
    setRequested(body)
    if (body.trim()) void fetcher.submit({ body }, { method: 'post', action: PREVIEW_ACTION })
  }

  function showWrite() {
    setMode('write')
    // Back to the text, where the writer left it.
    requestAnimationFrame(() => textarea.current?.focus())
  }

  const nothingYet = <p className="text-slate-600">Nothing to preview yet.</p>
  let content: ReactNode = null
  if (requested === null) {
    if (preview != null) content = preview ? <Markdown html={preview} /> : nothingYet
  } else if (!requested.trim()) content = nothingYet
  else if (loading) content = <p className="text-slate-600">Loading the preview…</p>
  else if (fetcher.data?.error) content = <p className="field-error">{fetcher.data.error}</p>
  else if (fetcher.data?.html) content = <Markdown html={fetcher.data.html} />
  else if (fetcher.data) content = nothingYet

  const showRegion = hydrated || preview != null
  const editing = !hydrated || mode === 'write'

  return (
    <div>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <label htmlFor={inputId} className="label">
          {label}
        </label>
        {hydrated ? (
          <div
            role="group"
            aria-label={`${label}: write or preview`}
            className="mb-1 inline-flex rounded-md border border-slate-300 bg-white p-0.5 text-sm"
          >
            <button
              type="button"
              aria-pressed={mode === 'write'}
              onClick={showWrite}
              className={toggleClass(mode === 'write')}
            >
              Write
            </button>
            <button
              type="button"
              aria-pressed={mode === 'preview'}
              onClick={showPreview}
              className={toggleClass(mode === 'preview')}
            >
              Preview
            </button>
          </div>
        ) : null}
      </div>
      <textarea
        ref={textarea}
        id={inputId}
        name={name}
        rows={rows}
        className="input font-mono"
        defaultValue={defaultValue}
        onChange={onChange ? (event) => onChange(event.target.value) : undefined}
        maxLength={maxLength}
        // Not while hidden: a browser cannot point at a hidden field it refuses to submit.
        required={required && editing}
        // Hidden, not removed: the text is still submitted with the form.
        hidden={!editing}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(' ')}
      />
      <p id={hintId} className="hint">
        {hint ? <>{hint} </> : null}
        {MARKDOWN_HINT}.
        {maxLength ? ` Up to ${maxLength.toLocaleString('en-US')} characters.` : null}
      </p>
      {errorId ? (
        <p id={errorId} className="field-error">
          {errors![0]}
        </p>
      ) : null}
      {hydrated ? null : (
        // Without JavaScript: the route's action renders the preview (see the contract above).
        <button
          type="submit"
          name={previewName}
          value={previewValue}
          formNoValidate
          className="btn-secondary mt-2"
        >
          Preview<span className="sr-only"> {label}</span>
        </button>
      )}
      {showRegion ? (
        <div
          role="region"
          aria-labelledby={regionLabelId}
          aria-live="polite"
          aria-busy={loading || undefined}
          hidden={hydrated && mode === 'write'}
          className="mt-3 rounded-md border border-dashed border-slate-300 bg-white p-4"
        >
          <p
            id={regionLabelId}
            className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-600"
          >
            Preview of {label}
          </p>
          {content}
        </div>
      ) : null}
    </div>
  )
}

function toggleClass(pressed: boolean) {
  return pressed
    ? 'rounded px-3 py-1 font-medium bg-brand-600 text-white'
    : 'rounded px-3 py-1 text-slate-700 hover:bg-slate-100'
}
