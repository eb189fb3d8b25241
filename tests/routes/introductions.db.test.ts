/**
 * The introduction pages through their real loaders and actions: who may
 * see and do what (404 for someone else's introduction, 403 for support-only
 * actions), forged ids ignored (the acting user is the session's), the
 * answers, withdrawal, thread and outcome through the page actions, the
 * compose page's named refusals, and the introduction settings.
 */
import { eq } from 'drizzle-orm'
import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { introductionMessages, introductions, users } from '~/db/schema'
import { countHelped, INTRO_MESSAGES, proposeIntroduction } from '~/modules/introductions/introductions.server'
import * as introductionRoute from '~/routes/introductions.$id'
import * as listRoute from '~/routes/introductions._index'
import * as personRoute from '~/routes/people.$id'
import * as postRoute from '~/routes/posts.$id'
import * as composeRoute from '~/routes/posts.$id_.introduce'
import * as settingsRoute from '~/routes/settings.introductions'
import { actorOf, createOrganization, createPost, createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from './request'

let serial = 0
const unique = () => `${Date.now().toString(36)}x${++serial}`

/** Support, an asker with a problem, a solver (another organization) with a workaround, an outsider. */
async function world() {
  const n = unique()
  const support = await createUser({ role: 'support', name: `Sunniva Support ${n}` })
  const asker = await createUser({ name: `Astrid Quill ${n}`, email: `astrid-${n}@aldebaran.test`, organizationId: (await createOrganization({ name: `Aldebaran ${n}` })).id })
  const solver = await createUser({ name: `Solveig Brandt ${n}`, email: `solveig-${n}@sirius.test`, organizationId: (await createOrganization({ name: `Sirius ${n}` })).id })
  const outsider = await createUser({ name: `Otto Outsider ${n}`, organizationId: (await createOrganization({ name: `Orion ${n}` })).id })
  const problem = await createPost({ authorId: asker.id, title: `Gateway drops sessions after rotation ${n}` })
  const qualifying = await createPost({ kind: 'workaround', authorId: solver.id, body: `Restart the relay workers in order ${n}.` })
  const cookies = {
    support: await signedInCookie(support.id),
    asker: await signedInCookie(asker.id),
    solver: await signedInCookie(solver.id),
    outsider: await signedInCookie(outsider.id),
  }
  return { n, support, asker, solver, outsider, problem, qualifying, cookies }
}
type World = Awaited<ReturnType<typeof world>>

async function propose(w: World) {
  const result = await proposeIntroduction(actorOf(w.support), {
    problemId: w.problem.id,
    solverId: w.solver.id,
    qualifyingPostId: w.qualifying.id,
    askerNote: `Hello, someone solved this ${w.n}.`,
    solverNote: `Hello, someone is stuck on this ${w.n}.`,
  })
  if (!result.ok) throw new Error(result.message)
  return result.value.id
}

async function stored(id: string) {
  const [row] = await db.select().from(introductions).where(eq(introductions.id, id))
  return row!
}

const page = (id: string) => `/introductions/${id}`

function act(id: string, fields: Record<string, string>, cookie: string) {
  return postForm(introductionRoute.action, page(id), fields, { cookie, params: { id } })
}

function view(id: string, cookie: string) {
  return get(introductionRoute.loader, page(id), { cookie, params: { id } })
}

describe('someone else’s introduction', () => {
  it('is a 404 for a customer who takes no part, on GET and on every POST, and nothing changes', async () => {
    const w = await world()
    const id = await propose(w)
    const before = await stored(id)
    const { status, data } = await view(id, w.cookies.outsider)
    expect(status).toBe(404)
    expect(data.text).toBe(INTRO_MESSAGES.notFound)
    const attempts: Record<string, string>[] = [
      { intent: 'respond', answer: 'accepted' },
      { intent: 'respond', answer: 'declined' },
      { intent: 'withdraw' },
      { intent: 'message', body: 'Hello there' },
      { intent: 'outcome', helped: 'yes' },
      {},
    ]
    for (const fields of attempts) {
      const outcome = await act(id, fields, w.cookies.outsider)
      expect(outcome.status, JSON.stringify(fields)).toBe(404)
    }
    expect(await stored(id)).toEqual(before)
  })

  it('an unknown id is a 404, and signed-out visitors are sent to sign in', async () => {
    const w = await world()
    expect((await view('no-such-introduction', w.cookies.asker)).status).toBe(404)
    const id = await propose(w)
    const signedOut = await get(introductionRoute.loader, page(id), { params: { id } })
    expect(signedOut.status).toBe(302)
    expect(signedOut.headers.get('Location')).toContain('/login')
  })

  it('is not in the outsider’s list; staff see it', async () => {
    const w = await world()
    const id = await propose(w)
    const mine = await get(listRoute.loader, '/introductions', { cookie: w.cookies.outsider })
    expect(mine.data.introductions).toEqual([])
    const all = await get(listRoute.loader, '/introductions?state=proposed', { cookie: w.cookies.support })
    expect(all.data.staff).toBe(true)
    expect((all.data.introductions as { id: string }[]).map((i) => i.id)).toContain(id)
    const connected = await get(listRoute.loader, '/introductions?state=connected', { cookie: w.cookies.support })
    expect((connected.data.introductions as { id: string }[]).map((i) => i.id)).not.toContain(id)
  })
})

describe('the compose page (support only)', () => {
  it('a customer gets 403 on GET and POST, and nothing is proposed', async () => {
    const w = await world()
    const path = `/posts/${w.problem.id}/introduce?solver=${w.solver.id}`
    const params = { id: w.problem.id }
    expect((await get(composeRoute.loader, path, { cookie: w.cookies.asker, params })).status).toBe(403)
    const fields = { solverId: w.solver.id, askerNote: 'Hi', solverNote: 'Hi' }
    for (const cookie of [w.cookies.asker, w.cookies.solver, w.cookies.outsider]) {
      const { status } = await postForm(composeRoute.action, path, fields, { cookie, params })
      expect(status).toBe(403)
    }
    expect(await db.select().from(introductions).where(eq(introductions.problemId, w.problem.id))).toEqual([])
  })

  it('shows the problem and the candidate with notes that never name the other side', async () => {
    const w = await world()
    const { status, data } = await get(composeRoute.loader, `/posts/${w.problem.id}/introduce?solver=${w.solver.id}&via=${w.qualifying.id}`, {
      cookie: w.cookies.support,
      params: { id: w.problem.id },
    })
    expect(status).toBe(200)
    const defaults = data.defaults as { askerNote: string; solverNote: string }
    expect(defaults.askerNote).toContain(w.problem.title!)
    expect(defaults.askerNote).not.toContain(w.solver.name)
    expect(defaults.solverNote).not.toContain(w.asker.name)
    expect(data.solver).toMatchObject({ id: w.solver.id, name: w.solver.name })
  })

  it('proposes for the problem’s author (a forged askerId is ignored) and redirects to the introduction', async () => {
    const w = await world()
    const { status, headers } = await postForm(
      composeRoute.action,
      `/posts/${w.problem.id}/introduce`,
      { solverId: w.solver.id, qualifyingPostId: w.qualifying.id, askerNote: 'To the asker', solverNote: 'To the solver', askerId: w.outsider.id, proposedById: w.outsider.id },
      { cookie: w.cookies.support, params: { id: w.problem.id } },
    )
    expect(status).toBe(302)
    const [row] = await db.select().from(introductions).where(eq(introductions.problemId, w.problem.id))
    expect(headers.get('Location')).toBe(`/introductions/${row!.id}?notice=introduction-proposed`)
    expect(row).toMatchObject({ askerId: w.asker.id, solverId: w.solver.id, proposedById: w.support.id, askerNote: 'To the asker', solverNote: 'To the solver', state: 'proposed' })
  })

  it('each named refusal is a form error that keeps the typed notes', async () => {
    const w = await world()
    const sameOrg = await createUser({ organizationId: w.asker.organizationId })
    const optedOut = await createUser({ introductionsEnabled: false })
    const cases: [string, string, string][] = [
      [w.asker.id, 'solverId', INTRO_MESSAGES.solverIsAsker],
      [sameOrg.id, 'solverId', INTRO_MESSAGES.sameOrganization],
      [optedOut.id, 'solverId', INTRO_MESSAGES.solverOptedOut],
    ]
    for (const [solverId, field, message] of cases) {
      const { status, data } = await postForm(
        composeRoute.action,
        `/posts/${w.problem.id}/introduce`,
        { solverId, askerNote: `Typed for the asker ${w.n}`, solverNote: `Typed for the solver ${w.n}` },
        { cookie: w.cookies.support, params: { id: w.problem.id } },
      )
      expect(status).toBe(409)
      expect(data.errors).toEqual({ [field]: [message] })
      expect(data.values).toMatchObject({ askerNote: `Typed for the asker ${w.n}`, solverNote: `Typed for the solver ${w.n}` })
    }
    await propose(w)
    const again = await postForm(
      composeRoute.action,
      `/posts/${w.problem.id}/introduce`,
      { solverId: w.solver.id, askerNote: 'Again', solverNote: 'Again' },
      { cookie: w.cookies.support, params: { id: w.problem.id } },
    )
    expect(again.status).toBe(409)
    expect(again.data.errors).toEqual({ '': [INTRO_MESSAGES.alreadyOpen] })
    expect(await db.select().from(introductions).where(eq(introductions.problemId, w.problem.id))).toHaveLength(1)
  })

  it('empty notes are a 400 naming both fields', async () => {
    const w = await world()
    const { status, data } = await postForm(
      composeRoute.action,
      `/posts/${w.problem.id}/introduce`,
      { solverId: w.solver.id, askerNote: '', solverNote: '  ' },
      { cookie: w.cookies.support, params: { id: w.problem.id } },
    )
    expect(status).toBe(400)
    expect(Object.keys(data.errors ?? {}).sort()).toEqual(['askerNote', 'solverNote'])
  })
})

describe('answering through the page', () => {
  it('a GET changes nothing; before both accept, the asker’s page holds nothing of the solver', async () => {
    const w = await world()
    const id = await propose(w)
    const before = await stored(id)
    const asker = await view(id, w.cookies.asker)
    expect(asker.status).toBe(200)
    expect(asker.data).toMatchObject({ side: 'asker', state: 'proposed', other: null })
    const text = JSON.stringify(asker.data)
    for (const leak of [w.solver.id, w.solver.name, w.solver.email]) expect(text).not.toContain(leak)
    const solver = await view(id, w.cookies.solver)
    for (const leak of [w.asker.id, w.asker.name, w.asker.email]) expect(JSON.stringify(solver.data)).not.toContain(leak)
    expect(await stored(id)).toEqual(before)
  })

  it('solver then asker accept: "waiting for the other side", then connected with each other’s contact', async () => {
    const w = await world()
    const id = await propose(w)
    // A forged userId/askerId does not make the solver answer for the asker.
    const first = await act(id, { intent: 'respond', answer: 'accepted', userId: w.asker.id, askerId: w.solver.id }, w.cookies.solver)
    expect(first.status).toBe(302)
    expect(first.headers.get('Location')).toBe(`${page(id)}?notice=introduction-accepted`)
    expect(await stored(id)).toMatchObject({ state: 'proposed', solverResponse: 'accepted', askerResponse: null })
    expect((await view(id, w.cookies.solver)).data).toMatchObject({ state: 'proposed', myResponse: 'accepted' })

    const second = await act(id, { intent: 'respond', answer: 'accepted' }, w.cookies.asker)
    expect(second.headers.get('Location')).toBe(`${page(id)}?notice=introduction-connected`)
    expect(await stored(id)).toMatchObject({ state: 'connected', askerResponse: 'accepted' })
    expect((await view(id, w.cookies.asker)).data.other).toMatchObject({ name: w.solver.name, contactEmail: w.solver.email })
    expect((await view(id, w.cookies.solver)).data.other).toMatchObject({ name: w.asker.name, contactEmail: w.asker.email })

    // Answering again is refused with the command's message.
    const again = await act(id, { intent: 'respond', answer: 'declined' }, w.cookies.asker)
    expect(again.status).toBe(409)
    expect(again.data.errors).toEqual({ '': [INTRO_MESSAGES.notOpen] })
  })

  it('a decline closes it; the other side sees only that it did not happen', async () => {
    const w = await world()
    const id = await propose(w)
    await act(id, { intent: 'respond', answer: 'accepted' }, w.cookies.asker)
    const declined = await act(id, { intent: 'respond', answer: 'declined' }, w.cookies.solver)
    expect(declined.headers.get('Location')).toBe(`${page(id)}?notice=introduction-declined`)
    expect(await stored(id)).toMatchObject({ state: 'declined', solverResponse: 'declined' })
    const asker = await view(id, w.cookies.asker)
    expect(asker.data).toMatchObject({ state: 'did_not_happen', other: null })
    expect(JSON.stringify(asker.data)).not.toContain('declined')
  })

  it('a missing or made-up answer is a 400 that changes nothing', async () => {
    const w = await world()
    const id = await propose(w)
    for (const answer of ['', 'maybe']) {
      const { status, data } = await act(id, { intent: 'respond', answer }, w.cookies.solver)
      expect(status).toBe(400)
      expect(data.errors?.answer).toEqual(['Choose yes or no.'])
    }
    expect(await stored(id)).toMatchObject({ state: 'proposed', solverResponse: null })
  })
})

describe('withdrawing', () => {
  it('support withdraws through the page; a side gets 403 and nothing changes', async () => {
    const w = await world()
    const id = await propose(w)
    for (const cookie of [w.cookies.asker, w.cookies.solver]) {
      const { status } = await act(id, { intent: 'withdraw' }, cookie)
      expect(status).toBe(403)
    }
    expect((await stored(id)).state).toBe('proposed')
    const { status, headers } = await act(id, { intent: 'withdraw' }, w.cookies.support)
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe(`${page(id)}?notice=introduction-withdrawn`)
    expect((await stored(id)).state).toBe('withdrawn')
    expect((await view(id, w.cookies.solver)).data.state).toBe('did_not_happen')
    const again = await act(id, { intent: 'withdraw' }, w.cookies.support)
    expect(again.status).toBe(409)
    expect(again.data.errors).toEqual({ '': [INTRO_MESSAGES.notOpen] })
  })
})

describe('connected: thread and outcome', () => {
  async function connected() {
    const w = await world()
    const id = await propose(w)
    await act(id, { intent: 'respond', answer: 'accepted' }, w.cookies.solver)
    await act(id, { intent: 'respond', answer: 'accepted' }, w.cookies.asker)
    return { ...w, id }
  }

  it('a message is written as the session’s user (a forged authorId is ignored) and rendered as Markdown', async () => {
    const w = await connected()
    const { status, headers } = await act(w.id, { intent: 'message', body: 'Try **this** first', authorId: w.asker.id }, w.cookies.solver)
    expect(status).toBe(302)
    const [message] = await db.select().from(introductionMessages).where(eq(introductionMessages.introductionId, w.id))
    expect(message).toMatchObject({ authorId: w.solver.id, body: 'Try **this** first' })
    expect(headers.get('Location')).toBe(`${page(w.id)}?notice=introduction-message-posted#message-${message!.id}`)
    const { data } = await view(w.id, w.cookies.asker)
    expect(data.messages).toEqual([expect.objectContaining({ authorName: w.solver.name, html: '<p>Try <strong>this</strong> first</p>\n' })])
  })

  it('a preview saves nothing; an empty message is a 400', async () => {
    const w = await connected()
    const preview = await act(w.id, { intent: 'message', preview: 'message', body: '<script>x</script> _hi_' }, w.cookies.asker)
    expect(preview.status).toBe(200)
    expect(preview.data.preview).not.toContain('<script>')
    const empty = await act(w.id, { intent: 'message', body: '' }, w.cookies.asker)
    expect(empty.status).toBe(400)
    expect(await db.select().from(introductionMessages).where(eq(introductionMessages.introductionId, w.id))).toEqual([])
  })

  it('messages before connecting are refused', async () => {
    const w = await world()
    const id = await propose(w)
    const { status, data } = await act(id, { intent: 'message', body: 'Hello' }, w.cookies.asker)
    expect(status).toBe(409)
    expect(data.errors).toEqual({ '': [INTRO_MESSAGES.notConnected] })
  })

  it('the asker says it helped; the solver’s profile counts it; the solver cannot answer for the asker', async () => {
    const w = await connected()
    const bySolver = await act(w.id, { intent: 'outcome', helped: 'yes' }, w.cookies.solver)
    expect(bySolver.status).toBe(403)
    expect((await stored(w.id)).outcome).toBeNull()
    const { status, headers } = await act(w.id, { intent: 'outcome', helped: 'yes', userId: w.outsider.id }, w.cookies.asker)
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe(`${page(w.id)}?notice=introduction-helped#outcome`)
    expect((await stored(w.id)).outcome).toBe('helped')
    expect(await countHelped(w.solver.id)).toBe(1)
    const profile = await get(personRoute.loader, `/people/${w.solver.id}`, { cookie: w.cookies.outsider, params: { id: w.solver.id } })
    expect(profile.data.helped).toBe(1)
  })
})

describe('the problem page’s support tools', () => {
  it('support sees this problem’s introductions; customers get no introduction tools', async () => {
    const w = await world()
    const id = await propose(w)
    const staff = await get(postRoute.loader, `/posts/${w.problem.id}`, { cookie: w.cookies.support, params: { id: w.problem.id } })
    const tools = staff.data.introductionTools as { introductions: { id: string; label: string }[] }
    expect(tools.introductions).toEqual([expect.objectContaining({ id, label: 'Waiting for answers' })])
    const customer = await get(postRoute.loader, `/posts/${w.problem.id}`, { cookie: w.cookies.asker, params: { id: w.problem.id } })
    expect(customer.data.introductionTools).toBeNull()
  })
})

describe('/settings/introductions', () => {
  let person: Awaited<ReturnType<typeof createUser>>
  let cookie: string
  beforeEach(async () => {
    person = await createUser()
    cookie = await signedInCookie(person.id)
  })

  async function settingsOf(id: string) {
    const [row] = await db.select({ enabled: users.introductionsEnabled, contactEmail: users.contactEmail }).from(users).where(eq(users.id, id))
    return row!
  }

  it('shows the defaults: on, and the account email to share', async () => {
    const { data } = await get(settingsRoute.loader, '/settings/introductions', { cookie })
    expect(data.settings).toEqual({ introductionsEnabled: true, contactEmail: null, email: person.email })
  })

  it('saves the choice and the contact email for the session’s user only (a forged userId is ignored)', async () => {
    const other = await createUser()
    const { status, headers } = await postForm(
      settingsRoute.action,
      '/settings/introductions',
      { contactEmail: ' Help@Example.TEST ', userId: other.id },
      { cookie },
    )
    expect(status).toBe(302)
    expect(headers.get('Location')).toBe('/settings/introductions?notice=introduction-settings-saved')
    expect(await settingsOf(person.id)).toEqual({ enabled: false, contactEmail: 'help@example.test' })
    expect(await settingsOf(other.id)).toEqual({ enabled: true, contactEmail: null })
    await postForm(settingsRoute.action, '/settings/introductions', { introductionsEnabled: 'on', contactEmail: '' }, { cookie })
    expect(await settingsOf(person.id)).toEqual({ enabled: true, contactEmail: null })
  })

  it('a malformed contact email is a 400 that keeps what was typed and saves nothing', async () => {
    const { status, data } = await postForm(settingsRoute.action, '/settings/introductions', { contactEmail: 'help(at)example' }, { cookie })
    expect(status).toBe(400)
    expect(data.errors?.contactEmail).toEqual(['Enter an email address like name@example.com.'])
    expect(data.values).toEqual({ contactEmail: 'help(at)example' })
    expect(await settingsOf(person.id)).toEqual({ enabled: true, contactEmail: null })
  })
})
