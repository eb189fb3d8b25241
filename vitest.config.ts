/**
 * Unit tests run once; database tests (`*.db.test.ts`) run on PGlite always
 * and again on PostgreSQL when TEST_DATABASE_URL is set. Every database test
 * file gets a fresh database: PGlite from a migrated snapshot, PostgreSQL
 * from a migrated template (tests/setup/global-db.ts).
 */
import tsconfigPaths from 'vite-tsconfig-paths'
import { defineConfig } from 'vitest/config'

const dbProject = (name: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name: `db-${name}`,
    include: ['app/**/*.db.test.ts', 'tests/**/*.db.test.ts'],
    env: { TEST_DB_DRIVER: name },
    globalSetup: ['tests/setup/global-db.ts'],
    setupFiles: ['tests/setup/db.ts'],
  },
})

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    environment: 'node',
    setupFiles: ['tests/setup/console.ts'],
    env: { NODE_ENV: 'test', PUBLIC_URL: 'http://switchboard.test', PASSWORD_HASH_CONCURRENCY: '2' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['app/**/*.test.ts', 'server/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['**/*.db.test.ts', 'tests/e2e/**', 'node_modules/**'],
        },
      },
      dbProject('pglite'),
      ...(process.env.TEST_DATABASE_URL ? [dbProject('postgres')] : []),
    ],
  },
})
