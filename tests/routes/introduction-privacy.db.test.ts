/**
 * Before both sides accept an introduction, nothing a side is shown leads to
 * the other side: every view of each side — the page's loader data (what a
 * `.data` request returns), the page rendered to HTML, the list page, the
 * emails in the outbox and the notification rows — carries no id of the other
 * side's posts, no run of 8 consecutive words from their title or text, and
 * not their name, organization or email. Once both accept, the posts are
 * shown as before.
 */
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { eq, inArray } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { notifications, outbox, postVersions, productVersions } from '~/db/schema'
import { proposeIntroduction, respondToIntroduction } from '~/modules/introductions/introductions.server'
import * as introductionRoute from '~/routes/introductions.$id'
import * as listRoute from '~/routes/introductions._index'
import { actorOf, createOrganization, createPost, createUser } from '#tests/factories'
import { get, signedInCookie } from './request'

let serial = 0
const unique = () => `${Date.now().toString(36)}x${++serial}`

/** Two customers at two organizations whose posts are long enough to quote, and support. */
async function world() {
  const n = unique()
  const support = await createUser({ role: 'support', name: `Sunniva Support ${n}` })
  const askerOrg = await createOrganization({ name: `Aldebaran Analytics ${n}` })
  const solverOrg = await createOrganization({ name: `Sirius Systems ${n}` })
  const asker = await createUser({ name: `Astrid Quill ${n}`, email: `astrid-${n}@aldebaran.test`, organizationId: askerOrg.id })
  const solver = await createUser({ name: `Solveig Brandt ${n}`, email: `solveig-${n}@sirius.test`, organizationId: solverOrg.id })
  const problem = await createPost({
    authorId: asker.id,
    title: `Nightly export to the Dunmore warehouse stalls at the final batch ${n}`,
    body: `Since Tuesday our nightly export to the Dunmore warehouse stalls at the final batch and never reports an error. The scheduler shows the job as running for hours ${n}.`,
  })
  // The workaround is on another customer's similar problem of the same product.
  const similar = await createPost({ productId: problem.productId, title: `Export stalls on large batches ${n}` })
  const qualifying = await createPost({
    kind: 'workaround',
    problemId: similar.id,
    authorId: solver.id,
    body: `Lower the batch size to five hundred rows and restart the export worker before the window opens; the stall disappears for good ${n}.`,
  })
  const [version] = await db.select().from(productVersions).where(eq(productVersions.productId, problem.productId))
  await db.insert(postVersions).values({ postId: problem.id, versionId: version!.id }).onConflictDoNothing()
  const id = await (async () => {
    const result = await proposeIntroduction(actorOf(support), {
      problemId: problem.id,
      solverId: solver.id,
      qualifyingPostId: qualifying.id,
      askerNote: `Hello Astrid, a customer solved something very similar ${n}.`,
      solverNote: `Hello Solveig, a customer is stuck on something you solved ${n}.`,
    })
    if (!result.ok) throw new Error(result.message)
    return result.value.id
  })()
  return {
    n,
    id,
    version: version!.name,
    asker: { user: asker, org: askerOrg, cookie: await signedInCookie(asker.id), posts: [problem] },
    solver: { user: solver, org: solverOrg, cookie: await signedInCookie(solver.id), posts: [qualifying, similar] },
    problem,
    qualifying,
  }
}
type World = Awaited<ReturnType<typeof world>>
type Side = World['asker']

/** The page rendered as the browser gets it on a first load, from the loader's data. */
async function renderPage(data: Record<string, unknown>) {
  const handler = createStaticHandler([{ id: 'intro', path: '/introductions/:id', loader: () => data, Component: introductionRoute.default }])
  const context = await handler.query(new Request('http://switchboard.test/introductions/x'))
  if (context instanceof Response) throw new Error('unexpected redirect')
  const router = createStaticRouter(handler.dataRoutes, context)
  return renderToString(createElement(StaticRouterProvider, { router, context, hydrate: false }))
}

/** Words, lower-cased, with markup and punctuation gone: "a <b>B</b>, c" → "a b c". */
const words = (text: string) =>
  text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)

/** Every run of 8 consecutive words of `text`. */
function runsOf8(text: string) {
  const w = words(text)
  const runs: string[] = []
  for (let i = 0; i + 8 <= w.length; i++) runs.push(w.slice(i, i + 8).join(' '))
  return runs
}

