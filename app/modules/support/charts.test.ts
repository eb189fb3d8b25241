import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { BarChart } from './charts'

describe('BarChart', () => {
  const html = renderToStaticMarkup(
    createElement(BarChart, {
      title: 'Open problems by age',
      description: 'How long open problems have waited.',
      bars: [
        { label: 'Today', value: 3 },
        { label: 'This week', value: 7 },
        { label: 'Older', value: 0 },
      ],
    }),
  )

  it('carries no style attribute, which the production CSP (style-src without unsafe-inline) would block', () => {
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/\sstyle=/)
  })

  it('keeps its drawn width and scales down with its container through classes', () => {
    expect(html).toMatch(/<svg[^>]*width="360"/)
    expect(html).toMatch(/<svg[^>]*class="[^"]*max-w-full/)
  })
})
