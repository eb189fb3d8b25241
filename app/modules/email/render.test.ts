import { describe, expect, it } from 'vitest'
import { renderEmail } from './render.server'

describe('renderEmail', () => {
  it('escapes every value in the HTML part, so a post title cannot inject markup into an email', () => {
    const payload = '<script>alert(1)</script><img src=x onerror="alert(2)"> & "quotes"'
    const email = renderEmail({
      subject: `Bob replied to “${payload}”`,
      greeting: `Hello ${payload},`,
      paragraphs: [`About ${payload}.`],
      action: { label: payload, url: 'https://hub.example/posts/1?a=1&b="2"' },
      footer: payload,
    })
    expect(email.html).not.toMatch(/<script|<img|onerror="/i)
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(email.html).toContain('href="https://hub.example/posts/1?a=1&amp;b=&quot;2&quot;"')
    // The text part is plain text: the words stay as written.
    expect(email.text).toContain(payload)
    expect(email.text).toContain('https://hub.example/posts/1?a=1&b="2"')
  })

  it('keeps line breaks inside a paragraph, escaped first', () => {
    const email = renderEmail({ subject: 'Hello', paragraphs: ['Best regards,\nSam <Support>'] })
    expect(email.html).toContain('Best regards,<br>\nSam &lt;Support&gt;')
    expect(email.text).toContain('Best regards,\nSam <Support>')
  })

  it('drops bidirectional controls from the subject, so a title cannot disguise itself in the inbox', () => {
    const email = renderEmail({ subject: 'Bob replied to “invoice gnp\u202E.exe\u2066”', paragraphs: ['Hi'] })
    expect(email.subject).toBe('Bob replied to “invoice gnp.exe”')
    expect(email.html).toContain('<title>Bob replied to “invoice gnp.exe”</title>')
  })
})
