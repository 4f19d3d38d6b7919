import type { JobStatus } from '../lib/queue/job.ts'

/** A job's status; a todo job still waiting on parents shows as waiting. */
export function StatusBadge({ status, waiting = false }: { status: JobStatus; waiting?: boolean }) {
  const label = status === 'todo' && waiting ? 'waiting' : status
  return <span className={`badge ${label}`}>{label}</span>
}
