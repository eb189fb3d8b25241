/**
 * Shows Markdown that the server already rendered and sanitized.
 *
 * `html` MUST come from `renderMarkdown` (app/modules/markdown/markdown.server.ts),
 * computed in a loader or action: that is the only place user text becomes
 * HTML, behind an allow-list. Never pass anything else here.
 */
export function Markdown({ html, className }: { html: string; className?: string }) {
  return (
    <div
      className={className ? `markdown ${className}` : 'markdown'}
      // Safe: sanitized on the server by renderMarkdown (see the header above).
      dangerouslySetInnerHTML={{ __html: html }}
    />
  )
}
