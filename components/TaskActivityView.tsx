'use client'
// One task over time: its runs and failures, and its p50/p95 run times, minute by minute for the
// last hour or two, hour by hour otherwise; each bucket opens the jobs whose attempts ended in it.
import Link from './Link.tsx'
import type { TaskPoint } from '../lib/console/task-activity.ts'
import { formatApproximate as approximate, formatDuration, formatTime } from '../lib/console/time.ts'
import { rangeParams } from '../lib/console/time-range.ts'
import { useTaskSeries } from './queries.ts'
import { QueryError } from './QueryError.tsx'
import { TimeChart } from './TimeChart.tsx'
import { TimeRangePicker, useRangeWords, useTimeRange } from './TimeRangePicker.tsx'
import { useTimeZone } from './time-zone.tsx'

export function TaskActivityView({ task }: { task: string }) {
  const range = useTimeRange()
  const rangeWords = useRangeWords() || 'in the last 24 h'
  const { zone } = useTimeZone()
  const { data, error, dataUpdatedAt } = useTaskSeries(task, new URLSearchParams(rangeParams(range)).toString())
  const bucketMs = data?.bucket === 'minute' ? 60_000 : 3_600_000
  const bucketWords = (point: TaskPoint) => formatTime(new Date(point.at), zone, { date: data?.bucket === 'hour' })
  const runsOf = (point: TaskPoint) =>
    `/jobs?${new URLSearchParams({ task, rangeOf: 'ended', from: point.at, to: new Date(Date.parse(point.at) + bucketMs).toISOString(), order: 'slowest' })}`
  const figures = data?.figures
  return (
    <>
      <h1>Task {task}</h1>
      <div className="row">
        <TimeRangePicker label="Runs ended" anyTime={false} fallback="24h" />
        <Link href={`/jobs?task=${encodeURIComponent(task)}`}>All its jobs</Link>
      </div>
      {error && <QueryError error={error} readAt={data && dataUpdatedAt} />}
      {!data || !figures ? !error && <p className="muted">Loading…</p> : (
        <>
          <p aria-label="Figures">
            {rangeWords[0]!.toUpperCase() + rangeWords.slice(1)}: {figures.runs.toLocaleString('en-US')} run(s), {figures.failures.toLocaleString('en-US')} failed for good,{' '}
            {figures.retried.toLocaleString('en-US')} retried; run time p50 {approximate(figures.p50Ms)}, p95 {approximate(figures.p95Ms)}.{' '}
            <span className="muted">By the {data.bucket}; run times within 19%. A bar or point opens the jobs whose attempts ended then.</span>
          </p>
          <section className="panel">
            <h2 style={{ marginTop: 0 }}>Runs and failures by the {data.bucket}</h2>
            <TimeChart
              label={`Runs and failures of ${task} by the ${data.bucket}`}
              points={data.points}
              at={(point) => point.at}
              bucket={data.bucket}
              series={[
                { name: 'runs', color: 'var(--succeeded)', kind: 'bar', value: (point) => point.runs },
                { name: 'failed for good', color: 'var(--failed)', kind: 'bar', value: (point) => point.failures },
              ]}
              describe={(point) => `${bucketWords(point)}: ${point.runs} run(s), ${point.failures} failed for good, ${point.retried} retried`}
              href={runsOf}
            />
          </section>
          <section className="panel">
            <h2 style={{ marginTop: 0 }}>Run time p50 and p95 by the {data.bucket}</h2>
            <TimeChart
              label={`Run time p50 and p95 of ${task} by the ${data.bucket}`}
              points={data.points}
              at={(point) => point.at}
              bucket={data.bucket}
              series={[
                { name: 'p50', color: 'var(--doing)', kind: 'line', value: (point) => point.p50Ms },
                { name: 'p95', color: 'var(--failed)', kind: 'line', value: (point) => point.p95Ms },
              ]}
              formatValue={(ms) => formatDuration(ms)}
              describe={(point) => `${bucketWords(point)}: p50 ${approximate(point.p50Ms)}, p95 ${approximate(point.p95Ms)} (${point.runs} run(s))`}
              href={runsOf}
            />
          </section>
        </>
      )}
    </>
  )
}
