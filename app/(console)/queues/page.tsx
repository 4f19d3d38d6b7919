'use client'
import Link from '@/components/Link.tsx'
import { useAllowed } from '@/components/actor.tsx'
import { useQueues } from '@/components/queries.ts'
import { TimeAgo } from '@/components/TimeAgo.tsx'
import { useAction } from '@/components/mutations.ts'
import { queryKeys } from '@/components/query-keys.ts'
import { api } from '@/lib/api/client.ts'

export default function QueuesPage() {
  const { data } = useQueues()
  const mayAct = useAllowed('operator')
  const { run, error } = useAction({ refreshes: queryKeys.queues })
  const toggle = async (queue: string, paused: boolean) => {
    // Why, for whoever wonders later (the Queues page and the jobs' pages say it); Cancel pauses nothing.
    const reason = paused ? undefined : window.prompt(`Why pause queue ${queue}? (optional, shown to others)`)
    if (reason === null) return
    await run(() => (paused ? api.resumeQueue(queue) : api.pauseQueue(queue, reason?.trim() || undefined)))
  }
  return (
    <>
      <h1>Queues</h1>
      {error && <p className="error" role="alert">{error}</p>}
      {!data ? <p className="muted">Loading…</p> : (
        <table aria-label="Queues">
          <thead><tr><th>Queue</th><th>State</th><th>Ready</th><th>Waiting on parents</th><th>Scheduled</th><th>Doing</th><th>Oldest ready job</th><th>Live workers</th>{mayAct && <th><span className="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {data.queues.map((queue) => (
              <tr key={queue.queue}>
                <td><Link href={`/jobs?queue=${encodeURIComponent(queue.queue)}`}>{queue.queue}</Link></td>
                <td>
                  {queue.pausedAt
                    ? <>
                        <span className="badge cancelled" title={queue.pausedBy ? `paused by ${queue.pausedBy}` : undefined}>paused <TimeAgo at={queue.pausedAt} /></span>
                        {queue.pausedReason && <div className="muted" aria-label={`Why queue ${queue.queue} is paused`}>{queue.pausedReason}</div>}
                      </>
                    : <span className="muted">running</span>}
                </td>
                <td>{queue.ready}</td><td>{queue.waiting}</td><td>{queue.scheduled}</td><td>{queue.doing}</td>
                <td>{queue.oldestReadySince && <>ready since <TimeAgo at={queue.oldestReadySince} /></>}</td>
                <td className={queue.workers === 0 && queue.ready > 0 ? 'error' : undefined}>{queue.workers}</td>
                {mayAct && (
                  <td>
                    <button type="button" onClick={() => toggle(queue.queue, queue.pausedAt !== null)} aria-label={`${queue.pausedAt ? 'Resume' : 'Pause'} queue ${queue.queue}`}>
                      {queue.pausedAt ? 'Resume' : 'Pause'}
                    </button>
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
