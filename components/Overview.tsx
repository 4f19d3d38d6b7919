'use client'
import Link from 'next/link'
import type { JobStatus } from '../lib/queue/job.ts'
import { useStats } from './queries.ts'
import { StatusBadge } from './StatusBadge.tsx'
import { WorkerTable } from './WorkerTable.tsx'
import { Time } from './Time.tsx'

const statuses: JobStatus[] = ['todo', 'doing', 'succeeded', 'failed', 'cancelled', 'aborted']

export function OverviewView() {
  const { data, error, dataUpdatedAt } = useStats()
  if (error) return <p className="error" role="alert">{(error as Error).message}</p>
  if (!data) return <p className="muted">Loading…</p>
  const queues = [...new Set(data.counts.map((row) => row.queue))]
  const count = (queue: string | null, status: JobStatus) =>
    data.counts.filter((row) => (queue === null || row.queue === queue) && row.status === status).reduce((sum, row) => sum + row.count, 0)
  return (
    <>
      <h1>Overview</h1>
      <p className="muted" style={{ marginTop: -8 }}>
        Counted at <Time at={new Date(dataUpdatedAt - data.ageMs)} />
        {data.stale ? ' · jobs have changed since, counting again…' : ''}
      </p>
      <div className="row" style={{ gap: 16, marginBottom: 16 }} aria-label="Jobs by status">
        {statuses.map((status) => (
          <Link key={status} href={`/jobs?status=${status}`} className="panel" style={{ minWidth: 120 }}>
            <StatusBadge status={status} />
            <div style={{ fontSize: 24, fontWeight: 700, color: 'var(--text)' }}>{count(null, status).toLocaleString()}</div>
          </Link>
        ))}
      </div>
      <div className="grid">
        <section className="panel">
          <h2 style={{ marginTop: 0 }}>Finished per minute, last hour</h2>
          <Chart
            label="Jobs succeeded and failed per minute over the last hour"
            series={[
              { name: 'succeeded', color: 'var(--succeeded)', values: data.timeline.map((t) => t.succeeded) },
              { name: 'failed', color: 'var(--failed)', values: data.timeline.map((t) => t.failed) },
            ]}
          />
        </section>
        <section className="panel">
          <h2 style={{ marginTop: 0 }}>Queue depth (todo jobs), last hour</h2>
          <Chart label="Todo jobs over the last hour" series={[{ name: 'depth', color: 'var(--doing)', values: data.timeline.map((t) => t.depth) }]} />
        </section>
      </div>
      <h2>By queue</h2>
      <table aria-label="Jobs by queue and status">
        <thead><tr><th>Queue</th>{statuses.map((s) => <th key={s}>{s}</th>)}</tr></thead>
        <tbody>
          {queues.map((queue) => (
            <tr key={queue}>
              <td><Link href={`/jobs?queue=${encodeURIComponent(queue)}`}>{queue}</Link></td>
              {statuses.map((status) => <td key={status}>{count(queue, status) || ''}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Recent failures</h2>
      {data.recentFailures.length === 0 ? <p className="muted">None.</p> : (
        <table aria-label="Recent failures">
          <thead><tr><th>Job</th><th>Task</th><th>At</th><th>Error</th></tr></thead>
          <tbody>
            {data.recentFailures.map((failure) => (
              <tr key={`${failure.id}-${failure.at}`}>
                <td><Link href={`/jobs/${failure.id}`}>{failure.id}</Link></td>
                <td>{failure.task}</td>
                <td><Time at={failure.at} /></td>
                <td className="error args">{failure.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Workers</h2>
      <WorkerTable workers={data.workers} />
    </>
  )
}

/** A small line chart in SVG: no chart library for sixty points. */
function Chart({ series, label }: { series: Array<{ name: string; color: string; values: number[] }>; label: string }) {
  const width = 560
  const height = 140
  const max = Math.max(1, ...series.flatMap((s) => s.values))
  const points = (values: number[]) =>
    values.map((value, i) => `${(i / Math.max(1, values.length - 1)) * width},${height - (value / max) * (height - 10)}`).join(' ')
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} role="img" aria-label={label}>
        <line x1={0} y1={height} x2={width} y2={height} stroke="var(--border)" />
        {series.map((s) => <polyline key={s.name} points={points(s.values)} fill="none" stroke={s.color} strokeWidth={2} />)}
      </svg>
      <figcaption className="muted row">
        {series.map((s) => <span key={s.name} style={{ color: s.color }}>■ {s.name}</span>)}
        <span>peak {max.toLocaleString()}</span>
      </figcaption>
    </figure>
  )
}