/** Everything one side is shown, as text: page data, page HTML, list data, their emails and notifications. */
async function everythingShownTo(w: World, side: Side) {
  const page = await get(introductionRoute.loader, `/introductions/${w.id}`, { cookie: side.cookie, params: { id: w.id } })
  expect(page.status).toBe(200)
  const list = await get(listRoute.loader, '/introductions', { cookie: side.cookie })
  const emails = await db.select().from(outbox).where(inArray(outbox.toAddress, [side.user.email]))
  const rows = await db.select().from(notifications).where(eq(notifications.userId, side.user.id))
  expect(emails.length).toBeGreaterThan(0)
  expect(rows.length).toBeGreaterThan(0)
  return {
    page,
    surfaces: {
      'page data': JSON.stringify(page.data),
      'page HTML': await renderPage(page.data),
      'list data': JSON.stringify(list.data),
      emails: JSON.stringify(emails.map((e) => [e.subject, e.text, e.html])),
      notifications: JSON.stringify(rows.map((r) => [r.summary, r.path, r.postId])),
    },
  }
}

/** Nothing of `other` in what `viewer` is shown: ids, 8-word runs of their posts, name, organization, email. */
async function expectNothingOf(w: World, viewer: Side, other: Side) {
  const { surfaces } = await everythingShownTo(w, viewer)
  const ids = other.posts.map((p) => p.id)
  const runs = other.posts.flatMap((p) => [...runsOf8(p.title ?? ''), ...runsOf8(p.body)])
  expect(runs.length).toBeGreaterThan(10)
  for (const [surface, text] of Object.entries(surfaces)) {
    for (const id of ids) expect(text, `${surface} carries the id ${id}`).not.toContain(id)
    const flat = ` ${words(text).join(' ')} `
    for (const run of runs) expect(flat, `${surface} quotes “${run}”`).not.toContain(` ${run} `)
    for (const leak of [other.user.id, other.user.name, other.user.email, other.org.name]) expect(text, surface).not.toContain(leak)
  }
  return surfaces
}

describe('an introduction before both accept', () => {
  it('the asker is shown nothing that leads to the solver: a neutral summary and support’s note instead', async () => {
    const w = await world()
    const surfaces = await expectNothingOf(w, w.asker, w.solver)
    const { page } = await everythingShownTo(w, w.asker)
    expect(page.data).toMatchObject({ side: 'asker', qualifying: null, note: expect.stringContaining(w.n) })
    const summary = (page.data.otherSummary as { text: string }).text
    expect(summary).toMatch(/^A customer who solved a similar problem with Product \S+( \(versions? .+\))?\.$/)
    expect(surfaces['page HTML']).toContain(summary)
    // Their own problem stays theirs to open.
    expect(page.data.problem).toMatchObject({ id: w.problem.id })
  })

  it('the solver is shown nothing that leads to the asker: not the problem, its title or its id', async () => {
    const w = await world()
    const surfaces = await expectNothingOf(w, w.solver, w.asker)
    const { page } = await everythingShownTo(w, w.solver)
    expect(page.data).toMatchObject({ side: 'solver', problem: null, qualifying: null })
    const summary = (page.data.otherSummary as { text: string }).text
    expect(summary).toContain(w.version)
    expect(surfaces['page HTML']).toContain(summary)
    expect(surfaces['list data']).toContain('a problem with Product')
  })

  it('one side accepting changes nothing either side is shown; both accepting shows the posts as before', async () => {
    const w = await world()
    expect(await respondToIntroduction(actorOf(w.solver.user), w.id, 'accepted')).toMatchObject({ ok: true })
    await expectNothingOf(w, w.asker, w.solver)
    await expectNothingOf(w, w.solver, w.asker)

    expect(await respondToIntroduction(actorOf(w.asker.user), w.id, 'accepted')).toMatchObject({ ok: true, value: { state: 'connected' } })
    const asker = (await everythingShownTo(w, w.asker)).page.data
    expect(asker).toMatchObject({ qualifying: { id: w.qualifying.id }, otherSummary: null, other: { name: w.solver.user.name } })
    const solver = (await everythingShownTo(w, w.solver)).page.data
    expect(solver).toMatchObject({ problem: { id: w.problem.id, title: w.problem.title }, otherSummary: null, other: { name: w.asker.user.name } })
  })
})
