'use client'
import Link from 'next/link'
import { useWorkflows } from '../../../components/queries.ts'
import type { JobStatus } from '../../../lib/queue/job.ts'

const order: JobStatus[] = ['succeeded', 'failed', 'cancelled', 'aborted', 'doing', 'todo']

export default function WorkflowsPage() {
  const { data } = useWorkflows()
  return (
    <>
      <h1>Workflows</h1>
      {!data ? <p className="muted">Loading…</p> : data.workflows.length === 0 ? <p className="muted">No workflows yet.</p> : (
        <table aria-label="Workflows">
          <thead><tr><th>Workflow</th><th>Created</th><th>Jobs</th><th>Progress</th><th /></tr></thead>
          <tbody>
            {data.workflows.map((workflow) => (
              <tr key={workflow.id}>
                <td>{workflow.id} · {workflow.name}</td>
                <td>{workflow.createdAt.replace('T', ' ').slice(0, 19)}</td>
                <td>{workflow.total}</td>
                <td>
                  <div className="progress" role="img" aria-label={order.filter((s) => workflow.counts[s]).map((s) => `${workflow.counts[s]} ${s}`).join(', ')}>
                    {order.map((status) => workflow.counts[status] ? (
                      <span key={status} style={{ width: `${(100 * workflow.counts[status]!) / workflow.total}%`, background: `var(--${status})` }} />
                    ) : null)}
                  </div>
                </td>
                <td>{workflow.firstJobId !== null && <Link href={`/jobs/${workflow.firstJobId}/graph`}>Graph</Link>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
