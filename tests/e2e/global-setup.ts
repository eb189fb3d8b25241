/**
 * Browser tests run against the real hub: the production build served by
 * server/index.ts, exactly as `npm start` does, on a free port.
 *
 * - The build is made first if it is missing or older than the sources.
 * - The e2e-pglite project's hub uses embedded PGlite in a fresh temporary
 *   DATA_DIR, seeded with the demo world.
 * - The e2e-postgres project (only when TEST_DATABASE_URL is set) uses a
 *   fresh PostgreSQL database, dropped afterwards, with SEED_DEMO=1.
 *
 * Tests read the hub's address with `inject('baseURL')`. The hub's stderr
 * (warnings and errors) is shown as it comes; set E2E_SERVER_LOG=1 to see
 * its stdout too. If the hub does not become healthy, its whole output is
 * printed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { type TestProject } from 'vitest/node'
import { buildIfNeeded } from '../../scripts/build-if-needed'
import { databaseUrl } from '../setup/urls'
import { DEMO_PASSWORD } from './accounts'

const HEALTH_TIMEOUT_MS = 90_000
const STOP_TIMEOUT_MS = 15_000

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls /healthz until it answers 200; throws if the hub exits or time runs out. */
async function waitForHealthy(baseURL: string, child: ChildProcess) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the hub exited (${child.exitCode ?? child.signalCode}) before it was healthy`,
      )
    }
    try {
      const response = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(5_000) })
      if (response.status === 200) return
      last = `${response.status} ${await response.text()}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await sleep(250)
  }
  throw new Error(`/healthz did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000}s (last: ${last})`)
}

/** Sends SIGTERM, waits for a graceful exit, then SIGKILL as a last resort. */
async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

/** A fresh, empty PostgreSQL database; returns its URL and a function that drops it. */
async function createPostgresDatabase(base: string) {
  const name = `switchboard_e2e_${process.pid}_${Date.now().toString(36)}`
  const admin = postgres(base, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  return {
    url: databaseUrl(base, name),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end()
    },
  }
}

export default async function setup(project: TestProject) {
  buildIfNeeded({ label: 'e2e' })

  const onPostgres = project.config.env?.E2E_DB === 'postgres'
  const label = onPostgres ? 'hub:postgres' : 'hub:pglite'
  const port = await freePort()
  const baseURL = `http://localhost:${port}`
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-e2e-'))

  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined
  if (onPostgres) {
    const base = process.env.TEST_DATABASE_URL
    if (!base) throw new Error('e2e: the postgres project needs TEST_DATABASE_URL')
    database = await createPostgresDatabase(base)
  }

  // Only what the hub needs: no DATABASE_URL or SMTP_URL leaking in from the
  // developer's shell, so emails stay in the outbox where tests read them.
  const env: NodeJS.ProcessEnv = {
    ...pick(process.env, ['PATH', 'HOME', 'TMPDIR', 'LANG']),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: baseURL,
    DATA_DIR: dataDir,
    DEMO_PASSWORD,
    LOG_REQUESTS: '0',
    PASSWORD_HASH_CONCURRENCY: '2',
    // Every browser test signs in from 127.0.0.1 as the same few demo people,
    // on one server: generous limits, so the suite's own writes never reach
    // them. The limits themselves are tested in tests/routes/rate-limits.db.test.ts.
    RATE_LIMITS: 'post=1000/1h,reply=1000/1h,message=1000/1h,introduction=1000/1h,sign-up=1000/1h,password-reset=1000/1h,invitation=1000/1h,security-email=1000/1h',
    ...(database ? { DATABASE_URL: database.url, SEED_DEMO: '1' } : {}),
  }

  const output: string[] = []
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output.push(chunk)
    if (process.env.E2E_SERVER_LOG === '1') process.stdout.write(prefix(label, chunk))
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output.push(chunk)
    process.stderr.write(prefix(label, chunk))
  })

  // If the test run itself is killed before its teardown, take the hub along.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)

  const cleanup = async () => {
    process.off('exit', killOnExit)
    await stop(child)
    await fs.rm(dataDir, { recursive: true, force: true })
    await database?.drop()
  }

  try {
    await waitForHealthy(baseURL, child)
  } catch (error) {
    console.error(`[e2e] the hub did not start: ${error instanceof Error ? error.message : error}`)
    console.error(`[e2e] its output:\n${output.join('') || '(none)'}`)
    await cleanup()
    throw error
  }

  project.provide('baseURL', baseURL)
  return cleanup
}

function pick(source: NodeJS.ProcessEnv, names: string[]) {
  return Object.fromEntries(
    names.flatMap((name) => (source[name] ? [[name, source[name]]] : [])),
  ) as Record<string, string>
}

function prefix(label: string, chunk: string) {
  return chunk
    .split(/(?<=\n)/)
    .map((line) => `[${label}] ${line}`)
    .join('')
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
  }
}
