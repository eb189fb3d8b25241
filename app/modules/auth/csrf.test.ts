import { describe, expect, it } from 'vitest'
import { checkCsrf } from './csrf.server'

const post = { method: 'POST', host: 'hub.example.com', origin: undefined, secFetchSite: undefined }

describe('checkCsrf', () => {
  it('lets safe methods through whatever their headers say', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(checkCsrf({ ...post, method, secFetchSite: 'cross-site' })).toEqual({ allowed: true })
    }
  })

  it('accepts same-origin and user-initiated (none) requests by Sec-Fetch-Site', () => {
    expect(checkCsrf({ ...post, secFetchSite: 'same-origin' }).allowed).toBe(true)
    expect(checkCsrf({ ...post, secFetchSite: 'none' }).allowed).toBe(true)
  })

  it('refuses cross-site and same-site requests even with a matching Origin', () => {
    expect(checkCsrf({ ...post, secFetchSite: 'cross-site', origin: 'https://hub.example.com' })).toEqual({
      allowed: false,
      reason: 'Sec-Fetch-Site is cross-site',
    })
    expect(checkCsrf({ ...post, secFetchSite: 'same-site' }).allowed).toBe(false)
  })

  it('falls back to Origin when Sec-Fetch-Site is missing', () => {
    expect(checkCsrf({ ...post, origin: 'https://hub.example.com' }).allowed).toBe(true)
    expect(checkCsrf({ ...post, origin: 'https://HUB.example.com' }).allowed).toBe(true)
    expect(checkCsrf({ ...post, origin: 'https://evil.example.net' })).toEqual({
      allowed: false,
      reason: 'Origin https://evil.example.net does not match host hub.example.com',
    })
  })

  it('refuses a state-changing request with neither header, a null or a malformed Origin', () => {
    expect(checkCsrf(post)).toEqual({ allowed: false, reason: 'no Sec-Fetch-Site and no Origin header' })
    expect(checkCsrf({ ...post, origin: 'null' }).allowed).toBe(false)
    expect(checkCsrf({ ...post, origin: 'not a url' })).toEqual({ allowed: false, reason: 'malformed Origin header' })
  })

  it('compares the port too', () => {
    expect(checkCsrf({ ...post, host: 'localhost:3000', origin: 'http://localhost:3001' }).allowed).toBe(false)
    expect(checkCsrf({ ...post, host: 'localhost:3000', origin: 'http://localhost:3000' }).allowed).toBe(true)
  })
})
