import { useId, type InputHTMLAttributes, type ReactNode } from 'react'

type FieldProps = {
  label: string
  name: string
  errors?: string[]
  hint?: ReactNode
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'name'>

/** A labelled input with its hint and errors wired up for screen readers. */
export function Field({ label, name, errors, hint, id, ...input }: FieldProps) {
  const generated = useId()
  const inputId = id ?? `${name}-${generated}`
  const hintId = hint ? `${inputId}-hint` : undefined
  const errorId = errors?.length ? `${inputId}-error` : undefined
  return (
    <div>
      <label htmlFor={inputId} className="label">
        {label}
      </label>
      <input
        id={inputId}
        name={name}
        className="input"
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
        {...input}
      />
      <FieldMessages hint={hint} hintId={hintId} errors={errors} errorId={errorId} />
    </div>
  )
}

/** The hint and first error under a field, with the ids its aria-describedby names. */
function FieldMessages({ hint, hintId, errors, errorId }: { hint?: ReactNode; hintId?: string; errors?: string[]; errorId?: string }) {
  return (
    <>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {errorId && errors?.length ? (
        <p id={errorId} className="field-error">
          {errors[0]}
        </p>
      ) : null}
    </>
  )
}

type TextAreaProps = {
  label: string
  name: string
  errors?: string[]
  hint?: ReactNode
  defaultValue?: string
  rows?: number
}

export function TextAreaField({ label, name, errors, hint, defaultValue, rows = 3 }: TextAreaProps) {
  const inputId = `${name}-${useId()}`
  const hintId = hint ? `${inputId}-hint` : undefined
  const errorId = errors?.length ? `${inputId}-error` : undefined
  return (
    <div>
      <label htmlFor={inputId} className="label">
        {label}
      </label>
      <textarea
        id={inputId}
        name={name}
        rows={rows}
        className="input"
        defaultValue={defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
      />
      <FieldMessages hint={hint} hintId={hintId} errors={errors} errorId={errorId} />
    </div>
  )
}

type SelectFieldProps = {
  label: string
  name: string
  /** Give one where a page has several selects of this name (one form per group). */
  id?: string
  errors?: string[]
  defaultValue?: string
  /** The options. */
  children: ReactNode
}

/** A labelled select with its first error wired up for screen readers. */
export function SelectField({ label, name, id, errors, defaultValue, children }: SelectFieldProps) {
  const generated = useId()
  const selectId = id ?? `${name}-${generated}`
  const errorId = errors?.length ? `${selectId}-error` : undefined
  return (
    <div>
      <label htmlFor={selectId} className="label">
        {label}
      </label>
      <select
        id={selectId}
        name={name}
        className="input"
        defaultValue={defaultValue}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={errorId}
      >
        {children}
      </select>
      <FieldMessages errors={errors} errorId={errorId} />
    </div>
  )
}

/** Errors about the whole form (key `''`), announced when they appear. */
export function FormErrors({ errors }: { errors?: string[] }) {
  if (!errors?.length) return null
  return (
    <div role="alert" className="alert">
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
    </div>
  )
}

/** A success message, announced politely. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="notice">
      {children}
    </div>
  )
}
