/**
 * Builds the app when build/server/index.js is missing or older than any
 * source that goes into it. Shared by `npm start` and the browser tests'
 * global setup, so both serve what is in the working tree.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/** Everything the production build is made from. */
const SOURCES = ['app', 'public', 'vite.config.ts', 'package.json', 'tests/factories.ts']

/** Test files (`*.test.ts`) sit beside the code but are not built. */
const NOT_BUILT = /\.test\.tsx?$/

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0
  const stat = fs.statSync(target)
  if (!stat.isDirectory()) return NOT_BUILT.test(target) ? 0 : stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, entry)))
  return newest
}

/** True when the build is missing or a source changed after it was made. */
export function needsBuild(root = process.cwd()): boolean {
  const buildEntry = path.join(root, 'build/server/index.js')
  if (!fs.existsSync(buildEntry)) return true
  const built = fs.statSync(buildEntry).mtimeMs
  return SOURCES.some((source) => newestMtime(path.join(root, source)) > built)
}

/**
 * Runs `remix vite:build` if `needsBuild()`. Returns whether it built;
 * throws when the build fails (its output went to this process's stdio).
 */
export function buildIfNeeded({
  root = process.cwd(),
  label = 'build',
}: { root?: string; label?: string } = {}): boolean {
  if (!needsBuild(root)) return false
  console.info(`[${label}] building the app (sources changed since the last build)…`)
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    },
  )
  if (result.status !== 0) {
    throw new Error(
      `[${label}] the build failed (exit ${result.status ?? result.signal}); see the messages above.`,
    )
  }
  return true
}
