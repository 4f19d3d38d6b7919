'use client'
// The workers: where each runs (host, pid, version), what it serves and runs now (and has claimed
// ahead), its heartbeat; an operator may ask one to stop gracefully.
import Link from './Link.tsx'
import { api } from '../lib/api/client.ts'
import type { WorkerSummary } from '../lib/console/overview.ts'
import { useAllowed } from './actor.tsx'
import { useAction } from './mutations.ts'
import { queryKeys } from './query-keys.ts'
import { Time } from './Time.tsx'
import { TimeAgo } from './TimeAgo.tsx'

export function WorkerTable({ workers, actions = false }: { workers: WorkerSummary[]; actions?: boolean }) {
  const mayStop = useAllowed('operator') && actions
  if (!workers.length) return <p className="muted">No worker has registered. Start one: <code>npm run worker</code></p>
  return (
    <table aria-label="Workers">
      <thead>
        <tr>
          <th>Worker</th><th>Host</th><th>Version</th><th>Queues</th><th>Concurrency</th><th>Running</th><th>Claimed ahead</th><th>Last heartbeat</th>
          {mayStop && <th><span className="sr-only">Actions</span></th>}
        </tr>
      </thead>
      <tbody>
        {workers.map((worker) => {
          const running = worker.running.filter((job) => !job.claimedAhead)
          const ahead = worker.running.length - running.length
          return (
            <tr key={worker.id} aria-label={`Worker ${worker.id}`}>
              <td>
                {worker.id} {worker.name} {!worker.alive && <span className="error">(stale)</span>}
                {worker.stopRequested && (
                  <div className="muted" role="status">
                    stopping: asked by {worker.stopRequested.by ?? 'someone'} <TimeAgo at={worker.stopRequested.at} />
                  </div>
                )}
                <div className="muted">started <TimeAgo at={worker.startedAt} /></div>
              </td>
              <td>{worker.host}{worker.pid !== null && <span className="muted"> · pid {worker.pid}</span>}</td>
              <td>{worker.version ?? <span className="muted" title="A Python worker, or a Mañana worker of a release before 0.1">—</span>}</td>
              <td>{worker.queues?.join(', ') ?? 'all'}</td>
              <td>{worker.concurrency}</td>
              <td aria-label={`running, worker ${worker.id}`}>
                {running.length === 0 && <span className="muted">none</span>}
                {running.slice(0, 8).map((job) => (
                  <Link key={job.id} href={`/jobs/${job.id}`} style={{ marginRight: 6 }}>{job.id} {job.task}</Link>
                ))}
                {running.length > 8 && `+${running.length - 8}`}
              </td>
              <td aria-label={`claimed ahead, worker ${worker.id}`}>{ahead || <span className="muted">0</span>}</td>
              <td><Time at={worker.lastHeartbeat} /></td>
              {mayStop && <td><StopButton worker={worker} /></td>}
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function StopButton({ worker }: { worker: WorkerSummary }) {
  const { run, error } = useAction({ refreshes: queryKeys.workers })
  if (worker.stopRequested) return null
  if (worker.version === null) return <span className="muted" title="Python workers and Mañana workers before 0.1 do not read stop requests: stop them with SIGTERM">—</span>
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          const jobs = worker.running.length
          if (!window.confirm(`Stop worker ${worker.id} (${worker.name ?? worker.host})? It finishes its ${jobs} running job(s), puts back any claimed ahead, and exits.`)) return
          await run(() => api.stopWorker(worker.id))
        }}
      >
        Stop…
      </button>
      {error && <p className="error" role="alert">{error}</p>}
    </>
  )
}
