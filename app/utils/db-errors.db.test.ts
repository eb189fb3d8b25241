import { type AppLoadContext } from '@remix-run/node'
import { eq } from 'drizzle-orm'
import { describe, expect, it, vi } from 'vitest'
import { db } from '~/db/client.server'
import { posts } from '~/db/schema'
import { handleDataRequest, handleError } from '~/entry.server'
import { isInvalidTextEncoding, isUniqueViolation } from './db-errors.server'

/** The error this driver raises for a NUL byte in a text parameter. */
async function nulError() {
  try {
    await db.select({ id: posts.id }).from(posts).where(eq(posts.id, 'abc\u0000def'))
  } catch (error) {
    return error
  }
  throw new Error('the query with a NUL byte did not fail')
}

describe('a NUL byte that reaches the database (the last line of defence)', () => {
  it('is recognised as invalid text encoding on this driver', async () => {
    const error = await nulError()
    expect(isInvalidTextEncoding(error)).toBe(true)
    expect(isUniqueViolation(error)).toBe(false)
    expect(isInvalidTextEncoding(new Error('something else'))).toBe(false)
  })

  it('turns the answer into 400, logged as one warning rather than an error', async () => {
    const error = await nulError()
    const context: AppLoadContext = { cspNonce: '', clientIp: null, responseCookies: [] }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const request = new Request('http://switchboard.test/posts/abc%00def.data')
    handleError(error, { request, context })
    expect(context.badInput).toBe(true)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('answered 400'))
    warn.mockRestore()
    const answered = handleDataRequest(new Response('boom', { status: 500 }), { context })
    expect(answered.status).toBe(400)
    // A real server error stays a 500.
    const other: AppLoadContext = { cspNonce: '', clientIp: null, responseCookies: [] }
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    handleError(new Error('a bug'), { request, context: other })
    errors.mockRestore()
    expect(handleDataRequest(new Response('boom', { status: 500 }), { context: other }).status).toBe(500)
  })
})
