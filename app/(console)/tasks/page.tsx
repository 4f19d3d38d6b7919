'use client'
import Link from '@/components/Link.tsx'
import { Suspense } from 'react'
import { useTaskActivity } from '@/components/queries.ts'
import { TimeAgo } from '@/components/TimeAgo.tsx'
import { TimeRangePicker, useRangeWords, useTimeRange } from '@/components/TimeRangePicker.tsx'
import type { RunFigures, TaskActivity } from '@/lib/console/task-activity.ts'
import { formatApproximate as approximate } from '@/lib/console/time.ts'
import { rangeParams } from '@/lib/console/time-range.ts'

export default function TasksPage() {
  return (
    <>
      <h1>Tasks</h1>
      <Suspense>
        <TaskTable />
      </Suspense>
    </>
  )
}

function TaskTable() {
  const range = useTimeRange()
  const rangeWords = useRangeWords()
  const { data } = useTaskActivity(new URLSearchParams(rangeParams(range)).toString())
  return (
    <>
      <TimeRangePicker label="Runs ended" />
      <p className="muted">Attempts that ended, by task{rangeWords ? `, ${rangeWords} (counted by the minute for the last two hours, by the hour before, for eight days)` : ''}. Run times are approximate (within 19%).</p>
      {!data ? <p className="muted">Loading…</p> : data.tasks.length === 0 ? <p className="muted">No task announced or run yet.</p> : (
        <table aria-label="Tasks" className="tasks">
          <thead>
            <tr>
              <th rowSpan={2}>Task</th><th rowSpan={2}>Queue</th>
              {rangeWords ? <th colSpan={5}>{rangeWords[0]!.toUpperCase() + rangeWords.slice(1)}</th> : <><th colSpan={5}>Last hour</th><th colSpan={5}>Last day</th></>}
              <th rowSpan={2}>Runs by hour, 24 h</th><th rowSpan={2}>Latest failures</th>
            </tr>
            <tr><FigureHeadings />{!rangeWords && <FigureHeadings />}</tr>
          </thead>
          <tbody>
            {data.tasks.map((task) => (
              <tr key={task.task} aria-label={`Task ${task.task}`}>
                <td><Link href={`/tasks/${encodeURIComponent(task.task)}`}>{task.task}</Link></td>
                <td>{task.queue ?? <span className="muted" title="No live worker announced it">—</span>}</td>
                {task.inRange && rangeWords ? <Figures figures={task.inRange} window={rangeWords} /> : <>
                  <Figures figures={task.lastHour} window="last hour" />
                  <Figures figures={task.lastDay} window="last day" />
                </>}
                <td><HourlyRuns task={task} /></td>
                <td className="failures"><LatestFailures task={task} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%`)

function Figures({ figures, window }: { figures: RunFigures; window: string }) {
  return (
    <>
      <td aria-label={`runs, ${window}`}>{figures.runs.toLocaleString()}</td>
      {/* Of the jobs whose last attempt ended: those that failed for good. Retried attempts apart, not red. */}
      <td aria-label={`failed, ${window}`} className={figures.failures ? 'error' : undefined}>{percent(figures.failures, figures.runs - figures.retried)}</td>
      <td aria-label={`retried, ${window}`} className="muted">{figures.retried ? figures.retried.toLocaleString() : '—'}</td>
      <td aria-label={`p50, ${window}`}>{approximate(figures.p50Ms)}</td>
      <td aria-label={`p95, ${window}`}>{approximate(figures.p95Ms)}</td>
    </>
  )
}
function FigureHeadings() {
  return <><th title="Attempts that ended">Runs</th><th title="Jobs that failed for good, of those whose last attempt ended">Failed</th><th title="Attempts that failed and were retried">Retried</th><th>p50</th><th>p95</th></>
}

const hoursAgo = (hours: number) => (hours === 0 ? 'the last hour' : `${hours}–${hours + 1} h ago`)

/** 24 bars, one per hour, oldest first: runs, their failed part in red. */
function HourlyRuns({ task }: { task: TaskActivity }) {
  const width = 144
  const height = 28
  const bar = width / task.hourly.length
  const max = Math.max(1, ...task.hourly.map((hour) => hour.runs))
  const scale = (runs: number) => (runs === 0 ? 0 : Math.max(1, (runs / max) * height))
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img"
      aria-label={`${task.task}: ${task.lastDay.runs} runs in 24 hours, ${task.lastDay.failures} failed; busiest hour ${max}`}>
      <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} stroke="var(--border)" />
      {task.hourly.map((hour, i) => (
        <g key={i}>
          <title>{`${hoursAgo(task.hourly.length - 1 - i)}: ${hour.runs} runs, ${hour.failures} failed`}</title>
          <rect x={i * bar + 0.5} y={height - scale(hour.runs)} width={bar - 1} height={scale(hour.runs)} fill="var(--succeeded)" />
          <rect x={i * bar + 0.5} y={height - scale(hour.failures)} width={bar - 1} height={scale(hour.failures)} fill="var(--failed)" />
        </g>
      ))}
    </svg>
  )
}

function LatestFailures({ task }: { task: TaskActivity }) {
  if (task.latestFailures.length === 0) return <span className="muted">none recently</span>
  return (
    <ul>
      {task.latestFailures.map((failure) => (
        <li key={`${failure.jobId}-${failure.attempt}`}>
          <Link href={`/jobs/${failure.jobId}`}>#{failure.jobId}</Link>{' '}
          <span className="muted"><TimeAgo at={failure.at} /></span>{' '}
          {failure.message === null
            ? <span className="muted">message hidden from viewers</span>
            : <span className={failure.retried ? 'muted' : 'error'} title={failure.message}>{failure.retried ? `retried: ${failure.message}` : failure.message}</span>}
        </li>
      ))}
    </ul>
  )
}
