import { Link } from '@remix-run/react'

/** What a visitor sees when an emailed link cannot be used. */
export function LinkProblem({ title, message, next }: { title: string; message: string; next: { to: string; label: string } }) {
  return (
    <div className="mx-auto max-w-md">
      <h1>{title}</h1>
      <div className="card mt-6 space-y-4">
        <p role="alert" className="alert">
          {message}
        </p>
        <Link to={next.to} className="btn-primary">
          {next.label}
        </Link>
      </div>
    </div>
  )
}
