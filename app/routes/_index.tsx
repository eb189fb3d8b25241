import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Notice } from '~/components/ui/field'
import { getOwnProfile } from '~/modules/accounts/accounts.server'
import { requireUser } from '~/modules/auth/auth.server'
import { noticeFrom } from '~/utils/notices'
import { notFound } from '~/utils/http.server'

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args)
  const profile = await getOwnProfile(user)
  if (!profile) throw notFound()
  return { profile, notice: noticeFrom(args.request.url) }
}

export const meta: MetaFunction = () => [{ title: 'Home · Switchboard' }]

export default function Home() {
  const { profile, notice } = useLoaderData<typeof loader>()
  const staff = profile.role !== 'customer'
  return (
    <div className="space-y-6">
      {notice ? <Notice>{notice}</Notice> : null}
      <section aria-labelledby="welcome">
        <h1 id="welcome">Welcome, {profile.name}</h1>
        <p className="mt-2 text-slate-700">
          You are signed in as {profile.email} at {profile.organizationName}
          {staff ? ` (${profile.role})` : ''}.
        </p>
      </section>
      <div className="grid gap-4 md:grid-cols-3">
        <section className="card" aria-labelledby="share">
          <h2 id="share">Share what you know</h2>
          <p className="mt-2 text-sm text-slate-700">
            Log a problem, the workaround you found, a success story or an upcoming migration. Someone else is
            probably about to lose days on the same thing.
          </p>
        </section>
        <section className="card" aria-labelledby="search">
          <h2 id="search">Search before you dig</h2>
          <p className="mt-2 text-sm text-slate-700">
            Use the search box at the top: earlier problems and their fixes may already be here.
          </p>
        </section>
        <section className="card" aria-labelledby="connect">
          <h2 id="connect">Get connected</h2>
          <p className="mt-2 text-sm text-slate-700">
            Support can introduce you to a customer who already solved your problem — only if you both say yes.
          </p>
        </section>
      </div>
      <section className="card" aria-labelledby="account">
        <h2 id="account">Your account</h2>
        <ul className="mt-2 list-inside list-disc text-sm">
          <li>
            <Link to="/settings/profile">Edit your profile</Link>
          </li>
          <li>
            <Link to="/settings/password">Change your password</Link>
          </li>
          <li>
            <Link to="/settings/sessions">See where you are signed in</Link>
          </li>
          {profile.role === 'admin' ? (
            <li>
              <Link to="/admin">Manage organizations, invitations and the outbox</Link>
            </li>
          ) : null}
        </ul>
      </section>
    </div>
  )
}
