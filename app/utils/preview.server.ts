/**
 * The no-JavaScript Markdown preview of the post forms (see the contract in
 * app/components/markdown-editor.tsx): render, keep everything typed, save nothing.
 */
import { data } from '@remix-run/node'
import { renderMarkdown } from '~/modules/markdown/markdown.server'
import { type FieldErrors } from './forms'

/** True when the form was sent with its Preview button. */
export function isPreview(formData: FormData) {
  return formData.get('intent') === 'preview'
}

/** Every text field as typed; multi-valued fields (checkboxes) joined with commas. */
export function typedFields(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {}
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key).filter((v): v is string => typeof v === 'string')
    if (all.length && !/password/i.test(key)) values[key] = all.join(',').slice(0, 60_000)
  }
  return values
}

/** The rendered `field` (cut to `max`) with the typed values, status 200, nothing saved. */
export function previewResponse(formData: FormData, max: number, field = 'body') {
  return data({
    preview: renderMarkdown(String(formData.get(field) ?? '').slice(0, max)),
    values: typedFields(formData),
    errors: {} as FieldErrors,
  })
}
