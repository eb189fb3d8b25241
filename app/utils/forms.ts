/**
 * Small helpers for validating forms with zod, shared by client and server.
 * Each form has one schema in its area's `*.schema.ts`; actions call
 * `parseForm` and return its errors with status 400 and what the user typed.
 */
import { z } from 'zod'
import { fail, type Result } from '~/utils/result'
import { stripBidiControls } from '~/utils/text'

/** Field name → messages; `''` holds errors about the whole form. */
export type FieldErrors = Record<string, string[] | undefined>

export type FormFailure = {
  ok: false
  errors: FieldErrors
  /** What the user typed, without secrets, to refill the form. */
  values: Record<string, string>
}

export type FormResult<T> = { ok: true; data: T; values: Record<string, string> } | FormFailure

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/

/**
 * A required single-line text field: trimmed, without control characters
 * (PostgreSQL refuses NUL bytes, and none belong in a name), within `max`.
 * Bidirectional controls (U+202E…) are removed rather than refused: they
 * are invisible, often pasted by accident, and only ever mislead here.
 */
export function textField(label: string, { min = 1, max = 200 }: { min?: number; max?: number } = {}) {
  return z
    .string({ error: `Enter ${label}.` })
    .overwrite(stripBidiControls)
    .trim()
    .refine((v) => !CONTROL.test(v), `${capitalize(label)} contains characters that are not allowed.`)
    .refine((v) => v.length >= min, min <= 1 ? `Enter ${label}.` : `${capitalize(label)} needs at least ${min} characters.`)
    .refine((v) => v.length <= max, `${capitalize(label)} can be at most ${max} characters.`)
}

/** True for a value shaped like a row id: 1–64 letters, digits, `_` or `-` (newId makes 16 base32 characters). */
export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)
}

/** True for a value shaped like a product slug (see catalog.schema.ts): lower-case words joined by dashes. */
export function isSafeSlug(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value)
}

/** True when `value` has a control character (NUL…), which no id, filter or single-line text may carry. */
export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value)
}

/**
 * A required id picked from a list (a product, a post, a person): shaped like
 * a row id, so a forged value with a NUL byte is a form error, not a failed
 * query.
 */
export function idField(message: string) {
  return z.string({ error: message }).trim().min(1, message).max(64, message).refine(isSafeId, message)
}

/** An email address, trimmed and lower-cased. */
export const EmailField = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .toLowerCase()
  .refine((v) => v.length > 0, 'Enter your email address.')
  .refine((v) => v.length <= 254, 'Email addresses are at most 254 characters.')
  .refine(
    (v) => v.length === 0 || (!CONTROL.test(v) && z.email().safeParse(v).success),
    'Enter an email address like name@example.com.',
  )

/** A hidden select-like field limited to `values`. */
export function choiceField<const T extends readonly [string, ...string[]]>(values: T, message: string) {
  return z.enum(values, { error: message })
}

/** A checkbox: present means on. */
export const CheckboxField = z
  .union([z.literal('on'), z.literal('true'), z.literal('1')])
  .optional()
  .transform((v) => v !== undefined)

function capitalize(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Field names that are never sent back to refill a form. */
const SECRET_FIELD = /password|token|secret/i

/** Turns FormData (or a plain object) into `schema`'s output, or field errors plus the typed values. */
export function parseForm<S extends z.ZodType>(
  input: FormData | Record<string, unknown>,
  schema: S,
  { arrays = [] }: { arrays?: string[] } = {},
): FormResult<z.output<S>> {
  const raw: Record<string, unknown> = {}
  const values: Record<string, string> = {}
  for (const key of arrays) raw[key] = []
  const entries = input instanceof FormData ? [...input.entries()] : Object.entries(input)
  for (const [key, value] of entries) {
    // Files are never expected by these forms; ignore them rather than fail.
    if (typeof value !== 'string') continue
    if (arrays.includes(key)) {
      // Multi-valued fields (checkbox groups); refilled as a comma list.
      const list = raw[key] as string[]
      if (list.length < 100) list.push(value)
      values[key] = list.join(',')
      continue
    }
    // Duplicate keys: keep the first, so a forged second value cannot override.
    if (key in raw) continue
    raw[key] = value
    // Long texts (post bodies) are kept whole so nothing typed is lost.
    if (!SECRET_FIELD.test(key)) values[key] = value.slice(0, 60_000)
  }
  const result = schema.safeParse(raw)
  if (result.success) return { ok: true, data: result.data, values }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : ''
    const messages = (errors[key] ??= [])
    if (!messages.includes(issue.message)) messages.push(issue.message)
  }
  return { ok: false, errors, values }
}

/** A failure with one error on one field (or the whole form, with `''`). */
export function formError(field: string, message: string, values: Record<string, string> = {}): FormFailure {
  return { ok: false, errors: { [field]: [message] }, values }
}

/**
 * For commands, which check their input with the form's schema again (they
 * are also called without the form): the parsed input, or the first problem
 * as an `invalid` failure naming its field.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): Result<z.output<S>, 'invalid'> {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const issue = result.error.issues[0]
  const field = issue?.path[0]
  return fail('invalid', issue?.message ?? 'Check the form.', typeof field === 'string' ? field : undefined)
}
