/**
 * The pages `npm run bench:pages` loads: what each one requests, as whom,
 * and what a good answer is. Concrete ids and slugs are discovered in the
 * benchmark's database after it is written (`discover`).
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { type DatabaseHandle } from '~/db/client.server'
import { posts, products, productVersions, users } from '~/db/schema'
import { Corpus } from './corpus'
import { type LoadTarget } from './load'
import { Random } from './random'

/** Every page's `--pages` key, in the order the benchmark runs them (ceilings last). */
export const PAGE_KEYS = [
  'login', 'home', 'home-product', 'home-state', 'search-words', 'search-prefix', 'search-filter', 'suggest', 'problem', 'product', 'person',
  'notifications', 'introductions', 'queue', 'radar', 'quiet', 'audit', 'post-reply', 'post-problem', 'bare', 'remix',
] as const

/** Groups decide which targets apply: console pages have looser CPU and throughput bounds. */
export type PageGroup = 'page' | 'console' | 'cheapest' | 'form' | 'ceiling'

export type PageSpec = {
  key: string
  label: string
  group: PageGroup
  target: LoadTarget
}

export type Discovered = {
  productSlug: string
  productId: string
  versionIds: string[]
  /** Solved community problems with workarounds and replies (the problem page). */
  problemIds: string[]
  /** Visible community problems to reply to. */
  replyIds: string[]
  /** The demo customer whose person page is viewed (bob). */
  personId: string
}

/** Finds what the pages need in the written database (before the hub starts). */
export async function discover(handle: DatabaseHandle): Promise<Discovered> {
  const { db } = handle
  const visibleProblem = and(eq(posts.kind, 'problem'), eq(posts.visibility, 'community'), isNull(posts.hiddenAt))
  const [busiest] = await db
    .select({ id: posts.productId, count: sql<number>`count(*)::int` })
    .from(posts)
    .where(isNull(posts.problemId))
    .groupBy(posts.productId)
    .orderBy(desc(sql`count(*)`))
    .limit(1)
  const [product] = await db.select({ id: products.id, slug: products.slug }).from(products).where(eq(products.id, busiest!.id))
  const versions = await db.select({ id: productVersions.id }).from(productVersions).where(eq(productVersions.productId, product!.id)).orderBy(productVersions.sortOrder)
  const solved = await db
    .select({ id: posts.id })
    .from(posts)
    .where(and(visibleProblem, eq(posts.state, 'solved'), sql`${posts.replyCount} > 0`))
    .orderBy(desc(posts.lastActivityAt))
    .limit(50)
  const open = await db.select({ id: posts.id }).from(posts).where(visibleProblem).orderBy(desc(posts.lastActivityAt)).limit(50)
  const [bob] = await db.select({ id: users.id }).from(users).where(inArray(users.email, ['bob@customer-b.test']))
  if (!solved.length || !open.length || !bob) throw new Error('bench: the written database has no solved problems or no demo people; was it seeded?')
  return {
    productSlug: product!.slug,
    productId: product!.id,
    versionIds: versions.map((v) => v.id),
    problemIds: solved.map((r) => r.id),
    replyIds: open.map((r) => r.id),
    personId: bob.id,
  }
}

/** Cuts the last word to a prefix, as while typing (bench/search.bench.ts does the same). */
export function typed(random: Random, text: string) {
  const words = text.split(' ')
  const last = words.at(-1)!
  if (last.length < 2) return text
  words[words.length - 1] = last.slice(0, random.int(1, last.length - 1))
  return words.join(' ')
}

export type Sessions = {
  /** alice@customer-a.test: her home, notifications, introductions. */
  customer: string
  /** Several customers, taken in turn: suggestions and posts are limited per person and session. */
  customers: string[]
  support: string
  admin: string
}

const BROWSER = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
}

