import { describe, expect, it } from 'vitest'
import { safeRedirect } from './auth.server'

describe('safeRedirect', () => {
  it.each([
    '/',
    '/posts/abc123',
    '/search?q=sync%20stalls&product=relay',
    '/posts/abc#reply-1',
    '/notifications?page=2',
  ])('keeps the same-origin path %j', (to) => {
    expect(safeRedirect(to)).toBe(to)
  })

  it.each([
    ['protocol-relative', '//evil.test/steal'],
    ['backslash after the slash', '/\\evil.test'],
    ['a tab browsers drop', '/\t/evil.test'],
    ['an encoded tab', '/%09/evil.test'],
    ['a newline', '/\n/evil.test'],
    ['CR LF (header injection)', '/\r\nSet-Cookie: x=1'],
    ['encoded CR LF', '/%0d%0a/evil.test'],
    ['a space', '/ /evil.test'],
    ['an encoded slash making //', '/%2F/evil.test'],
    ['encoded backslashes', '/%5C%5Cevil.test'],
    ['a backslash later in the path', '/posts\\..\\..\\evil'],
    ['an absolute URL', 'https://evil.test/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'evil.test'],
    ['a bidi override', '/posts/\u202Eabc'],
    ['a NUL', '/posts/\u0000'],
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['empty', ''],
  ])('sends %s home', (_label, to) => {
    expect(safeRedirect(to)).toBe('/')
  })

  it('uses the fallback for missing values and non-strings', () => {
    expect(safeRedirect(null)).toBe('/')
    expect(safeRedirect(undefined, '/notifications')).toBe('/notifications')
  })
})
