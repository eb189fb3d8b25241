import { describe, expect, it } from 'vitest'
import { EnvError, parseEnv } from './env.server'
import { DEFAULT_LIMITS, describeWait, limitMessage, parseLimitOverrides } from './rate-limits'

describe('RATE_LIMITS', () => {
  it('overrides the named limits only', () => {
    expect(parseEnv({ RATE_LIMITS: 'reply=60/1h, sign-up=20/30m,suggest=5/10s,post=100/1d' }).RATE_LIMITS).toEqual({
      reply: { points: 60, windowSec: 3600 },
      'sign-up': { points: 20, windowSec: 1800 },
      suggest: { points: 5, windowSec: 10 },
      post: { points: 100, windowSec: 86_400 },
    })
    expect(parseEnv({}).RATE_LIMITS).toEqual({})
  })

  it('stops the server on an unknown limit or a malformed entry, naming it', () => {
    expect(() => parseEnv({ RATE_LIMITS: 'replies=60/1h' })).toThrow(EnvError)
    expect(parseLimitOverrides('replies=60/1h')).toEqual({
      ok: false,
      message: expect.stringContaining('"replies" is not a rate limit; the limits are sign-in-account, sign-in-ip'),
    })
    expect(parseLimitOverrides('reply=60 per hour')).toEqual({
      ok: false,
      message: '"reply=60 per hour" must look like reply=30/1h (points per window in s, m, h or d)',
    })
    expect(parseLimitOverrides('reply=0/1h')).toMatchObject({ ok: false })
  })

  it('defaults keep security emails to a few an hour per address', () => {
    expect(DEFAULT_LIMITS['security-email']).toEqual({ points: 5, windowSec: 3600 })
  })
})

describe('describeWait', () => {
  it('says when, in the largest unit that is still precise enough', () => {
    expect(describeWait(1)).toBe('in 1 second')
    expect(describeWait(30)).toBe('in 30 seconds')
    expect(describeWait(61)).toBe('in 2 minutes')
    expect(describeWait(240)).toBe('in 4 minutes')
    expect(describeWait(3600)).toBe('in 60 minutes')
    expect(describeWait(3601)).toBe('in 2 hours')
  })

  it('words a refusal as what to do and when', () => {
    expect(limitMessage('post', 240)).toBe('You have posted a lot in a short time. You can post again in 4 minutes; what you wrote is still here.')
  })
})
