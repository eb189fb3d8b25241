import { formatCount } from '~/utils/bounded-count'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { MigrationStatusBadge, StaffOnlyBadge, StateBadge } from '~/components/posts/badges'
import { ProductFilterForm } from '~/components/posts/filter-fields'
import { FormErrors, SelectField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireRole } from '~/modules/auth/auth.server'
import { ConnectCustomersSchema } from '~/modules/support/radar.schema'
import { migrationRadar, prepareSameMoveIntroduction, type RadarMigration } from '~/modules/support/radar.server'
import { productFilterFrom } from '~/modules/support/support.schema'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure, forbidden, notFound } from '~/utils/http.server'

const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' })
const dayMonthYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const asDate = (iso: string) => new Date(`${iso}T00:00:00Z`)

/** "12 Mar" or "12 Mar – 14 Mar" (window dates are calendar dates, read in UTC). */
function windowText(start: string, end: string) {
  return start === end ? dayMonth.format(asDate(start)) : `${dayMonth.format(asDate(start))} – ${dayMonth.format(asDate(end))}`
}

/** What the page shows of a plan (dates as text, nothing more than it needs). */
function row(m: RadarMigration) {
  return {
    id: m.id,
    title: m.title,
    status: m.status,
    staffOnly: m.visibility === 'staff',
    window: windowText(m.windowStart, m.windowEnd),
    windowStart: m.windowStart,
    product: m.product.name,
    from: m.fromVersion.name,
    to: m.toVersion.name,
    organization: m.organization.name,
    author: m.author,
  }
}

export async function loader(args: LoaderFunctionArgs) {
  const actor = await requireRole(args, 'support')
  const productSlug = productFilterFrom(new URL(args.request.url))
  const radar = await migrationRadar(actor, { productSlug })
  if (!radar.ok) throw forbidden(radar.message)
  const r = radar.value
  return {
    product: productSlug ?? '',
    products: r.products,
    today: dayMonthYear.format(asDate(r.today)),
    timeZone: r.timeZone,
    organizationCount: r.organizationCount,
    migrationCount: r.weeks.reduce((n, w) => n + w.migrations.length, 0),
    weeks: r.weeks.map((w, i) => ({
      key: w.start,
      label: `Week ${w.isoWeek}: ${dayMonth.format(asDate(w.start))} – ${dayMonthYear.format(asDate(w.end))}`,
      thisWeek: i === 0,
      organizationCount: w.organizationCount,
      migrations: w.migrations.map((m) => ({ ...row(m), underWay: m.underWay })),
    })),
    targets: r.targets.map((t) => ({
      key: t.version.id,
      label: `${t.product.name} ${t.version.name}`,
      productSlug: t.product.slug,
      organizationCount: t.organizationCount,
      migrations: t.migrations.map(row),
      openProblems: t.openProblems,
      openProblemCount: t.openProblemCount,
      openProblemCountText: formatCount({ value: t.openProblemCount, atLeast: t.openProblemCountAtLeast }),
      moreOpenProblems: t.openProblemCountAtLeast,
      connectable: t.connectable,
    })),
    slipped: r.slipped.map((m) => ({ ...row(m), windowEnded: dayMonthYear.format(asDate(m.windowEnd)), daysOverdue: m.daysOverdue })),
  }
}

export async function action(args: ActionFunctionArgs) {
  const actor = await requireRole(args, 'support')
  const form = parseForm(await args.request.formData(), ConnectCustomersSchema)
  if (!form.ok) return formFailure(form)
  const result = await prepareSameMoveIntroduction(actor, form.data)
  if (!result.ok) {
    if (result.reason === 'forbidden') throw forbidden(result.message)
    if (result.reason === 'not_found') throw notFound(result.message)
    return commandFailure(result, form.values)
  }
  // The proposal page shows both notes to edit; nothing is sent before support confirms there.
  const params = new URLSearchParams({ solver: result.value.solverId, via: result.value.viaPostId })
  throw redirect(`/posts/${result.value.migrationId}/introduce?${params}`)
}

export const meta: MetaFunction = () => [{ title: 'Migration radar · Support · Switchboard' }]

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>
type Row = LoaderData['weeks'][number]['migrations'][number] | LoaderData['targets'][number]['migrations'][number]

function Move({ m }: { m: Row }) {
  return (
    <>
      <Link to={`/posts/${m.id}`}>
        {m.product} {m.from} → {m.to}
      </Link>
      {m.staffOnly ? (
        <span className="ml-2">
          <StaffOnlyBadge />
        </span>
      ) : null}
    </>
  )
}

function Who({ m }: { m: Row }) {
  return (
    <>
      <span className="font-medium">{m.organization}</span>
      <span className="block text-xs text-slate-600">
        <Link to={`/people/${m.author.id}`}>{m.author.name}</Link>
      </span>
    </>
  )
}

