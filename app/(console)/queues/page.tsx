'use client'
import { useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useState } from 'react'
import { useAllowed } from '../../../components/actor.tsx'
import { useQueues } from '../../../components/queries.ts'
import { TimeAgo } from '../../../components/TimeAgo.tsx'
import { api, ApiError } from '../../../lib/api/client.ts'

export default function QueuesPage() {
  const { data } = useQueues()
  const mayAct = useAllowed('operator')
  const queryClient = useQueryClient()
  const [error, setError] = useState<string | null>(null)
  const toggle = async (queue: string, paused: boolean) => {
    setError(null)
    // Why, for whoever wonders later (the Queues page and the jobs' pages say it); Cancel pauses nothing.
    const reason = paused ? undefined : window.prompt(`Why pause queue ${queue}? (optional, shown to others)`)
    if (reason === null) return
    try {
      await (paused ? api.resumeQueue(queue) : api.pauseQueue(queue, reason?.trim() || undefined))
      await queryClient.invalidateQueries({ queryKey: ['queues'] })
    } catch (failure) {
      setError(failure instanceof ApiError ? `${failure.code}: ${failure.message}` : String(failure))
    }
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
