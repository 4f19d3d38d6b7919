'use client'
import Link from '@/components/Link.tsx'
import { useState } from 'react'
import { useAllowed } from '@/components/actor.tsx'
import { useSchedules } from '@/components/queries.ts'
import { StatusBadge } from '@/components/StatusBadge.tsx'
import { Time } from '@/components/Time.tsx'
import { TimeAgo } from '@/components/TimeAgo.tsx'
import { useAction } from '@/components/mutations.ts'
import { api } from '@/lib/api/client.ts'
import type { ScheduleSummary } from '@/lib/console/schedules.ts'

const nameOf = (schedule: ScheduleSummary) => `${schedule.task}${schedule.periodicId ? ` (${schedule.periodicId})` : ''}`

export default function SchedulesPage() {
  const { data, error } = useSchedules()
  const mayAct = useAllowed('operator')
  const [message, setMessage] = useState<{ text: string; job?: number } | null>(null)
  const { run, error: failure } = useAction()
  const act = (change: () => Promise<{ text: string; job?: number }>) => run(async () => setMessage(await change()))
  return (
    <>
      <h1>Schedules</h1>
      <p className="muted">
        Periodic tasks the workers announced (<code>app.periodic(cron, task)</code>), and those seen only in their ticks (a Python
        worker&apos;s). A paused schedule defers no tick, whoever&apos;s worker reaches it; <strong>Run now</strong> defers one job at once
        (not a tick: the next one comes as planned).
      </p>
      {message && <p className="banner" role="status">{message.text}{message.job !== undefined && <> <Link href={`/jobs/${message.job}`}>Job {message.job}</Link></>}</p>}
      {(failure || error) && <p className="error" role="alert">{failure ?? (error as Error).message}</p>}
      {!data ? <p className="muted">Loading…</p> : data.schedules.length === 0 ? <p className="muted">No schedule: no worker announced a periodic task, and none ticked.</p> : (
        <table aria-label="Schedules">
          <thead><tr><th>Task</th><th>Cron (UTC)</th><th>Queue</th><th>Next tick</th><th>Last tick</th><th>Its job</th><th>State</th>{mayAct && <th><span className="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {data.schedules.map((schedule) => (
              <tr key={`${schedule.task}\u0000${schedule.periodicId}`} aria-label={`Schedule ${nameOf(schedule)}`}>
                <td><Link href={`/tasks/${encodeURIComponent(schedule.task)}`}>{schedule.task}</Link>{schedule.periodicId && <span className="muted"> · {schedule.periodicId}</span>}</td>
                <td>{schedule.cron ? <code>{schedule.cron}</code> : <span className="muted" title="No worker announced it: known by its ticks">—</span>}</td>
                <td>{schedule.queue ?? '—'}</td>
                <td>{schedule.nextTick ? <><Time at={schedule.nextTick} /> <span className="muted">(<TimeAgo at={schedule.nextTick} />)</span></> : <span className="muted">—</span>}</td>
                <td>{schedule.lastTick ? <Time at={schedule.lastTick} /> : <span className="muted">none yet</span>}</td>
                <td>{schedule.lastJob ? <><Link href={`/jobs/${schedule.lastJob.id}`}>{schedule.lastJob.id}</Link> <StatusBadge status={schedule.lastJob.status} /></> : <span className="muted">—</span>}</td>
                <td>{schedule.paused ? <span className="badge cancelled" title={schedule.paused.by ? `paused by ${schedule.paused.by}` : undefined}>paused <TimeAgo at={schedule.paused.at} /></span> : 'active'}</td>
                {mayAct && (
                  <td className="row">
                    {schedule.cron && (
                      <button type="button" onClick={() => act(async () => ({ text: `${nameOf(schedule)}: deferred now.`, job: (await api.runSchedule(schedule.task, schedule.periodicId)).id }))}>
                        Run now
                      </button>
                    )}
                    {schedule.paused
                      ? <button type="button" onClick={() => act(async () => (await api.resumeSchedule(schedule.task, schedule.periodicId), { text: `${nameOf(schedule)} resumed: its next tick will be deferred.` }))}>Resume</button>
                      : <button type="button" onClick={() => act(async () => (await api.pauseSchedule(schedule.task, schedule.periodicId), { text: `${nameOf(schedule)} paused: no worker defers its ticks until it is resumed.` }))}>Pause</button>}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
