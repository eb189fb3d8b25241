/**
 * A NUL byte (or another control character) in a path id, slug or token, or
 * in a list filter, is answered 4xx — never 500 (PostgreSQL refuses NUL in
 * text: `invalid byte sequence for encoding "UTF8": 0x00`). Every route with
 * a path parameter is called, loader and action, signed out and as an
 * admin (who passes every role guard and so reaches the database).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as index from '~/routes/_index'
import * as adminAudit from '~/routes/admin.audit'
import * as adminOrganization from '~/routes/admin.organizations.$id'
import * as adminOutboxMessage from '~/routes/admin.outbox.$id'
import * as adminProduct from '~/routes/admin.products.$slug'
import * as calendar from '~/routes/calendar.$file'
import * as checkIn from '~/routes/check-ins.$id'
import * as emailChange from '~/routes/email-change.$token'
import * as introduction from '~/routes/introductions.$id'
import * as introductions from '~/routes/introductions._index'
import * as invitation from '~/routes/invitations.$token'
import * as migrationsNew from '~/routes/migrations.new'
import * as notifications from '~/routes/notifications'
import * as person from '~/routes/people.$id'
import * as post from '~/routes/posts.$id'
import * as postEdit from '~/routes/posts.$id_.edit'
import * as postHistory from '~/routes/posts.$id_.history'
import * as postIntroduce from '~/routes/posts.$id_.introduce'
import * as problemsNew from '~/routes/problems.new'
import * as product from '~/routes/products.$slug'
import * as productFeed from '~/routes/products.$slug.solutions[.]atom'
import * as replyEdit from '~/routes/replies.$id.edit'
import * as resetPassword from '~/routes/reset-password.$token'
import * as search from '~/routes/search'
import * as signup from '~/routes/signup.$token'
import * as supportQueue from '~/routes/support.queue'
import * as supportQuiet from '~/routes/support.quiet'
import * as supportQuietOrganization from '~/routes/support.quiet_.$organizationId'
import * as supportRadar from '~/routes/support.radar'
import { createPost, createUser } from '#tests/factories'
import { get, postForm, signedInCookie, type Outcome } from './request'

type Route = { loader?: unknown; action?: unknown }
type Fn = Parameters<typeof get>[0]

/** Every route with a path parameter: its module, URL pattern and parameter name. */
const PARAM_ROUTES: Array<[string, Route, string]> = [
  ['/admin/organizations/:id', adminOrganization, 'id'],
  ['/admin/outbox/:id', adminOutboxMessage, 'id'],
  ['/admin/products/:slug', adminProduct, 'slug'],
  ['/calendar/:file', calendar, 'file'],
  ['/check-ins/:id', checkIn, 'id'],
  ['/email-change/:token', emailChange, 'token'],
  ['/introductions/:id', introduction, 'id'],
  ['/invitations/:token', invitation, 'token'],
  ['/people/:id', person, 'id'],
  ['/posts/:id', post, 'id'],
  ['/posts/:id/edit', postEdit, 'id'],
  ['/posts/:id/history', postHistory, 'id'],
  ['/posts/:id/introduce', postIntroduce, 'id'],
  ['/products/:slug', product, 'slug'],
  ['/products/:slug/solutions.atom', productFeed, 'slug'],
  ['/replies/:id/edit', replyEdit, 'id'],
  ['/reset-password/:token', resetPassword, 'token'],
  ['/signup/:token', signup, 'token'],
  ['/support/quiet/:organizationId', supportQuietOrganization, 'organizationId'],
]

const BAD_VALUES = ['abc\u0000def', 'x\u0000', '\u0000', 'relay\u0001\u001f', `${'a'.repeat(31)}\u0000`]

function expectNotServerError(outcome: Outcome, where: string) {
  expect(outcome.status, `${where}: ${JSON.stringify(outcome.data).slice(0, 300)}`).toBeLessThan(500)
}

describe('NUL and control characters in ids, slugs, tokens and filters', () => {
  let cookie: string
  let postId: string
  beforeAll(async () => {
    const admin = await createUser({ role: 'admin' })
    cookie = await signedInCookie(admin.id)
    postId = (await createPost()).id
  })

  it.each(PARAM_ROUTES)('%s answers 4xx, never 500', async (pattern, route, param) => {
    for (const value of BAD_VALUES) {
      const path = pattern.replace(`:${param}`, encodeURIComponent(value))
      for (const who of [undefined, cookie]) {
        const label = `${who ? 'admin' : 'signed out'} ${path}`
        if (route.loader) {
          const outcome = await get(route.loader as Fn, path, { cookie: who, params: { [param]: value } })
          expectNotServerError(outcome, `GET ${label}`)
        }
        if (route.action) {
          const outcome = await postForm(route.action as Fn, path, { intent: 'reply', body: 'x' }, { cookie: who, params: { [param]: value } })
          expectNotServerError(outcome, `POST ${label}`)
        }
      }
    }
  })

  const FILTER_PAGES: Array<[string, Route, string[]]> = [
    ['/', index, ['product', 'version', 'kind', 'state']],
    ['/search', search, ['q', 'product', 'version', 'kind', 'state', 'from', 'to']],
    ['/admin/audit', adminAudit, ['person', 'action', 'from', 'to']],
    ['/support/queue', supportQueue, ['product']],
    ['/support/radar', supportRadar, ['product']],
    ['/support/quiet', supportQuiet, ['days', 'checkedIn']],
    ['/introductions', introductions, ['state']],
    ['/notifications', notifications, ['page']],
    ['/migrations/new', migrationsNew, ['product']],
  ]

  it.each(FILTER_PAGES)('%s with NUL in its filters answers without a server error', async (path, route, names) => {
    for (const name of names) {
      for (const value of ['relay\u0000', '\u0000', 'a\u0000b']) {
        const url = `${path}?${new URLSearchParams({ [name]: value, page: '1' })}`
        const outcome = await get(route.loader as Fn, url, { cookie })
        expectNotServerError(outcome, `GET ${url}`)
      }
    }
  })

  it('a post page with NUL in ?quote= or the introduce page with NUL in ?solver= answers without a server error', async () => {
    for (const [route, url] of [
      [post, `/posts/${postId}?quote=${encodeURIComponent('r\u0000')}`],
      [postIntroduce, `/posts/${postId}/introduce?solver=${encodeURIComponent('u\u0000')}&via=${encodeURIComponent('w\u0000')}`],
    ] as const) {
      const outcome = await get(route.loader as Fn, url, { cookie, params: { id: postId } })
      expectNotServerError(outcome, `GET ${url}`)
    }
  })

  it('ids picked in forms are checked too: a NUL in a product, target or solver id is a 4xx', async () => {
    const cases: Array<[Fn, string, Record<string, string>, Record<string, string>]> = [
      [problemsNew.action as Fn, '/problems/new', { title: 'Sync stalls', body: 'It stalls.', productId: 'p\u0000' }, {}],
      [post.action as Fn, `/posts/${postId}`, { intent: 'accept', target: 'w\u0000' }, { id: postId }],
      [post.action as Fn, `/posts/${postId}`, { intent: 'reply', body: 'Me too', quotedReplyId: 'r\u0000' }, { id: postId }],
      [postIntroduce.action as Fn, `/posts/${postId}/introduce`, { solverId: 's\u0000', askerNote: 'Hi', solverNote: 'Hi' }, { id: postId }],
    ]
    for (const [action, path, fields, params] of cases) {
      const outcome = await postForm(action, path, fields, { cookie, params })
      expectNotServerError(outcome, `POST ${path} ${JSON.stringify(fields)}`)
    }
  })
})