/** Every page of the benchmark, in the order it runs them. */
export function pageSpecs({ found, sessions, baseUrl, seed, runId }: { found: Discovered; sessions: Sessions; baseUrl: string; seed: number; runId: string }): PageSpec[] {
  const corpus = new Corpus(seed)
  const random = new Random(seed + 7)
  const q = (text: string) => encodeURIComponent(text)
  const words = Array.from({ length: 200 }, () => corpus.query(random))
  const prefixes = Array.from({ length: 200 }, () => typed(random, corpus.query(random)))
  const states = ['open', 'answered', 'solved']
  const filtered = words.map((w, i) => `/search?q=${q(w)}&product=${found.productSlug}${i % 2 ? `&state=${states[i % 3]}` : ''}`)
  const texts = Array.from({ length: 100 }, () => corpus.post(random))
  const as = (cookie: string | string[]) => (i: number) => ({ ...BROWSER, cookie: Array.isArray(cookie) ? cookie[i % cookie.length]! : cookie })
  const form = (cookie: string[]) => (i: number) => ({ ...as(cookie)(i), origin: baseUrl, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' })
  const get = (paths: string[], cookie: string | string[] | null): LoadTarget => ({
    method: 'GET',
    paths,
    headers: cookie === null ? () => ({ ...BROWSER }) : as(cookie),
    expect: [200],
  })
  return [
    { key: 'login', label: 'sign-in page (anonymous)', group: 'cheapest', target: get(['/login'], null) },
    { key: 'home', label: 'home', group: 'page', target: get(['/'], sessions.customer) },
    { key: 'home-product', label: 'home, by product', group: 'page', target: get([`/?product=${found.productSlug}`], sessions.customer) },
    { key: 'home-state', label: 'home, open problems', group: 'page', target: get(['/?kind=problem&state=open'], sessions.customer) },
    { key: 'search-words', label: 'search, words', group: 'page', target: get(words.map((w) => `/search?q=${q(w)}`), sessions.customer) },
    { key: 'search-prefix', label: 'search, typed prefix', group: 'page', target: get(prefixes.map((w) => `/search?q=${q(w)}`), sessions.customer) },
    { key: 'search-filter', label: 'search + filter', group: 'page', target: get(filtered, sessions.customer) },
    {
      key: 'suggest',
      label: 'suggestions (JSON)',
      group: 'page',
      target: { ...get(prefixes.map((w) => `/search/suggest?q=${q(w)}`), sessions.customers), headers: (i) => ({ ...as(sessions.customers)(i), accept: 'application/json' }) },
    },
    { key: 'problem', label: 'problem page', group: 'page', target: get(found.problemIds.map((id) => `/posts/${id}`), sessions.customer) },
    { key: 'product', label: 'product page', group: 'page', target: get([`/products/${found.productSlug}`], sessions.customer) },
    { key: 'person', label: 'person page', group: 'page', target: get([`/people/${found.personId}`], sessions.customer) },
    { key: 'notifications', label: 'notifications', group: 'page', target: get(['/notifications'], sessions.customer) },
    { key: 'introductions', label: 'introductions list', group: 'page', target: get(['/introductions'], sessions.customer) },
    { key: 'queue', label: 'support queue', group: 'console', target: get(['/support/queue'], sessions.support) },
    { key: 'radar', label: 'radar', group: 'console', target: get(['/support/radar'], sessions.support) },
    { key: 'quiet', label: 'quiet customers', group: 'console', target: get(['/support/quiet'], sessions.support) },
    { key: 'audit', label: 'audit log (admin)', group: 'console', target: get(['/admin/audit'], sessions.admin) },
    {
      key: 'post-reply',
      label: 'POST a reply',
      group: 'form',
      target: {
        method: 'POST',
        paths: found.replyIds.map((id) => `/posts/${id}`),
        headers: form(sessions.customers),
        body: (i) => new URLSearchParams({ intent: 'reply', body: texts[i % texts.length]!.body.slice(0, 600), submissionKey: `bench-${runId}-r${i}` }).toString(),
        expect: [302, 303],
      },
    },
    {
      key: 'post-problem',
      label: 'POST a problem',
      group: 'form',
      target: {
        method: 'POST',
        paths: ['/problems/new'],
        headers: form(sessions.customers),
        body: (i) => {
          const text = texts[i % texts.length]!
          const body = new URLSearchParams({ title: `${text.title} (${i})`.slice(0, 200), body: text.body, productId: found.productId, tags: text.tags.join(' '), submissionKey: `bench-${runId}-p${i}` })
          if (found.versionIds[0]) body.append('versionIds', found.versionIds.at(-1)!)
          return body.toString()
        },
        expect: [302, 303],
      },
    },
  ]
}

/** The ceilings, served by bench/fixtures/ceilings.tsx. */
export function ceilingSpecs(): PageSpec[] {
  const target: LoadTarget = { method: 'GET', paths: ['/'], headers: () => ({ ...BROWSER }), expect: [200] }
  return [
    { key: 'bare', label: 'ceiling: bare node:http', group: 'ceiling', target },
    { key: 'remix', label: 'ceiling: minimal Remix app', group: 'ceiling', target },
  ]
}

/** Signs in through the real form (CSRF by Fetch metadata); returns the Cookie header of the session. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl, 'sec-fetch-site': 'same-origin', 'user-agent': BROWSER['user-agent'] },
    body: new URLSearchParams({ email, password, redirectTo: '' }).toString(),
  })
  await response.arrayBuffer()
  if (response.status !== 302 && response.status !== 303) throw new Error(`bench: signing in as ${email} answered ${response.status}, not a redirect`)
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ')
  if (!cookie) throw new Error(`bench: signing in as ${email} set no cookie`)
  return cookie
}
