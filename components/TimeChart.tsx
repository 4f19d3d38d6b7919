'use client'
// A chart of values over time in SVG, with a value axis and a time axis in the zone times are
// shown in: bars or lines, one bucket (a minute or an hour) per point, each bucket a link when
// `href` is given (to the runs it counts, say) with its figures on hover.
import Link from './Link.tsx'
import { useEffect, useRef, useState } from 'react'
import { labelledBuckets, roundCeiling } from '../lib/console/chart-axes.ts'
import { formatAxisTime, zoneName } from '../lib/console/time.ts'
import { useTimeZone } from './time-zone.tsx'

export interface ChartSeries<P> {
  name: string
  color: string
  kind: 'bar' | 'line'
  value: (point: P) => number | null
}

interface Props<P> {
  /** What the chart shows, for a screen reader. */
  label: string
  points: P[]
  /** Each point's bucket start (ISO 8601). */
  at: (point: P) => string
  bucket: 'minute' | 'hour'
  series: Array<ChartSeries<P>>
  /** The value axis's numbers: counts by default. */
  formatValue?: (value: number) => string
  /** The bucket's figures in words (its tooltip, and its link's name). */
  describe: (point: P) => string
  href?: (point: P) => string
}

const height = 190
const margin = { left: 56, right: 8, top: 10, bottom: 24 }

export function TimeChart<P>({ label, points, at, bucket, series, formatValue, describe, href }: Props<P>) {
  const { zone } = useTimeZone()
  // Drawn at the width it is given, so that its text keeps its size on a phone as on a screen.
  const figure = useRef<HTMLElement>(null)
  const [width, setWidth] = useState(720)
  useEffect(() => {
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(240, Math.min(760, Math.round(entry!.contentRect.width)))))
    observer.observe(figure.current!)
    return () => observer.disconnect()
  }, [])
  const plotWidth = width - margin.left - margin.right
  const plotHeight = height - margin.top - margin.bottom
  const top = roundCeiling(Math.max(0, ...points.flatMap((point) => series.map((s) => s.value(point) ?? 0))))
  // Counts (no formatValue) are whole: no tick half way up to 1 or 5.
  const ticks = formatValue || top % 2 === 0 ? [0, top / 2, top] : [0, top]
  const written = formatValue ?? ((value: number) => value.toLocaleString('en-US'))
  const y = (value: number) => margin.top + plotHeight - (value / top) * plotHeight
  const slot = plotWidth / Math.max(1, points.length)
  const x = (index: number) => margin.left + index * slot
  const firstAt = points.length ? Date.parse(at(points[0]!)) : 0
  const offsetMs = zone === 'utc' || !points.length ? 0 : -new Date(firstAt).getTimezoneOffset() * 60_000
  // Not where the zone's name is written, at the axis's right end.
  const labelled = labelledBuckets(firstAt, points.length, bucket, { offsetMs, most: Math.max(2, Math.floor(width / 120)) })
    .filter((index) => x(index) < width - margin.right - 60)
  const spansDays = points.length > 0 && Date.parse(at(points.at(-1)!)) - firstAt >= 24 * 3_600_000
  const line = (s: ChartSeries<P>) => {
    let path = ''
    let drawing = false
    points.forEach((point, index) => {
      const value = s.value(point)
      if (value === null) return void (drawing = false)
      path += `${drawing ? 'L' : 'M'}${(x(index) + slot / 2).toFixed(1)},${y(value).toFixed(1)}`
      drawing = true
    })
    return path
  }
  return (
    <figure className="time-chart" ref={figure}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="group" aria-label={label}>
        {ticks.map((value) => (
          <g key={value} className="axis">
            <line x1={margin.left} x2={width - margin.right} y1={y(value)} y2={y(value)} stroke="var(--border)" strokeDasharray={value ? '2 3' : undefined} />
            <text x={margin.left - 6} y={y(value) + 4} textAnchor="end">{written(value)}</text>
          </g>
        ))}
        {labelled.map((index) => (
          <g key={index} className="axis">
            <line x1={x(index)} x2={x(index)} y1={margin.top + plotHeight} y2={margin.top + plotHeight + 4} stroke="var(--border)" />
            <text x={x(index)} y={height - 6} textAnchor="middle">{formatAxisTime(new Date(at(points[index]!)), zone, spansDays)}</text>
          </g>
        ))}
        <text className="axis" x={width - margin.right} y={height - 6} textAnchor="end">{zoneName(zone)}</text>
        {series.filter((s) => s.kind === 'bar').map((s) => (
          <g key={s.name} fill={s.color}>
            {points.map((point, index) => {
              const value = s.value(point) ?? 0
              return value > 0 && <rect key={index} x={x(index) + 0.5} y={y(value)} width={Math.max(1, slot - 1)} height={margin.top + plotHeight - y(value)} />
            })}
          </g>
        ))}
        {series.filter((s) => s.kind === 'line').map((s) => (
          <g key={s.name} fill={s.color}>
            <path d={line(s)} fill="none" stroke={s.color} strokeWidth={2} />
            {/* A value alone between empty buckets draws no line: a dot shows it. */}
            {points.map((point, index) => {
              const value = s.value(point)
              const alone = (index === 0 || s.value(points[index - 1]!) === null) && (index === points.length - 1 || s.value(points[index + 1]!) === null)
              return value !== null && alone && <circle key={index} cx={x(index) + slot / 2} cy={y(value)} r={2.5} />
            })}
          </g>
        ))}
        {points.map((point, index) => {
          const words = describe(point)
          const area = <rect x={x(index)} y={margin.top} width={slot} height={plotHeight} fill="transparent" className="bucket"><title>{words}</title></rect>
          return href
            ? <Link key={index} href={href(point)} aria-label={words}>{area}</Link>
            : <g key={index}>{area}</g>
        })}
      </svg>
      <figcaption className="muted row">
        {series.map((s) => <span key={s.name} style={{ color: s.color }}>{s.kind === 'bar' ? '■' : '—'} {s.name}</span>)}
      </figcaption>
    </figure>
  )
}
