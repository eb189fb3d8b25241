/**
 * PostgreSQL only: the real boot and health behind the real HTTP server,
 * with the database reached through a TCP proxy the test cuts and restores.
 * While it is cut, pages and /healthz answer 503 "database unreachable"
 * (fast: connection and ping timeouts); once it is back, the same process
 * recovers without a restart.
 */
import net from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { boot, health, shutdown } from '~/boot.server'
import { db, setDatabase } from '~/db/client.server'
import { handleError } from '~/entry.server'
import { parseEnv } from '~/utils/env.server'
import { databaseUrl } from '../setup/urls'
import { fakeBuild, serve } from './harness'

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'

/** A TCP proxy to PostgreSQL that can be cut (connections dropped, new ones refused) and restored. */
async function startProxy(target: URL) {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => {})
        }
        client.pipe(upstream).pipe(client)
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port
        resolve()
      })
    })
  await listen()
  return {
    port: () => port,
    cut: async () => {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
    },
    restore: listen,
  }
}

async function timed<T>(fn: () => Promise<T>) {
  const started = performance.now()
  const value = await fn()
  return { value, ms: Math.round(performance.now() - started) }
}

describe.skipIf(!onPostgres)('a database outage', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>
  let server: Awaited<ReturnType<typeof serve>>

  beforeAll(async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const name = ((await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[])[0]!.name
    const target = new URL(process.env.TEST_DATABASE_URL!)
    proxy = await startProxy(target)
    const viaProxy = new URL(databaseUrl(process.env.TEST_DATABASE_URL!, name))
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port())
    // The app opens its own pool through the proxy.
    setDatabase(undefined)
    const env = parseEnv({ NODE_ENV: 'test', PUBLIC_URL: 'http://switchboard.test', DATABASE_URL: viaProxy.toString(), SEED_DEMO: '0', DATABASE_POOL_SIZE: '2' })
    await boot(env)
    const build = fakeBuild(
      {
        probe: async () => {
          await db.execute(sql`select count(*) from users`)
          return new Response('database answered')
        },
      },
      { boot: async () => {}, shutdown: async () => {}, health, handleError },
    )
    server = await serve(env, build)
  })

  afterAll(async () => {
    await server?.close()
    await shutdown()
    await proxy?.cut()
    vi.restoreAllMocks()
  })

  it('a busy hub is not an outage: a ping that answers late keeps it serving', async () => {
    expect(await health()).toMatchObject({ status: 'ready' })
    await new Promise((resolve) => setTimeout(resolve, 1100))
    // The ping goes out, then the event loop is busy for longer than the ping
    // may take (a CPU-heavy page, a catch-up): its answer is read only after the timer ran out.
    const verdict = health()
    const until = Date.now() + 1200
    while (Date.now() < until) {
      // busy
    }
    expect(await verdict).toMatchObject({ status: 'ready' })
    // The late answer came back, so the next check is an ordinary one.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await health()).toMatchObject({ status: 'ready' })
  })

  it('answers 503 "database unreachable" at once while it lasts, and recovers without a restart', async () => {
    expect((await fetch(`${server.base}/probe`)).status).toBe(200)
    expect(await health()).toMatchObject({ status: 'ready' })

    await proxy.cut()

    const page = await timed(() => fetch(`${server.base}/probe`))
    expect(page.value.status).toBe(503)
    expect(page.value.headers.get('Retry-After')).toBeTruthy()
    const text = await page.value.text()
    expect(text).toContain('The database is unreachable')
    expect(text).not.toContain('is starting')

    const probes = []
    for (let i = 0; i < 3; i++) {
      // Past the one-second window in which one ping's verdict is shared.
      await new Promise((resolve) => setTimeout(resolve, 1100))
      const healthz = await timed(() => fetch(`${server.base}/healthz`))
      expect(healthz.value.status).toBe(503)
      expect(await healthz.value.json()).toMatchObject({ status: 'database unreachable' })
      const again = await timed(() => fetch(`${server.base}/probe`))
      expect(again.value.status).toBe(503)
      probes.push(`healthz ${healthz.ms} ms, page ${again.ms} ms`)
    }
    console.info(`[outage] first page ${page.ms} ms; then ${probes.join('; ')}`)

    await proxy.restore()
    let recovered = false
    for (let i = 0; i < 40 && !recovered; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      recovered = (await fetch(`${server.base}/healthz`)).status === 200
    }
    expect(recovered).toBe(true)
    const back = await fetch(`${server.base}/probe`)
    expect(back.status).toBe(200)
    expect(await back.text()).toBe('database answered')
  })
})
