/**
 * `WEB_CONCURRENCY=N`: the real server (server/index.ts, production build)
 * as N app processes on one port. On PostgreSQL both processes answer; on
 * the embedded database the server refuses to start more than one.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '~/db/client.server'
import { buildIfNeeded } from '../../scripts/build-if-needed'
import { databaseUrl } from '../setup/urls'

const onPostgres = process.env.TEST_DB_DRIVER === 'postgres'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** GET /healthz on a fresh connection each time, so the cluster may hand it to any process. */
function healthz(port: number): Promise<{ status?: string; pid?: number } | null> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 2000 }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      response.on('end', () => {
        try {
          resolve(JSON.parse(body))
        } catch {
          resolve(null)
        }
      })
    })
    request.on('error', () => resolve(null))
    request.on('timeout', () => request.destroy())
  })
}

function start(env: Record<string, string>) {
  const output: string[] = []
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_REQUESTS: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output, exited }
}

describe.skipIf(onPostgres)('WEB_CONCURRENCY on the embedded database', () => {
  it('refuses more than one process with a message that says why and what to do', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-cluster-'))
    try {
      const server = start({ WEB_CONCURRENCY: '2', DATA_DIR: dataDir, PORT: String(await freePort()) })
      expect(await server.exited).toBe(1)
      const output = server.output.join('')
      expect(output).toContain('WEB_CONCURRENCY=2 needs PostgreSQL')
      expect(output).toContain('Set DATABASE_URL')
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true })
    }
  })
})

describe.skipIf(!onPostgres)('WEB_CONCURRENCY=2 on PostgreSQL', () => {
  let server: ReturnType<typeof start> | undefined
  let port = 0
  let dataDir = ''

  beforeAll(async () => {
    buildIfNeeded({ label: 'cluster test' })
    const name = ((await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[])[0]!.name
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-cluster-'))
    port = await freePort()
    server = start({
      WEB_CONCURRENCY: '2',
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl(process.env.TEST_DATABASE_URL!, name),
      SEED_DEMO: '0',
      DATABASE_POOL_SIZE: '2',
    })
  }, 300_000)

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL')
      await server.exited
    }
    await fs.rm(dataDir, { recursive: true, force: true })
  })

  it('runs two app processes on one port, both answering, and stops them both on SIGTERM', async () => {
    const pids = new Set<number>()
    for (let i = 0; i < 400 && pids.size < 2; i++) {
      const health = await healthz(port)
      if (health?.status === 'ready' && health.pid) pids.add(health.pid)
      else await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(pids.size, server!.output.join('')).toBe(2)
    expect(pids.has(server!.child.pid!)).toBe(false)

    server!.child.kill('SIGTERM')
    expect(await server!.exited).toBe(0)
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow()
  }, 180_000)
})
