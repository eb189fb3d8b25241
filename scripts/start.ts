/**
 * `npm start`: builds the app when the build is missing or older than the
 * sources, then serves it (migrations and the demo seed run at boot).
 */
import { buildIfNeeded } from './build-if-needed'

try {
  buildIfNeeded({ label: 'start' })
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}

process.env.NODE_ENV ??= 'production'
await import('../server/index')
