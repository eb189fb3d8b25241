import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'

const PAGES: Record<number, { title: string; advice: string }> = {
  400: { title: 'That request could not be understood', advice: 'Go back, check what you entered and try again.' },
  403: { title: 'You do not have access to this page', advice: 'If you think you should, ask your administrator or the support team.' },
  404: { title: 'We could not find that page', advice: 'The link may be old or mistyped. Try the home page or search.' },
  413: { title: 'That was too much to send', advice: 'Requests are limited to 1 MB. Shorten what you entered and try again.' },
  429: { title: 'Too many attempts', advice: 'Wait a few minutes, then try again.' },
  500: { title: 'Something went wrong on our side', advice: 'The error was logged. Try again in a moment; if it keeps happening, tell the support team.' },
  503: { title: 'Switchboard is busy or starting', advice: 'Try again in a few seconds.' },
}

/** The one error page: a friendly message per status, with a way back. */
export function GeneralErrorBoundary() {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const page = PAGES[status] ?? PAGES[status >= 500 ? 500 : 400]!
  // A route's own message (thrown HttpError) is shown for client errors only;
  // server errors never show internals.
  const detail =
    isRouteErrorResponse(error) && status < 500 && typeof error.data === 'string' && error.data.length < 300
      ? error.data
      : null
  if (!isRouteErrorResponse(error)) console.error(error)
  return (
    <section aria-labelledby="error-title" className="mx-auto max-w-xl py-12">
      <p className="text-sm font-semibold text-brand-700">Error {status}</p>
      <h1 id="error-title" className="mt-2">
        {page.title}
      </h1>
      {detail && detail !== page.title ? <p className="mt-4 text-slate-700">{detail}</p> : null}
      <p className="mt-4 text-slate-700">{page.advice}</p>
      <p className="mt-8">
        <Link to="/" className="btn-primary">
          Go to the home page
        </Link>
      </p>
    </section>
  )
}
