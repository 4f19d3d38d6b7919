'use client'
// A workflow's jobs on one time axis: a row per job, its bar split into waiting for parents,
// waiting for its scheduled time, queued, running and waiting to be retried; the critical path outlined and listed
// with each job's share. Live while the workflow runs, zoomable; a click selects the job, as
// in the graph. Only the rows in view are drawn, so 10,000 jobs scroll smoothly.
import { useEffect, useMemo, useRef, useState } from 'react'
import { formatDuration } from '../lib/console/time.ts'
import { isActive, matches, type FindQuery } from '../lib/dag/find.ts'
import { stepAndTask, stepName, taskBeside } from '../lib/dag/step-name.ts'
import { segmentKinds, type Segment, type TimelineJob } from '../lib/dag/timeline.ts'
import { useTimeline } from './queries.ts'
import { QueryError } from './QueryError.tsx'
import { describeSpans, spanNames } from './spans.ts'

const rowHeight = 22
const labelWidth = 230
const zoomSteps = [1, 2, 4, 8, 16, 32, 64]


/** A running span's colour: the job's outcome on its last attempt, failed on earlier ones. */
function segmentColor(job: TimelineJob, segment: Segment, index: number): string {
  if (segment[0] === 'parents') return 'var(--waiting)'
  if (segment[0] === 'scheduled') return 'var(--scheduled)'
  if (segment[0] === 'queued') return 'var(--todo)'
  if (segment[0] === 'retry') return 'var(--failed)'
  const lastRun = job.segments.findLastIndex((s) => s[0] === 'running') === index
  return lastRun ? `var(--${job.end === null ? 'doing' : job.status})` : 'var(--failed)'
}

/** Where the time of one job went, in words. */
function describe(job: TimelineJob): string {
  return `Job ${job.id} ${stepAndTask(job)}, ${job.status}${job.attempts > 1 ? `, ${job.attempts} attempts` : ''}: ${describeSpans(job.segments) || 'nothing yet'}`
}

/** Tick spacing: 1, 2 or 5 × 10^k ms, about every 90 px. */
function tickStep(msPerPx: number): number {
  const target = msPerPx * 90
  const power = 10 ** Math.floor(Math.log10(Math.max(target, 1)))
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= target) ?? 10 * power
}

