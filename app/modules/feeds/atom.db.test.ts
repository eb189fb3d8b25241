import { eq } from 'drizzle-orm'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { postTags, posts, users } from '~/db/schema'
import * as newProblemRoute from '~/routes/problems.new'
import * as profileRoute from '~/routes/settings.profile'
import { createPost, createProduct, createUser } from '#tests/factories'
import { postForm, signedInCookie } from '#tests/routes/request'
import { solutionsFeed } from './atom.server'

const RLO = '\u202E'
const PAYLOAD = `"><script>alert(1)</script><img src=x onerror=alert(2)>]]> gnp${RLO}.exe`

type Entry = { title: { '#text': string; '@_type': string }; author: { name: string }; content: { '#text': string } }

function entries(xml: string): Entry[] {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml)
  const list = parsed.feed.entry
  return Array.isArray(list) ? list : list ? [list] : []
}

describe('the solutions feed', () => {
  it('writes titles as escaped text (markup stays literal) without bidi controls, also for rows saved before', async () => {
    const author = await createUser({ name: `Mallory ${RLO}yrollam` })
    const problem = await createPost({ title: PAYLOAD })
    await createPost({ kind: 'workaround', problemId: problem.id, authorId: author.id, acceptedAt: new Date() })
    const xml = await solutionsFeed()
    expect(xml).not.toContain('<script>')
    expect(xml).not.toContain('CDATA')
    const entry = entries(xml).find((e) => e.title['#text'].includes('gnp'))
    expect(entry).toBeDefined()
    expect(entry!.title['@_type']).toBe('text')
    expect(entry!.title['#text']).toContain('"><script>alert(1)</script><img src=x onerror=alert(2)>]]> gnp.exe')
    expect(entry!.title['#text']).not.toContain(RLO)
    expect(entry!.author.name).toBe('Mallory yrollam')
  })
})

describe('bidirectional controls in one-line texts', () => {
  it('a problem title typed with U+202E is stored without it', async () => {
    const user = await createUser()
    const product = await createProduct({ name: 'Bidi Relay', slug: `bidi-${Date.now()}`, versions: ['1.0'] })
    const { status, headers } = await postForm(
      newProblemRoute.action,
      '/problems/new',
      {
        title: `Invoice gnp${RLO}.exe attachment fails`,
        body: 'The attachment never opens.',
        productId: product.id,
        tags: `pdf${RLO} upload\u2066`,
      },
      { cookie: await signedInCookie(user.id) },
    )
    expect(status).toBe(302)
    const id = /\/posts\/([a-z0-9]+)/.exec(headers.get('Location') ?? '')![1]!
    const [row] = await db.select({ title: posts.title }).from(posts).where(eq(posts.id, id))
    expect(row!.title).toBe('Invoice gnp.exe attachment fails')
    const tags = await db.select({ tag: postTags.tag }).from(postTags).where(eq(postTags.postId, id))
    expect(tags.map((t) => t.tag).sort()).toEqual(['pdf', 'upload'])
  })

  it('a name typed with isolates and overrides is stored without them', async () => {
    const user = await createUser()
    const { status } = await postForm(
      profileRoute.action,
      '/settings/profile',
      { name: `\u2067Dana${RLO} Doe\u200F` },
      { cookie: await signedInCookie(user.id) },
    )
    expect(status).toBe(302)
    const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, user.id))
    expect(row!.name).toBe('Dana Doe')
  })
})
