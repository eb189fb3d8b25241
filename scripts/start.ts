/**
 * `npm start`: builds the app when the build is missing or older than the
 * sources, then serves it (migrations and the demo seed run at boot).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = process.cwd()
const buildEntry = path.join(root, 'build/server/index.js')
const SOURCES = ['app', 'public', 'vite.config.ts', 'package.json', 'tests/factories.ts']

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0
  const stat = fs.statSync(target)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)))
  return newest
}

function needsBuild() {
  if (!fs.existsSync(buildEntry)) return true
  const built = fs.statSync(buildEntry).mtimeMs
  return SOURCES.some((source) => newestMtime(path.join(root, source)) > built)
}

if (needsBuild()) {
  console.info('[start] building the app (sources changed since the last build)…')
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) {
    console.error('[start] the build failed; see the messages above.')
    process.exit(result.status ?? 1)
  }
}

process.env.NODE_ENV ??= 'production'
await import('../server/index')
