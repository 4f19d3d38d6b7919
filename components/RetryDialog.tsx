'use client'
// The preview of a retry: the jobs that will run again, nearest first, and the button that runs them.
import type { RetryTarget } from '../lib/queue/job-manager.ts'
import { StatusBadge } from './StatusBadge.tsx'

export function RetryDialog({ jobs, what, busy, onRun, onBack }: {
  jobs: RetryTarget[]
  /** What will run again, after "N job(s) will run again". */
  what: string
  busy: boolean
  onRun: () => void
  onBack: () => void
}) {
  return (
    <dialog open aria-label="Retry preview">
      <p>
        <strong>{jobs.length} job(s) will run again</strong>{what}
      </p>
      <ul style={{ maxHeight: 260, overflow: 'auto' }} aria-label="Jobs that will run again">
        {jobs.map((target) => (
          <li key={target.id} style={{ paddingLeft: target.depth * 16 }}>
            {target.id} {target.task} <StatusBadge status={target.status} />
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" className="primary" disabled={busy || jobs.length === 0} onClick={onRun}>
          Run {jobs.length} job(s) again
        </button>
        <button type="button" onClick={onBack}>Back</button>
      </div>
    </dialog>
  )
}