/**
 * A table of plans (the week tables and the slipped list): when, who, which
 * move, status. Only the first column differs, so the caller draws it.
 */
function PlanTable<T extends Row>({
  caption,
  whenHeading,
  plans,
  when,
}: {
  caption: string
  whenHeading: string
  plans: T[]
  when: (m: T) => ReactNode
}) {
  return (
    <div className="overflow-x-auto">
      <table className="table table-fixed">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="w-44">{whenHeading}</th>
            <th scope="col" className="w-1/3">Organization and person</th>
            <th scope="col">Move</th>
            <th scope="col" className="w-32">Status</th>
          </tr>
        </thead>
        <tbody>
          {plans.map((m) => (
            <tr key={m.id}>
              <td>{when(m)}</td>
              <td>
                <Who m={m} />
              </td>
              <td>
                <Move m={m} />
              </td>
              <td>
                <MigrationStatusBadge status={m.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`
}

function ByWeek({ weeks }: { weeks: LoaderData['weeks'] }) {
  return (
    <section aria-labelledby="by-week" className="space-y-4">
      <h2 id="by-week">By week</h2>
      {weeks.map((week) => (
        <section key={week.key} aria-labelledby={`week-${week.key}`} className="card space-y-3 p-4">
          <h3 id={`week-${week.key}`} className="flex flex-wrap items-baseline gap-x-3 text-base font-semibold">
            <span>
              {week.label}
              {week.thisWeek ? ' (this week)' : ''}
            </span>
            <span className="text-sm font-normal text-slate-600">
              {week.migrations.length
                ? `${plural(week.organizationCount, 'organization')} moving, ${plural(week.migrations.length, 'plan')}`
                : 'Nothing planned'}
            </span>
          </h3>
          {week.migrations.length ? (
            <PlanTable
              caption={`Migrations starting in ${week.label}`}
              whenHeading="Window"
              plans={week.migrations}
              when={(m) => (
                <>
                  <time dateTime={m.windowStart}>{m.window}</time>
                  {m.underWay ? <span className="block text-xs text-slate-600">started before this week</span> : null}
                </>
              )}
            />
          ) : null}
        </section>
      ))}
    </section>
  )
}

function ConnectForm({ target, actionData, formAction }: { target: LoaderData['targets'][number]; actionData: ReturnType<typeof useActionData<typeof action>>; formAction?: string }) {
  const community = target.migrations.filter((m) => !m.staffOnly)
  // Errors belong to the group whose form was sent (its plans are among the values).
  const mine = actionData && community.some((m) => m.id === actionData.values?.migrationId)
  const errors = mine ? actionData.errors : undefined
  const values = mine ? actionData.values : undefined
  const option = (m: (typeof community)[number]) => (
    <option key={m.id} value={m.id}>
      {m.author.name}, {m.organization}: from {m.from}, {m.window}
    </option>
  )
  const id = (name: string) => `${name}-${target.key}`
  return (
    <Form method="post" action={formAction} className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-4" aria-labelledby={id('connect')}>
      <h4 id={id('connect')} className="text-sm font-semibold">
        Connect these customers<span className="sr-only"> moving to {target.label}</span>
      </h4>
      <p className="hint">
        Choose two customers planning this move. Next you see the notes each will get and can edit them; nothing is sent
        until you confirm. Each is asked separately, and nothing is shared unless both say yes.
      </p>
      <FormErrors errors={errors?.['']} />
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField label="Ask first" name="migrationId" id={id('migrationId')} defaultValue={values?.migrationId ?? community[0]?.id} errors={errors?.migrationId}>
          {community.map(option)}
        </SelectField>
        <SelectField
          label="Introduce them to"
          name="otherMigrationId"
          id={id('otherMigrationId')}
          defaultValue={values?.otherMigrationId ?? community.find((m) => m.organization !== community[0]?.organization)?.id}
          errors={errors?.otherMigrationId}
        >
          {community.map(option)}
        </SelectField>
      </div>
      <SubmitButton className="btn-secondary" pendingText="Preparing…">
        Prepare the introduction<span className="sr-only"> for {target.label}</span>
      </SubmitButton>
    </Form>
  )
}

function ByVersion({ targets, formAction }: { targets: LoaderData['targets']; formAction?: string }) {
  const actionData = useActionData<typeof action>()
  return (
    <section aria-labelledby="by-version" className="space-y-4">
      <h2 id="by-version">By target version</h2>
      {targets.length === 0 ? <p className="text-slate-700">No migrations are planned in these weeks.</p> : null}
      {targets.map((target) => (
        <section key={target.key} aria-labelledby={`target-${target.key}`} className="card space-y-4 p-4">
          <h3 id={`target-${target.key}`} className="flex flex-wrap items-baseline gap-x-3 text-base font-semibold">
            <span>To {target.label}</span>
            <span className="text-sm font-normal text-slate-600">
              {plural(target.organizationCount, 'organization')} moving, {plural(target.migrations.length, 'plan')}
            </span>
          </h3>
          <div className="grid gap-4 lg:grid-cols-2">
            <div>
              <h4 className="text-sm font-semibold">Who is moving</h4>
              <ul className="mt-2 space-y-2 text-sm">
                {target.migrations.map((m) => (
                  <li key={m.id}>
                    <span className="font-medium">{m.organization}</span> ·{' '}
                    <Link to={`/people/${m.author.id}`}>{m.author.name}</Link>
                    <span className="block text-slate-600">
                      <Link to={`/posts/${m.id}`}>
                        From {m.from}, <time dateTime={m.windowStart}>{m.window}</time>
                      </Link>{' '}
                      · <MigrationStatusBadge status={m.status} />
                      {m.staffOnly ? (
                        <>
                          {' '}
                          <StaffOnlyBadge />
                        </>
                      ) : null}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <h4 className="text-sm font-semibold">
                Open problems known in {target.label} ({target.openProblemCountText})
              </h4>
              {target.openProblems.length === 0 ? (
                <p className="mt-2 text-sm text-slate-700">None open right now.</p>
              ) : (
                <ul className="mt-2 space-y-2 text-sm">
                  {target.openProblems.map((p) => (
                    <li key={p.id}>
                      <Link to={`/posts/${p.id}`}>{p.title}</Link>
                      <span className="block text-slate-600">
                        <StateBadge state={p.state} /> · {plural(p.meTooCount, 'me too', 'me toos')}
                        {p.visibility === 'staff' ? (
                          <>
                            {' '}
                            <StaffOnlyBadge />
                          </>
                        ) : null}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {target.moreOpenProblems || target.openProblemCount > target.openProblems.length ? (
                <p className="mt-2 text-sm">
                  <Link to={`/products/${target.productSlug}`}>
                    {target.moreOpenProblems
                      ? `${formatCount({ value: target.openProblemCount - target.openProblems.length, atLeast: true })} more open problems`
                      : plural(target.openProblemCount - target.openProblems.length, 'more open problem')}{' '}
                    on the product page
                  </Link>
                </p>
              ) : null}
            </div>
          </div>
          {target.connectable ? <ConnectForm target={target} actionData={actionData} formAction={formAction} /> : null}
        </section>
      ))}
    </section>
  )
}

function Slipped({ slipped }: { slipped: LoaderData['slipped'] }) {
  return (
    <section aria-labelledby="slipped" className="card space-y-3 p-4">
      <h2 id="slipped">Slipped</h2>
      <p className="text-sm text-slate-700">
        Plans whose window has ended but that are still marked planned or in progress: nobody said they are done,
        postponed or rolled back. A short message to the customer usually finds out which.
      </p>
      {slipped.length === 0 ? (
        <p className="text-slate-700">Nothing slipped.</p>
      ) : (
        <PlanTable
          caption="Migrations whose window ended without being marked done, most recent first"
          whenHeading="Window ended"
          plans={slipped}
          when={(m) => (
            <>
              {m.windowEnded}
              <span className="block text-xs text-slate-600">{plural(m.daysOverdue, 'day')} ago</span>
            </>
          )}
        />
      )}
    </section>
  )
}

export default function RadarPage() {
  const data = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const formAction = data.product ? `?product=${encodeURIComponent(data.product)}` : undefined
  // A refusal the page cannot place with a group (a form sent from an older page) shows at the top.
  const stray =
    actionData && !data.targets.some((t) => t.migrations.some((m) => m.id === actionData.values?.migrationId))
      ? [...(actionData.errors?.[''] ?? []), ...(actionData.errors?.migrationId ?? []), ...(actionData.errors?.otherMigrationId ?? [])]
      : undefined
  return (
    <div className="space-y-6">
      <h1>Migration radar</h1>
      <FormErrors errors={stray} />
      <p className="text-sm text-slate-700">
        Migrations planned or in progress over the next {data.weeks.length} weeks, by the week their window starts and by the
        version they move to, with the problems still open in that version. Today is {data.today} ({data.timeZone}).{' '}
        <Link to="/settings/calendar">Subscribe to the migration calendar</Link> to see them in your calendar app.
      </p>
      <ProductFilterForm idPrefix="radar" products={data.products} value={data.product} />
      <p className="text-sm font-medium text-slate-800">
        {plural(data.migrationCount, 'migration')} ahead, by {plural(data.organizationCount, 'organization')}
        {data.slipped.length ? `; ${data.slipped.length} slipped` : ''}.
      </p>
      <nav aria-label="On this page" className="flex flex-wrap gap-4 text-sm">
        <a href="#by-week">By week</a>
        <a href="#by-version">By target version</a>
        <a href="#slipped">Slipped ({data.slipped.length})</a>
      </nav>
      <ByWeek weeks={data.weeks} />
      <ByVersion targets={data.targets} formAction={formAction} />
      <Slipped slipped={data.slipped} />
    </div>
  )
}
