'use client'
import Link from './Link.tsx'
import { useAllowed } from './actor.tsx'
import { AuditTable } from './AuditTable.tsx'
import { JobLog } from './JobLog.tsx'
import { useAudit, useJob } from './queries.ts'
import { ActionButtons } from './ActionButtons.tsx'
import type { JobDetail } from '../lib/console/job-detail.ts'
import { exactTime, formatDuration } from '../lib/console/time.ts'
import { useNow } from './clock.ts'
import { describeSpans, spansUntil } from './spans.ts'
import { stepAndTask } from '../lib/dag/step-name.ts'
import { StatusBadge } from './StatusBadge.tsx'
import { Time, TimesIn } from './Time.tsx'
import { useTimeZone } from './time-zone.tsx'

export function JobDetailView({ id }: { id: number }) {
  const { data, error, isLoading, dataUpdatedAt } = useJob(id)
  const mayReadAudit = useAllowed('operator')
  const audit = useAudit(`jobId=${id}`, mayReadAudit)
  if (isLoading) return <p className="muted">Loading job {id}…</p>
  if (error || !data) return <p className="error" role="alert">{(error as Error)?.message ?? 'Not found'}</p>
  const { job, attempts, events, parents, children, childCount, explanation } = data
  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>
          Job {job.id} · {stepAndTask(job)} <StatusBadge status={job.status} waiting={job.unfinishedParents > 0} />
        </h1>
        <Link href={`/jobs/${job.id}/graph`} data-graph-link className="button">Graph (g)</Link>
      </div>
      <section className="why" aria-label="Why is this job not running?">
        <strong>{job.status === 'todo' ? 'Why is this job not running?' : 'State'}</strong>
        <ul>
          {explanation.sentences.map((sentence) => (
            <li key={sentence}><TimesIn text={sentence} /></li>
          ))}
        </ul>
      </section>
      <JobTime time={data.time} answeredAt={dataUpdatedAt} />
      <ActionButtons job={job} />
      <div className="grid" style={{ marginTop: 16 }}>
        <section className="panel" aria-label="Details">
          <h2>Details</h2>
          <div className="muted">
            <div>Queue: <strong>{job.queue}</strong> · Priority {job.priority} · Attempts {job.attempts}</div>
            {job.lock && <div>Lock: {job.lock}</div>}
            {job.queueingLock && <div>Queueing lock: {job.queueingLock}</div>}
            {job.scheduledAt && <div>Scheduled for <Time at={job.scheduledAt} /></div>}
            {job.workflowId !== null && <div>Workflow {job.workflowId}</div>}
          </div>
          {job.valuesHidden && <p className="muted">Arguments and results are hidden from viewers by an admin's setting.</p>}
          <h2>Arguments</h2>
          <pre aria-label="Arguments">{JSON.stringify(job.args, null, 2)}</pre>
          <h2>Result</h2>
          <pre aria-label="Result">{job.result === null ? '—' : JSON.stringify(job.result, null, 2)}</pre>
        </section>
        <section className="panel">
          <h2>Parents ({parents.length})</h2>
          <JobLinks jobs={parents} />
          <h2>Children ({childCount})</h2>
          <JobLinks jobs={children} />
          {childCount > children.length && <p className="muted">and {childCount - children.length} more (see the graph)</p>}
        </section>
      </div>
      <section>
        <h2>{job.status === 'failed' || attempts.length === 0 ? 'Attempts that failed' : 'Attempts that failed and were retried'} ({attempts.length})</h2>
        {attempts.length === 0 && job.status === 'failed' && (
          <p className="muted" role="note">
            No error message was kept for this job: a Python Procrastinate worker keeps none (see that worker&apos;s log), unless its app is
            manana_procrastinate&apos;s <code>App</code>.
          </p>
        )}
        {attempts.map((attempt) => (
          <details key={attempt.attempt} className="panel" open={attempt.attempt === attempts.length}>
            <summary>
              Attempt {attempt.attempt} · <Time at={attempt.at} ms /> · <span className={job.status === 'failed' && attempt.attempt === attempts.at(-1)!.attempt ? 'error' : undefined}>{attempt.message}</span>
            </summary>
            {attempt.stack && <pre>{attempt.stack}</pre>}
          </details>
        ))}
      </section>
      <JobLog jobId={job.id} />
      {mayReadAudit && (
        <section>
          <h2>Audit</h2>
          <AuditTable entries={audit.data?.entries ?? []} label="Audit of this job" />
        </section>
      )}
      <section>
        <h2>Timeline</h2>
        <table aria-label="Events">
          <thead><tr><th>Event</th><th>At</th><th>Worker</th></tr></thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td>{event.type}</td>
                <td>{event.at && <Time at={event.at} ms />}</td>
                <td>{event.workerId ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  )
}

/**
 * When it was deferred and where its time went, on one clock: the server's, moved on by the time
 * since its answer, so that a job still waiting or running shows spans that add up to its age.
 */
function JobTime({ time, answeredAt }: { time: JobDetail['time']; answeredAt: number }) {
  const now = useNow()
  const { zone } = useTimeZone()
  const current = time.end === null ? time.now + Math.max(0, now - answeredAt) : time.now
  const spans = spansUntil(time.spans, time.now, current)
  return (
    <p aria-label="Time" className="muted">
      {time.deferredAt && (time.end === null
        ? <>Deferred <time dateTime={time.deferredAt} title={exactTime(new Date(time.deferredAt), zone)}>{formatDuration(current)} ago</time></>
        : <>Deferred at <Time at={time.deferredAt} /></>)}
      {spans.length > 0 && ` · ${describeSpans(spans)}`}
      {time.end !== null && time.deferredAt && <> · ended after {formatDuration(time.end)}</>}
    </p>
  )
}

function JobLinks({ jobs }: { jobs: Array<{ id: number; task: string; status: import('../lib/queue/job.ts').JobStatus }> }) {
  if (!jobs.length) return <p className="muted">None.</p>
  return (
    <ul>
      {jobs.map((job) => (
        <li key={job.id}>
          <Link href={`/jobs/${job.id}`}>{job.id}</Link> {job.task} <StatusBadge status={job.status} />
        </li>
      ))}
    </ul>
  )
}
