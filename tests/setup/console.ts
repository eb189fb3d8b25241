/**
 * A console.error during a test is a bug the test did not expect: fail it.
 * Tests that expect an error spy on console.error themselves.
 */
import { afterEach, vi } from 'vitest'

let errorCall: unknown[] | undefined
const original = console.error
console.error = (...args: unknown[]) => {
  errorCall ??= args
  original(...args)
}

afterEach(() => {
  const call = errorCall
  errorCall = undefined
  if (call && !vi.isMockFunction(console.error)) {
    throw new Error(`console.error was called during the test: ${call.map(String).join(' ')}`)
  }
})
