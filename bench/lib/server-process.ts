/**
 * Servers the page benchmark measures, each a child process on a free port
 * (so its CPU is its own in /proc): the hub as `npm start` runs it
 * (server/index.ts over the production build), and the ceilings in
 * bench/fixtures/ceilings.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'

export type ServerProcess = {
  child: ChildProcess
  pid: number
  baseUrl: string
  port: number
  /** Everything it printed (shown when it fails). */
  output(): string
  stop(): Promise<void>
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
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

/**
 * Spawns `node --import tsx <script> ...args` with `env` (plus PORT) and
 * waits until `healthPath` answers 200 (up to `timeoutMs`: a hub at 100,000
 * posts builds its search index for minutes). Throws with the output when
 * it exits or never becomes healthy.
 */
export async function startServer(options: {
  script: string
  args?: string[]
  env: Record<string, string>
  healthPath?: string
  timeoutMs?: number
  /** Print its stderr as it comes (warnings, errors), prefixed with this label. */
  echoStderr?: string
  /** Default: a free port. */
  port?: number
}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort())
  const baseUrl = `http://127.0.0.1:${port}`
  const chunks: string[] = []
  const child = spawn(process.execPath, ['--import', 'tsx', options.script, ...(options.args ?? [])], {
    cwd: process.cwd(),
    env: { ...options.env, PORT: String(port), HOST: '127.0.0.1' } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    chunks.push(chunk)
    if (options.echoStderr) process.stderr.write(chunk.replace(/^(?=.)/gm, `[${options.echoStderr}] `))
  })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const stop = async () => {
    process.off('exit', killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
  const server: ServerProcess = { child, pid: child.pid!, baseUrl, port, output: () => chunks.join(''), stop }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`bench: ${options.script} exited (${child.exitCode ?? child.signalCode}) before it was healthy; its output:\n${server.output()}`)
    }
    try {
      const response = await fetch(`${baseUrl}${options.healthPath ?? '/healthz'}`, { signal: AbortSignal.timeout(5_000) })
      if (response.status === 200) return server
      last = `${response.status} ${(await response.text()).slice(0, 200)}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await sleep(250)
  }
  await stop()
  throw new Error(`bench: ${options.script} did not answer 200 within ${(options.timeoutMs ?? 60_000) / 1000} s (last: ${last}); its output:\n${server.output()}`)
}

/** Only these variables reach the servers: no DATABASE_URL or SMTP_URL leaking in from the shell. */
export function baseEnv(): Record<string, string> {
  return Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])))
}
