'use client'
import Link from '@/components/Link.tsx'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useWorkflows } from '@/components/queries.ts'
import { StatusBadge } from '@/components/StatusBadge.tsx'
import { TimeAgo } from '@/components/TimeAgo.tsx'
import { keepRange, TimeRangePicker, useRangeWords } from '@/components/TimeRangePicker.tsx'
import { WorkflowDefinitions } from '@/components/WorkflowDefinitions.tsx'
import { formatDuration } from '@/lib/console/time.ts'
import { workflowStatuses, type JobStatus } from '@/lib/queue/job.ts'

const order: JobStatus[] = ['succeeded', 'failed', 'cancelled', 'aborted', 'doing', 'todo']

export default function WorkflowsPage() {
  const params = useSearchParams()
  const router = useRouter()
  const pathname = usePathname()
  const name = params.get('name') ?? ''
  const status = params.get('status') ?? ''
  /** The filters, and a page's start. */
  const query = (after?: string | null) =>
    keepRange(new URLSearchParams([...(name ? [['name', name]] : []), ...(status ? [['status', status]] : []), ...(after ? [['after', after]] : [])]), params).toString()
  const rangeWords = useRangeWords()
  const { data, error } = useWorkflows(query(params.get('after')))
  return (
    <>
      <h1>Workflows</h1>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault()
          const form = new FormData(event.currentTarget)
          const filters = keepRange(new URLSearchParams(), params)
          for (const field of ['name', 'status']) {
            const value = String(form.get(field) ?? '').trim()
            if (value) filters.set(field, value)
          }
          router.push(filters.size ? `${pathname}?${filters}` : pathname)
        }}
      >
        <label>Name starts with<input name="name" defaultValue={name} key={name} placeholder="nightly_etl" /></label>
        <label>
          Status
          <select name="status" defaultValue={status} key={status}>
            <option value="">any</option>
            {workflowStatuses.map((choice) => <option key={choice} value={choice}>{choice}</option>)}
          </select>
        </label>
        <button type="submit" className="primary">Filter</button>
      </form>
      <TimeRangePicker label="Began" />
      {error && <p className="error" role="alert">{(error as Error).message}</p>}
      {!data ? <p className="muted">Loading…</p> : data.workflows.length === 0 ? <p className="muted">No {status ? `${status} ` : ''}workflows{name ? ` named ${name}…` : ''}{rangeWords ? ` began ${rangeWords}` : name || status ? '' : ' yet'}.</p> : (
        <table aria-label="Workflows">
          <thead><tr><th>Workflow</th><th>Status</th><th>Started</th><th>Took</th><th>Jobs</th><th>Progress</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {data.workflows.map((workflow) => (
              <tr key={workflow.id}>
                <td>
                  {workflow.id} · {workflow.name}
                  {workflow.input && Object.keys(workflow.input).length > 0 && <div className="muted run-input" title="Its input">{JSON.stringify(workflow.input)}</div>}
                </td>
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
      {data?.next && <p><Link href={`${pathname}?${query(String(data.next))}`}>Older »</Link></p>}
      {/* Below the runs, once they are drawn: nothing moves under the reader. */}
      {data && <WorkflowDefinitions />}
    </>
  )
}
