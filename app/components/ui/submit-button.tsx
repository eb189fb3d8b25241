import { useNavigation } from '@remix-run/react'
import { type ReactNode } from 'react'

/** A submit button that says it is working while its form is being sent (with JavaScript). */
export function SubmitButton({
  children,
  pendingText,
  className = 'btn-primary',
  name,
  value,
}: {
  children: ReactNode
  pendingText?: string
  className?: string
  name?: string
  value?: string
}) {
  const navigation = useNavigation()
  const pending =
    navigation.state === 'submitting' && (name === undefined || navigation.formData?.get(name) === value)
  return (
    <button type="submit" className={className} name={name} value={value} aria-disabled={pending || undefined}>
      {pending && pendingText ? pendingText : children}
    </button>
  )
}
