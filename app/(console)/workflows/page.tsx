'use client'
import Link from 'next/link'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useWorkflows } from '../../../components/queries.ts'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { TimeAgo } from '../../../components/TimeAgo.tsx'
import { formatDuration } from '../../../lib/console/time.ts'
import type { JobStatus } from '../../../lib/queue/job.ts'

const order: JobStatus[] = ['succeeded', 'failed', 'cancelled', 'aborted', 'doing', 'todo']

export default function WorkflowsPage() {
  const params = useSearchParams()
  const router = useRouter()
  const pathname = usePathname()
  const name = params.get('name') ?? ''
  const search = new URLSearchParams([...(name ? [['name', name]] : []), ...(params.get('after') ? [['after', params.get('after')!]] : [])])
  const { data, error } = useWorkflows(search.toString())
  return (
    <>
      <h1>Workflows</h1>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault()
          const typed = String(new FormData(event.currentTarget).get('name') ?? '').trim()
          router.push(typed ? `${pathname}?name=${encodeURIComponent(typed)}` : pathname)
        }}
      >
        <label>Name starts with<input name="name" defaultValue={name} key={name} placeholder="nightly_etl" /></label>
        <button type="submit" className="primary">Filter</button>
      </form>
      {error && <p className="error" role="alert">{(error as Error).message}</p>}
      {!data ? <p className="muted">Loading…</p> : data.workflows.length === 0 ? <p className="muted">No workflows{name ? ` named ${name}…` : ' yet'}.</p> : (
        <table aria-label="Workflows">
          <thead><tr><th>Workflow</th><th>Status</th><th>Started</th><th>Took</th><th>Jobs</th><th>Progress</th><th /></tr></thead>
          <tbody>
            {data.workflows.map((workflow) => (
              <tr key={workflow.id}>
                <td>{workflow.id} · {workflow.name}</td>
                <td><StatusBadge status={workflow.status === 'running' ? 'doing' : workflow.status} /></td>
                <td className="time"><TimeAgo at={workflow.createdAt} /></td>
                <td className="time">
                  {workflow.endedAt
                    ? formatDuration(Date.parse(workflow.endedAt) - Date.parse(workflow.createdAt))
                    : <span className="muted">running <TimeAgo at={workflow.createdAt} since /></span>}
                </td>
                <td>{workflow.total}</td>
                <td>
                  <div className="progress" role="img" aria-label={order.filter((s) => workflow.counts[s]).map((s) => `${workflow.counts[s]} ${s}`).join(', ')}>
                    {order.map((status) => workflow.counts[status] ? (
                      <span key={status} style={{ width: `${(100 * workflow.counts[status]!) / workflow.total}%`, background: `var(--${status})` }} />
                    ) : null)}
                  </div>
                </td>
                <td>
                  {workflow.firstJobId !== null && (
                    <span className="row">
                      <Link href={`/jobs/${workflow.firstJobId}/graph`}>Graph</Link>
                      <Link href={`/jobs/${workflow.firstJobId}/graph?view=timeline`}>Timeline</Link>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.next && <p><Link href={`${pathname}?${new URLSearchParams([...(name ? [['name', name]] : []), ['after', String(data.next)]])}`}>Older »</Link></p>}
    </>
  )
}
