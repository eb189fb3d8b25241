import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { ProductFilterForm } from '~/components/posts/filter-fields'
import { FormErrors, Notice } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireRole } from '~/modules/auth/auth.server'
import { BarChart } from '~/modules/support/charts'
import {
  assignToMe,
  listQueue,
  listQueueProducts,
  queueFigures,
  supportSchedule,
  unassign,
  type QueueMetrics,
} from '~/modules/support/queue.server'
import { AssignSchema, productFilterFrom } from '~/modules/support/support.schema'
import { describeDuration, WEEKDAYS } from '~/modules/support/support-hours'
import { formatCount } from '~/utils/bounded-count'
import { formatDateTime } from '~/utils/format'
import { parseForm } from '~/utils/forms'
import { commandFailure, formFailure, forbidden, notFound } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  const actor = await requireRole(args, 'support')
  const url = new URL(args.request.url)
  const productSlug = productFilterFrom(url)
  const now = new Date()
  // Each figure is computed once per view: the queue's page, and both windows from one read.
  const [queue, products, figures] = await Promise.all([
    listQueue(actor, { productSlug, now }),
    listQueueProducts(actor),
    queueFigures(actor, { now }),
  ])
  if (!queue.ok) throw forbidden(queue.message)
  if (!products.ok) throw forbidden(products.message)
  if (!figures.ok) throw forbidden(figures.message)
  const schedule = supportSchedule()
  // Targets read in the support team's own clock, the way the hours are set.
  const local = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: schedule.timeZone })
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
  return {
    actorId: actor.id,
    waiting: queue.value.total,
    queue: queue.value.items.map((item) => ({
      ...item,
      ageText: describeDuration(item.ageMs),
      dueText: `${local.format(item.dueAt)} (${schedule.timeZone})`,
    })),
    products: products.value,
    product: productSlug ?? '',
    metrics: [figures.value.week, figures.value.month],
    hours: `${[...schedule.days].sort().map((d) => WEEKDAYS[d]).join(', ')}, ${hhmm(schedule.startMinute)}–${hhmm(schedule.endMinute)} (${schedule.timeZone})`,
    notice: noticeFrom(url),
  }
}

export async function action(args: ActionFunctionArgs) {
  const actor = await requireRole(args, 'support')
  const form = parseForm(await args.request.formData(), AssignSchema)
  if (!form.ok) return formFailure(form)
  const result = form.data.intent === 'assign' ? await assignToMe(actor, form.data.problemId) : await unassign(actor, form.data.problemId)
  if (!result.ok) {
    if (result.reason === 'forbidden') throw forbidden(result.message)
    if (result.reason === 'not_found') throw notFound(result.message)
    return commandFailure(result, form.values)
  }
  const product = productFilterFrom(new URL(args.request.url))
  const params = new URLSearchParams({ notice: form.data.intent === 'assign' ? 'problem-assigned' : 'problem-unassigned' })
  if (product) params.set('product', product)
  throw redirect(`/support/queue?${params}`)
}

export const meta: MetaFunction = () => [{ title: 'Queue · Support · Switchboard' }]

