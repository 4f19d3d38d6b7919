import Link from 'next/link'
import type { WorkerSummary } from '../lib/console/overview.ts'
import { Time } from './Time.tsx'

export function WorkerTable({ workers }: { workers: WorkerSummary[] }) {
  if (!workers.length) return <p className="muted">No worker has registered. Start one: <code>npm run worker</code></p>
  return (
    <table aria-label="Workers">
      <thead><tr><th>Worker</th><th>Host</th><th>Queues</th><th>Concurrency</th><th>Last heartbeat</th><th>Running</th></tr></thead>
      <tbody>
        {workers.map((worker) => (
          <tr key={worker.id}>
            <td>{worker.id} {worker.name} {!worker.alive && <span className="error">(stale)</span>}</td>
            <td>{worker.host}</td>
            <td>{worker.queues?.join(', ') ?? 'all'}</td>
            <td>{worker.concurrency}</td>
            <td><Time at={worker.lastHeartbeat} /></td>
            <td>
              {worker.running.slice(0, 8).map((job) => (
                <Link key={job.id} href={`/jobs/${job.id}`} style={{ marginRight: 6 }}>{job.id} {job.task}</Link>
              ))}
              {worker.running.length > 8 && `+${worker.running.length - 8}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