export function TimelineView({ jobId, selectedId, onSelect, query, focus }: {
  jobId: number
  selectedId: number
  onSelect: (id: number) => void
  /** Only the jobs it matches are shown, when it is active. */
  query: FindQuery
  /** The job to scroll to, each time one is chosen from the find bar. */
  focus: { id: number; seq: number } | null
}) {
  const { data: timeline, error, dataUpdatedAt } = useTimeline(jobId, true)
  const [zoom, setZoom] = useState(1)
  const [scrollTop, setScrollTop] = useState(0)
  const [viewport, setViewport] = useState({ width: 900, height: 500 })
  const scroller = useRef<HTMLDivElement>(null)
  // Measured once the scroller exists (after the first data), then on every resize.
  useEffect(() => {
    const element = scroller.current
    if (!element) return
    const observer = new ResizeObserver(() => setViewport({ width: element.clientWidth, height: element.clientHeight }))
    observer.observe(element)
    return () => observer.disconnect()
  }, [timeline === undefined])

  const all = useMemo(
    () => (timeline?.jobs ?? []).filter((job) => !job.external).sort((a, b) => a.start - b.start || a.id - b.id),
    [timeline],
  )
  const rows = useMemo(() => (isActive(query) ? all.filter((job) => matches(job, query)) : all), [all, query])
  const scrollTo = (id: number) => {
    const index = rows.findIndex((job) => job.id === id)
    if (index >= 0) scroller.current?.scrollTo({ top: Math.max(0, index * rowHeight - viewport.height / 3) })
  }
  useEffect(() => {
    if (focus) scrollTo(focus.id)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus])
  const critical = useMemo(() => new Map((timeline?.criticalPath ?? []).map((step) => [step.id, step.share])), [timeline])
  if (!timeline) return error ? <QueryError error={error} /> : <p className="muted">Loading the timeline…</p>

  const span = Math.max(timeline.end ?? timeline.now, 1)
  const trackWidth = Math.max(viewport.width - labelWidth - 16, 200) * zoom
  const px = (ms: number) => (ms / span) * trackWidth
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - 5)
  const visible = rows.slice(first, first + Math.ceil(viewport.height / rowHeight) + 10)
  const step = tickStep(span / trackWidth)
  const ticks = Array.from({ length: Math.floor(span / step) + 1 }, (_, i) => i * step)
  const path = timeline.criticalPath
  const byId = new Map(all.map((job) => [job.id, job]))
  const jumpTo = (job: TimelineJob | undefined) => {
    if (!job) return
    onSelect(job.id)
    scrollTo(job.id)
  }

  return (
    <div className="timeline">
      {error && <QueryError error={error} readAt={dataUpdatedAt} />}
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <span className="row">
          <button type="button" onClick={() => setZoom((z) => zoomSteps[Math.min(zoomSteps.indexOf(z) + 1, zoomSteps.length - 1)]!)} disabled={zoom === zoomSteps.at(-1)}>Zoom in</button>
          <button type="button" onClick={() => setZoom((z) => zoomSteps[Math.max(zoomSteps.indexOf(z) - 1, 0)]!)} disabled={zoom === 1}>Zoom out</button>
          <span className="muted">{timeline.end === null ? `running for ${formatDuration(timeline.now)}` : `took ${formatDuration(timeline.end)}`}</span>
        </span>
        <span className="row">
          <span className="legend" aria-label="Legend">
            {segmentKinds.map((kind) => (
              <span key={kind}><i className={`swatch ${kind}`} /> {spanNames[kind]}</span>
            ))}
          </span>
        </span>
      </div>
      {path.length > 0 && (
        <p aria-label="Critical path" className="critical-path">
          <strong>Critical path</strong> ({path.length} jobs{timeline.end === null ? ', so far' : ''}):{' '}
          {path.slice(0, 12).map((stepOnPath, i) => (
            <span key={stepOnPath.id}>
              {i > 0 && ' → '}
              <button type="button" className="link" onClick={() => jumpTo(byId.get(stepOnPath.id))}>
                {byId.has(stepOnPath.id) ? stepName(byId.get(stepOnPath.id)!) : stepOnPath.id}
              </button>{' '}
              <span className="muted">{formatDuration(stepOnPath.share)}</span>
            </span>
          ))}
          {path.length > 12 && ` → … ${path.length - 12} more`}
        </p>
      )}
      <div className="timeline-scroller" ref={scroller} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)} aria-label="Workflow timeline">
        <div className="timeline-axis" style={{ width: labelWidth + trackWidth }}>
          {ticks.map((tick) => (
            <span key={tick} style={{ left: labelWidth + px(tick) }}>{formatDuration(tick)}</span>
          ))}
        </div>
        <div role="listbox" aria-label="Jobs by start" style={{ height: rows.length * rowHeight, width: labelWidth + trackWidth, position: 'relative' }}>
          {visible.map((job, i) => {
            const onPath = critical.has(job.id)
            return (
              <div
                key={job.id}
                role="option"
                tabIndex={0}
                aria-label={describe(job) + (onPath ? `; on the critical path (${formatDuration(critical.get(job.id)!)})` : '')}
                aria-selected={job.id === selectedId}
                data-testid={`bar-${job.id}`}
                data-critical={onPath || undefined}
                className={`timeline-row${job.id === selectedId ? ' selected' : ''}${onPath ? ' critical' : ''}`}
                style={{ top: (first + i) * rowHeight, height: rowHeight }}
                onClick={() => onSelect(job.id)}
                onKeyDown={(event) => event.key === 'Enter' && onSelect(job.id)}
                title={describe(job)}
              >
                <span className="timeline-label" style={{ width: labelWidth }}>
                  <strong>{job.id}</strong> {stepName(job)}{taskBeside(job) && <span className="muted"> {taskBeside(job)}</span>}
                </span>
                {job.segments.map((segment, index) => (
                  <span
                    key={index}
                    className={`timeline-bar ${segment[0]}`}
                    style={{ left: labelWidth + px(segment[1]), width: Math.max(px(segment[2] - segment[1]), 1), background: segmentColor(job, segment, index) }}
                  />
                ))}
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
