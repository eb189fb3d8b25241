import { GeneralErrorBoundary } from '~/components/error-boundary'
import { notFound } from '~/utils/http.server'

/** Every URL no other route claims: a friendly 404 inside the layout. */
export async function loader() {
  throw notFound()
}

export async function action() {
  throw notFound()
}

export default function NotFound() {
  return null
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
