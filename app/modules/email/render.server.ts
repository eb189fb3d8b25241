/**
 * Builds the plain-text and HTML parts of an email from plain sentences.
 * Every value is escaped for HTML; links are absolute (built by the caller
 * with `absoluteUrl`, from PUBLIC_URL) and shown in full in the text part.
 */
import { stripBidiControls } from '~/utils/text'

export type RenderedEmail = { subject: string; text: string; html: string }

export type EmailContent = {
  subject: string
  /** "Hi Alice," — omitted when null. */
  greeting?: string | null
  /** Plain text; a line break inside a paragraph stays a line break (a signature, an address). */
  paragraphs: string[]
  /** Linked lines under the paragraphs (a digest's items); each URL absolute and shown in the text part. */
  list?: { text: string; url: string }[]
  action?: { label: string; url: string }
  /** Small print under the message (why you got it, what to do if it wasn't you). */
  footer?: string
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: string) {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

/**
 * Renders `content` as a text and an HTML part. The subject, shown by mail
 * clients beside other text, loses its bidirectional controls: a title like
 * `gnp\u202E.exe` would otherwise read as `exe.png` in the inbox.
 */
export function renderEmail(input: EmailContent): RenderedEmail {
  const content = { ...input, subject: stripBidiControls(input.subject) }
  const text = [
    content.greeting,
    ...content.paragraphs,
    content.list?.length ? content.list.map((item) => `- ${item.text}\n  ${item.url}`).join('\n') : null,
    content.action ? `${content.action.label}: ${content.action.url}` : null,
    content.footer ? `—\n${content.footer}` : null,
    'Switchboard',
  ]
    .filter((part): part is string => Boolean(part))
    .join('\n\n')

  const p = (body: string) => `<p style="margin:0 0 16px;line-height:1.5">${body}</p>`
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>
<body style="margin:0;padding:24px;background:#f6f7f9;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2937">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 24px;font-weight:700;color:#1d4ed8">Switchboard</p>
${content.greeting ? p(escapeHtml(content.greeting)) : ''}
${content.paragraphs.map((para) => p(escapeHtml(para).replace(/\r?\n/g, '<br>\n'))).join('\n')}
${
  content.list?.length
    ? `<ul style="margin:0 0 16px;padding-left:20px;line-height:1.5">${content.list
        .map((item) => `<li style="margin:0 0 8px"><a href="${escapeHtml(item.url)}">${escapeHtml(item.text)}</a></li>`)
        .join('\n')}</ul>`
    : ''
}
${
  content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:#1d4ed8;color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#4b5563">Or open this link: <a href="${escapeHtml(content.action.url)}">${escapeHtml(content.action.url)}</a></p>`
    : ''
}
${content.footer ? `<p style="margin:24px 0 0;font-size:13px;color:#6b7280">${escapeHtml(content.footer)}</p>` : ''}
</div></body></html>`
  return { subject: content.subject, text, html }
}