function MetricsPanel({ metrics }: { metrics: QueueMetrics }) {
  const headingId = `metrics-${metrics.days}`
  const share = metrics.sameDayShare === null ? '—' : `${Math.round(metrics.sameDayShare * 100)}%`
  const median =
    metrics.medianMinutesToFirstResponse === null ? '—' : describeDuration(metrics.medianMinutesToFirstResponse * 60_000)
  return (
    <section aria-labelledby={headingId} className="card space-y-4">
      <h2 id={headingId}>Last {metrics.days} days</h2>
      <dl className="grid grid-cols-2 gap-3 text-sm">
        <div>
          <dt className="text-slate-600">Median time to first response</dt>
          <dd className="text-lg font-semibold">{median}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Answered the same day</dt>
          <dd className="text-lg font-semibold">
            {share}
            <span className="block text-xs font-normal text-slate-600">
              {metrics.answeredSameDay} of {metrics.decided} due so far
            </span>
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Problems logged</dt>
          <dd className="text-lg font-semibold">
            {metrics.logged.toLocaleString('en-US')}
            {metrics.partial ? (
              <span className="block text-xs font-normal text-slate-600">figures over the newest {metrics.logged.toLocaleString('en-US')}</span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Still unanswered</dt>
          <dd className="text-lg font-semibold">{metrics.stillUnanswered}</dd>
        </div>
      </dl>
      <BarChart
        title={`First responses to problems logged in the last ${metrics.days} days`}
        description={`${metrics.answeredSameDay} answered the same day, ${metrics.answeredLater} answered later, ${metrics.stillUnanswered} not answered yet.`}
        valueLabel="Problems"
        bars={[
          { label: 'Same day', value: metrics.answeredSameDay },
          { label: 'Later', value: metrics.answeredLater },
          { label: 'Not yet', value: metrics.stillUnanswered },
        ]}
      />
    </section>
  )
}

export default function QueuePage() {
  const { actorId, queue, waiting, products, product, metrics, hours, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const openByAge = metrics[0]!.openByAge
  const formAction = product ? `?product=${encodeURIComponent(product)}` : undefined
  return (
    <div className="space-y-6">
      <h1>Queue</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <FormErrors errors={actionData?.errors?.[''] ?? actionData?.errors?.problemId ?? actionData?.errors?.intent} />
      <p className="text-sm text-slate-700">
        Problems nobody but their author has answered, oldest first. Each is due by the end of the support day it
        arrived on — support hours are {hours}.
      </p>
      <ProductFilterForm idPrefix="queue" products={products} value={product} />
      {waiting.atLeast || waiting.value > queue.length ? (
        <p className="text-sm text-slate-700" role="status">
          Showing the oldest {queue.length.toLocaleString('en-US')} of {formatCount(waiting)} waiting problems
          {product ? ' for this product' : ''}; the next ones appear here as these are answered.
        </p>
      ) : null}
      <div className="card overflow-x-auto p-0">
        <table className="table">
          <caption className="sr-only">Unanswered problems, oldest first, with their age and same-day target</caption>
          <thead>
            <tr>
              <th scope="col">Problem</th>
              <th scope="col">From</th>
              <th scope="col">Waiting</th>
              <th scope="col">Due</th>
              <th scope="col">Assigned to</th>
            </tr>
          </thead>
          <tbody>
            {queue.length === 0 ? (
              <tr>
                <td colSpan={5} className="text-slate-700">
                  Nothing is waiting{product ? ' for this product' : ''}. Every problem has an answer.
                </td>
              </tr>
            ) : null}
            {queue.map((item) => (
              <tr key={item.id}>
                <td>
                  <Link to={`/posts/${item.id}`}>{item.title}</Link>
                  <span className="block text-xs text-slate-600">
                    {item.product.name}
                    {item.visibility === 'staff' ? ' · staff only' : ''}
                  </span>
                </td>
                <td>
                  {item.author.name}
                  <span className="block text-xs text-slate-600">{item.organization.name}</span>
                </td>
                <td>
                  <time dateTime={new Date(item.createdAt).toISOString()} title={formatDateTime(item.createdAt)}>
                    {item.ageText}
                  </time>
                </td>
                <td>
                  {item.overdue ? (
                    <strong className="text-red-700">Overdue</strong>
                  ) : (
                    <span className="text-slate-700">On time</span>
                  )}
                  <span className="block text-xs text-slate-600">{item.dueText}</span>
                </td>
                <td>
                  <Form method="post" action={formAction} className="flex items-center gap-2">
                    <input type="hidden" name="problemId" value={item.id} />
                    {item.assignedTo ? <span>{item.assignedTo.id === actorId ? 'You' : item.assignedTo.name}</span> : null}
                    {item.assignedTo?.id === actorId ? (
                      <SubmitButton name="intent" value="unassign" className="btn-secondary text-sm">
                        Unassign<span className="sr-only"> {item.title}</span>
                      </SubmitButton>
                    ) : (
                      <SubmitButton name="intent" value="assign" className="btn-secondary text-sm">
                        Assign to me<span className="sr-only">: {item.title}</span>
                      </SubmitButton>
                    )}
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="open-by-age" className="card space-y-3">
        <h2 id="open-by-age">Waiting now, by age</h2>
        <BarChart
          title="Unanswered problems by age"
          description={openByAge.map((b) => `${b.label}: ${formatCount({ value: b.count, atLeast: b.atLeast })}`).join('; ')}
          valueLabel="Problems"
          bars={openByAge.map((b) => ({ label: b.label, value: b.count }))}
        />
      </section>
      <div className="grid gap-6 md:grid-cols-2">
        {metrics.map((m) => (
          <MetricsPanel key={m.days} metrics={m} />
        ))}
      </div>
    </div>
  )
}
