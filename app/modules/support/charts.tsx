/**
 * Small bar charts drawn on the server as plain SVG (no chart library, no
 * client JavaScript). Each chart carries a <title> and <desc> for assistive
 * technology and is followed by a visually hidden table with the same
 * figures, so nothing is told by the drawing alone. Bars are labelled with
 * their values in text, not only by length or colour.
 */
import { useId } from 'react'

export type Bar = { label: string; value: number }

export type BarChartProps = {
  /** Short title, shown as the figure caption and the SVG <title>. */
  title: string
  /** One-sentence summary of what the chart shows, used as the SVG <desc>. */
  description: string
  bars: Bar[]
  /** Column heading of the values in the accessible table (default "Count"). */
  valueLabel?: string
  /** Width in CSS pixels of the drawing (it scales down with its container). */
  width?: number
}

const ROW_HEIGHT = 22
const LABEL_WIDTH = 110
const VALUE_WIDTH = 40

/** A horizontal bar chart: one row per bar, label left, value right of the bar. */
export function BarChart({ title, description, bars, valueLabel = 'Count', width = 360 }: BarChartProps) {
  const id = useId()
  const titleId = `${id}-title`
  const descId = `${id}-desc`
  const max = Math.max(1, ...bars.map((bar) => bar.value))
  const plotWidth = width - LABEL_WIDTH - VALUE_WIDTH
  const height = bars.length * ROW_HEIGHT + 4
  return (
    <figure className="space-y-2">
      <figcaption className="text-sm font-medium text-slate-800">{title}</figcaption>
      <svg
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        // Classes, not a style attribute: the production CSP (style-src
        // 'self') blocks inline styles. The drawing keeps its width where
        // there is room and scales down with its container where there is not.
        className="block h-auto max-w-full"
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        {bars.map((bar, i) => {
          const y = i * ROW_HEIGHT + 2
          const barWidth = bar.value > 0 ? Math.max(2, (bar.value / max) * plotWidth) : 0
          return (
            <g key={bar.label}>
              <text x={LABEL_WIDTH - 6} y={y + ROW_HEIGHT / 2} textAnchor="end" dominantBaseline="middle" fontSize="11" fill="#334155">
                {bar.label}
              </text>
              <rect x={LABEL_WIDTH} y={y + 3} width={barWidth} height={ROW_HEIGHT - 6} rx="2" fill="#4f46e5" />
              <text
                x={LABEL_WIDTH + barWidth + 4}
                y={y + ROW_HEIGHT / 2}
                dominantBaseline="middle"
                fontSize="11"
                fill="#0f172a"
              >
                {bar.value}
              </text>
            </g>
          )
        })}
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">{valueLabel}</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.label}>
              <th scope="row">{bar.label}</th>
              <td>{bar.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
