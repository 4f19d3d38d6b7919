'use client'
import Link from './Link.tsx'
import type { JobStatus } from '../lib/queue/job.ts'
import { useStats } from './queries.ts'
import { QueryError } from './QueryError.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import { WorkerTable } from './WorkerTable.tsx'
import { Time } from './Time.tsx'
import { TimeChart } from './TimeChart.tsx'
import { useTimeZone } from './time-zone.tsx'
import { formatTime } from '../lib/console/time.ts'

const statuses: JobStatus[] = ['todo', 'doing', 'succeeded', 'failed', 'cancelled', 'aborted']

export function OverviewView() {
  const { data, error, dataUpdatedAt } = useStats()
  const { zone } = useTimeZone()
  const minuteWords = (minute: string) => formatTime(new Date(minute), zone, { date: false })
  if (!data) return error ? <QueryError error={error} /> : <p className="muted">Loading…</p>
  const queues = [...new Set(data.counts.map((row) => row.queue))]
  const count = (queue: string | null, status: JobStatus) =>
    data.counts.filter((row) => (queue === null || row.queue === queue) && row.status === status).reduce((sum, row) => sum + row.count, 0)
  return (
    <>
      <h1>Overview</h1>
      {error && <QueryError error={error} readAt={dataUpdatedAt} />}
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
          <TimeChart
            label="Jobs succeeded and failed per minute over the last hour"
            points={data.timeline}
            at={(point) => point.minute}
            bucket="minute"
            series={[
              { name: 'succeeded', color: 'var(--succeeded)', kind: 'line', value: (point) => point.succeeded },
              { name: 'failed', color: 'var(--failed)', kind: 'line', value: (point) => point.failed },
            ]}
            describe={(point) => `${minuteWords(point.minute)}: ${point.succeeded} succeeded, ${point.failed} failed`}
            href={(point) => `/jobs?${new URLSearchParams({ rangeOf: 'ended', from: point.minute, to: new Date(Date.parse(point.minute) + 60_000).toISOString() })}`}
          />
        </section>
        <section className="panel">
          <h2 style={{ marginTop: 0 }}>Queue depth (todo jobs), last hour</h2>
          <TimeChart
            label="Todo jobs over the last hour"
            points={data.timeline}
            at={(point) => point.minute}
            bucket="minute"
            series={[{ name: 'todo jobs', color: 'var(--doing)', kind: 'line', value: (point) => point.depth }]}
            describe={(point) => `${minuteWords(point.minute)}: ${point.depth} todo`}
          />
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

