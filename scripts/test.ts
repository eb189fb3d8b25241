/**
 * `npm test`: every test. Unit and database tests (Vitest: PGlite always,
 * PostgreSQL too when TEST_DATABASE_URL is set), then the browser tests
 * (Playwright driving Debian's Chromium) when Chromium is installed. Without
 * Chromium the browser tests are skipped with a loud warning, except under
 * CI=true, where a missing browser is a failure.
 *
 * Ends with one line "N passed, N failed, N skipped" over all suites.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { chromiumPath } from '../tests/e2e/chromium'

type Totals = { passed: number; failed: number; skipped: number }
const totals: Totals = { passed: 0, failed: 0, skipped: 0 }
const reportDir = path.resolve('node_modules/.cache/switchboard')
fs.mkdirSync(reportDir, { recursive: true })

function runVitest(label: string, args: string[]) {
  const report = path.join(reportDir, `${label}-report.json`)
  fs.rmSync(report, { force: true })
  console.info(`\n━━ ${label} ━━`)
  const result = spawnSync(
    process.execPath,
    [path.resolve('node_modules/vitest/vitest.mjs'), 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { stdio: 'inherit', env: process.env },
  )
  if (fs.existsSync(report)) {
    const json = JSON.parse(fs.readFileSync(report, 'utf8')) as {
      numPassedTests: number
      numFailedTests: number
      numPendingTests: number
      numTodoTests: number
    }
    totals.passed += json.numPassedTests
    totals.failed += json.numFailedTests
    totals.skipped += json.numPendingTests + json.numTodoTests
  }
  return result.status === 0
}

let ok = runVitest('unit and database tests', [])
if (!process.env.TEST_DATABASE_URL) {
  console.info('\nNote: TEST_DATABASE_URL is not set, so database tests ran on embedded PGlite only.')
}

const browser = chromiumPath()
if (browser) {
  ok = runVitest('browser tests', ['--config', 'vitest.e2e.config.ts']) && ok
} else if (process.env.CI === 'true') {
  console.error('\n✖ Chromium was not found (install Debian\'s chromium, or set CHROMIUM_PATH). Under CI=true this is a failure.')
  ok = false
} else {
  console.warn(
    [
      '',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '!!  BROWSER TESTS SKIPPED: Chromium was not found.                    !!',
      '!!  Install it (apt-get install -y chromium) or set CHROMIUM_PATH.    !!',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    ].join('\n'),
  )
}

console.info(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(ok && totals.failed === 0 ? 0 : 1)
