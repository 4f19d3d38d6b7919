'use client'
import Link from 'next/link'
import { useQueues } from '../../../components/queries.ts'

export default function QueuesPage() {
  const { data } = useQueues()
  return (
    <>
      <h1>Queues</h1>
      {!data ? <p className="muted">Loading…</p> : (
        <table aria-label="Queues">
          <thead><tr><th>Queue</th><th>Ready</th><th>Waiting on parents</th><th>Scheduled</th><th>Doing</th><th>Oldest ready job</th><th>Live workers</th></tr></thead>
          <tbody>
            {data.queues.map((queue) => (
              <tr key={queue.queue}>
                <td><Link href={`/jobs?queue=${encodeURIComponent(queue.queue)}`}>{queue.queue}</Link></td>
                <td>{queue.ready}</td><td>{queue.waiting}</td><td>{queue.scheduled}</td><td>{queue.doing}</td>
                <td>{queue.oldestReadyAge === null ? '' : `${Math.round(queue.oldestReadyAge)} s ago`}</td>
                <td className={queue.workers === 0 && queue.ready > 0 ? 'error' : undefined}>{queue.workers}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
