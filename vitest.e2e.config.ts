/**
 * Browser tests (`npm test` runs them after the unit and database tests):
 * Playwright drives Debian's Chromium against the real hub, started once per
 * run by tests/e2e/global-setup.ts. Embedded PGlite always; PostgreSQL too
 * when TEST_DATABASE_URL is set. Files run one at a time: each launches a
 * browser, and the machine running them may have two cores.
 */
import tsconfigPaths from 'vite-tsconfig-paths'
import { defineConfig } from 'vitest/config'

const hubProject = (db: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name: `e2e-${db}`,
    env: { E2E_DB: db },
    globalSetup: ['tests/e2e/global-setup.ts'],
  },
})

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    // The first hook of a file launches Chromium; the global setup may build the app.
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    projects: [
      hubProject('pglite'),
      ...(process.env.TEST_DATABASE_URL ? [hubProject('postgres')] : []),
    ],
  },
})
