/**
 * Private problems through the real pages: logged from the form (radio and
 * checkboxes, no JavaScript needed), read by the author, the chosen
 * colleague and support only (404 for an unchosen colleague and another
 * organization's customer, whatever the page), and still read and answered
 * by their author after support makes them staff-only. A colleague from
 * another organization cannot be chosen: a 400 that keeps what was typed
 * and saves nothing.
 */
import { and, eq } from 'drizzle-orm'
import { describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { posts, productVersions } from '~/db/schema'
import type * as EmailModule from '~/modules/email/email.server'
import { setPostVisibility } from '~/modules/posts/posts.server'
import * as newProblemRoute from '~/routes/problems.new'
import * as postRoute from '~/routes/posts.$id'
import { actorOf, createOrganization, createProduct, createUser } from '#tests/factories'
import { get, postForm, signedInCookie } from './request'

vi.mock('~/modules/email/email.server', async (importOriginal) => ({
  ...(await importOriginal<typeof EmailModule>()),
  kickMailer: vi.fn(),
}))

let serial = 0
async function world() {
  const n = `${Date.now().toString(36)}x${++serial}`
  const org = await createOrganization({ name: `Pelican Freight ${n}` })
  const author = await createUser({ name: `Paula Author ${n}`, organizationId: org.id })
  const chosen = await createUser({ name: `Chidi Chosen ${n}`, organizationId: org.id })
  const unchosen = await createUser({ name: `Una Unchosen ${n}`, organizationId: org.id })
  const outsider = await createUser({ name: `Oskar Outsider ${n}` })
  const support = await createUser({ role: 'support', name: `Sana Support ${n}` })
  const product = await createProduct({ name: `Relay ${n}`, slug: `relay-${n}`, versions: ['5.0'] })
  const [version] = await db.select().from(productVersions).where(eq(productVersions.productId, product.id))
  const cookies = Object.fromEntries(
    await Promise.all(Object.entries({ author, chosen, unchosen, outsider, support }).map(async ([k, u]) => [k, await signedInCookie(u.id)] as const)),
  ) as Record<'author' | 'chosen' | 'unchosen' | 'outsider' | 'support', string>
  return { n, author, chosen, unchosen, outsider, support, product, version: version!, cookies }
}
type World = Awaited<ReturnType<typeof world>>

function logPrivate(w: World, readers: string[], extra: Record<string, string> = {}) {
  const fields = new URLSearchParams({
    title: `Gateway config dump for ${w.n}`,
    body: 'Attached: our full gateway configuration with the internal hostnames.',
    productId: w.product.id,
    tags: '',
    visibility: 'private',
    submissionKey: `key-${w.n}-${readers.length}`,
    ...extra,
  })
  fields.append('versionIds', w.version.id)
  for (const id of readers) fields.append('readerIds', id)
  return postForm(newProblemRoute.action, '/problems/new', fields, { cookie: w.cookies.author })
}

const page = (w: World, id: string, who: keyof World['cookies']) => get(postRoute.loader, `/posts/${id}`, { cookie: w.cookies[who], params: { id } })

describe('a private problem', () => {
  it('the form offers the author’s colleagues to share it with, and nobody from elsewhere', async () => {
    const w = await world()
    const { data } = await get(newProblemRoute.loader, '/problems/new', { cookie: w.cookies.author })
    const names = (data.colleagues as { name: string }[]).map((c) => c.name)
    expect(names).toEqual([w.chosen.name, w.unchosen.name])
  })

  it('is read by its author, the chosen colleague and support; an unchosen colleague and another organization get a 404', async () => {
    const w = await world()
    const logged = await logPrivate(w, [w.chosen.id])
    expect(logged.status).toBe(302)
    const id = logged.headers.get('Location')!.match(/^\/posts\/([^?]+)/)![1]!
    expect((await db.select({ visibility: posts.visibility }).from(posts).where(eq(posts.id, id)))[0]!.visibility).toBe('private')
    for (const who of ['author', 'chosen', 'support'] as const) {
      const seen = await page(w, id, who)
      expect(seen.status, who).toBe(200)
      expect(seen.data.sharedWith, who).toEqual([{ id: w.chosen.id, name: w.chosen.name }])
    }
    for (const who of ['unchosen', 'outsider'] as const) {
      const refused = await page(w, id, who)
      expect(refused.status, who).toBe(404)
      expect(JSON.stringify(refused.data), who).not.toContain('Gateway config dump')
      // Replying is refused the same way, and writes nothing.
      const reply = await postForm(postRoute.action, `/posts/${id}`, { intent: 'reply', body: 'Let me see' }, { cookie: w.cookies[who], params: { id } })
      expect(reply.status, who).toBe(404)
    }
    // The chosen colleague takes part.
    const reply = await postForm(postRoute.action, `/posts/${id}`, { intent: 'reply', body: 'Same config here.' }, { cookie: w.cookies.chosen, params: { id } })
    expect(reply.status).toBe(302)
  })

  it('made staff-only by support, stays readable and answerable by its author (not by the chosen colleague)', async () => {
    const w = await world()
    const id = (await logPrivate(w, [w.chosen.id])).headers.get('Location')!.match(/^\/posts\/([^?]+)/)![1]!
    expect(await setPostVisibility(actorOf(w.support), id, 'staff')).toMatchObject({ ok: true })
    expect((await page(w, id, 'author')).status).toBe(200)
    expect((await page(w, id, 'chosen')).status).toBe(404)
    const reply = await postForm(postRoute.action, `/posts/${id}`, { intent: 'reply', body: 'Any news?' }, { cookie: w.cookies.author, params: { id } })
    expect(reply.status).toBe(302)
  })

  it('a colleague of another organization cannot be chosen: 400 with the reason, what was typed kept, nothing saved', async () => {
    const w = await world()
    const refused = await logPrivate(w, [w.chosen.id, w.outsider.id])
    expect(refused.status).toBe(400)
    expect(refused.data.errors).toEqual({ readerIds: ['Choose colleagues from your own organization to share it with.'] })
    expect(refused.data.values).toMatchObject({ title: `Gateway config dump for ${w.n}`, visibility: 'private', readerIds: `${w.chosen.id},${w.outsider.id}` })
    expect(await db.select().from(posts).where(and(eq(posts.authorId, w.author.id)))).toEqual([])
  })

  it('an unknown visibility is a 400 naming the field', async () => {
    const w = await world()
    const refused = await logPrivate(w, [], { visibility: 'everyone-but-support' })
    expect(refused.status).toBe(400)
    expect(Object.keys(refused.data.errors ?? {})).toEqual(['visibility'])
    expect(await db.select().from(posts).where(eq(posts.authorId, w.author.id))).toEqual([])
  })
})
