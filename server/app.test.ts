import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleError } from '~/entry.server'
import { parseEnv } from '~/utils/env.server'
import { deferred, fakeBuild, serve } from '../tests/server/harness'

const env = (extra: Record<string, string> = {}) =>
  parseEnv({ NODE_ENV: 'test', PUBLIC_URL: 'http://switchboard.test', ...extra })

describe('the HTTP server under load', () => {
  const held = deferred()
  const entered = deferred()
  let server: Awaited<ReturnType<typeof serve>>

  beforeAll(async () => {
    const build = fakeBuild(
      {
        slow: async () => {
          entered.resolve()
          await held.promise
          return new Response('slow done')
        },
        login: () => new Response('sign-in page'),
      },
      { boot: async () => {}, shutdown: async () => {}, health: async () => ({ status: 'ready' }) },
    )
    server = await serve(env({ MAX_IN_FLIGHT: '1', MAX_QUEUED_REQUESTS: '0' }), build)
  })
  afterAll(() => server.close())

  it('answers a fast 503 with Retry-After past the in-flight bound, while /healthz and sign-in still answer', async () => {
    const first = fetch(`${server.base}/slow`)
    await entered.promise

    const refused = await fetch(`${server.base}/slow`)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('Retry-After')).toBe('2')
    expect(await refused.text()).toContain('Switchboard is busy')

    const health = await fetch(`${server.base}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ready' })

    const signIn = await fetch(`${server.base}/login`)
    expect(signIn.status).toBe(200)
    expect(await signIn.text()).toBe('sign-in page')

    held.resolve()
    const answered = await first
    expect(answered.status).toBe(200)
    expect(await answered.text()).toBe('slow done')

    // The slot is free again.
    expect((await fetch(`${server.base}/login`)).status).toBe(200)
  })
})

describe('answers while the database is unreachable', () => {
  let status = 'ready'
  let server: Awaited<ReturnType<typeof serve>>

  beforeAll(async () => {
    const build = fakeBuild(
      {
        'lost-database': () => {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
        },
        broken: () => {
          throw new Error('a bug')
        },
        page: () => new Response('page'),
        // A database that went silent: the query never answers, and health
        // (its ping timing out) turns to unreachable meanwhile.
        silent: () => {
          status = 'database unreachable'
          return new Promise<Response>(() => {})
        },
      },
      { boot: async () => {}, shutdown: async () => {}, health: async () => ({ status }), handleError },
    )
    server = await serve(env(), build)
  })
  afterAll(() => server.close())

  it('a query that finds the database gone gives the 503 outage page, not a 500', async () => {
    const response = await fetch(`${server.base}/lost-database`)
    expect(response.status).toBe(503)
    expect(response.headers.get('Retry-After')).toBeTruthy()
    const page = await response.text()
    expect(page).toContain('The database is unreachable')
    expect(page).toContain('Try again shortly')
    expect(page).not.toContain('starting')
  })

  it('a request stuck on a database that went silent gets the outage page instead of hanging', async () => {
    try {
      const response = await fetch(`${server.base}/silent`)
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('The database is unreachable')
    } finally {
      status = 'ready'
    }
  })

  it('any other error stays a 500', async () => {
    const original = console.error
    console.error = () => {}
    try {
      expect((await fetch(`${server.base}/broken`)).status).toBe(500)
    } finally {
      console.error = original
    }
  })

  it('while health says so, every page is the outage page and /healthz names the state', async () => {
    status = 'database unreachable'
    try {
      const response = await fetch(`${server.base}/page`)
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('The database is unreachable')
      const health = await fetch(`${server.base}/healthz`)
      expect(health.status).toBe(503)
      expect(await health.json()).toMatchObject({ status: 'database unreachable' })
    } finally {
      status = 'ready'
    }
    expect((await fetch(`${server.base}/page`)).status).toBe(200)
  })
})

describe('caching', () => {
  let server: Awaited<ReturnType<typeof serve>>
  let clientDir = ''

  beforeAll(async () => {
    clientDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-client-'))
    await fs.mkdir(path.join(clientDir, 'assets'))
    await fs.writeFile(path.join(clientDir, 'assets', 'entry-abc123.js'), 'console.log(1)')
    const build = fakeBuild(
      {
        page: () => new Response('<p>your private page</p>', { headers: { 'Content-Type': 'text/html' } }),
        feed: () => new Response('feed', { headers: { 'Cache-Control': 'private, no-cache' } }),
      },
      { boot: async () => {}, shutdown: async () => {}, health: async () => ({ status: 'ready' }) },
    )
    server = await serve(env(), build, clientDir)
  })
  afterAll(async () => {
    await server.close()
    await fs.rm(clientDir, { recursive: true, force: true })
  })

  it('signed-in pages carry Cache-Control: private, no-store', async () => {
    const response = await fetch(`${server.base}/page`, { headers: { Cookie: 'switchboard_session=abc' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
  })

  it('a route that chooses its own caching keeps it', async () => {
    expect((await fetch(`${server.base}/feed`)).headers.get('Cache-Control')).toBe('private, no-cache')
  })

  it('built assets keep their long, immutable caching', async () => {
    const response = await fetch(`${server.base}/assets/entry-abc123.js`)
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
  })
})
