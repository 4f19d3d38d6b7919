'use client'
// Above a workflow's graph and timeline: search by id or task, filter by status and task, and
// step through the failed and the running jobs. Choosing a job selects it; the view shows it.
import { useMemo } from 'react'
import { isActive, matches, needsAttention, nextOf, type FindQuery } from '../lib/dag/find.ts'
import { jobStatuses, type JobStatus } from '../lib/queue/job.ts'

type Findable = { id: number; task: string; status: JobStatus }

export function FindBar({ jobs, query, onQuery, selectedId, onJump }: {
  /** In the order stepping goes through them. */
  jobs: Findable[]
  query: FindQuery
  onQuery: (query: FindQuery) => void
  selectedId: number | undefined
  onJump: (id: number) => void
}) {
  const tasks = useMemo(() => [...new Set(jobs.map((job) => job.task))].sort(), [jobs])
  const found = useMemo(() => (isActive(query) ? jobs.filter((job) => matches(job, query)) : []), [jobs, query])
  const failed = useMemo(() => jobs.filter(needsAttention.failed).length, [jobs])
  const running = useMemo(() => jobs.filter(needsAttention.running).length, [jobs])
  const jump = (accept: (job: Findable) => boolean) => {
    const next = nextOf(jobs, selectedId, accept)
    if (next) onJump(next.id)
  }
  return (
    <form
      className="find row"
      role="search"
      aria-label="Find jobs"
      onSubmit={(event) => {
        event.preventDefault()
        jump((job) => matches(job, query))
      }}
    >
      <input
        type="search"
        aria-label="Search by id or task"
        placeholder="Find: id or task"
        value={query.text}
        onChange={(event) => onQuery({ ...query, text: event.target.value })}
      />
      <select aria-label="Status" value={query.status} onChange={(event) => onQuery({ ...query, status: event.target.value as JobStatus | '' })}>
        <option value="">any status</option>
        {jobStatuses.map((status) => <option key={status} value={status}>{status}</option>)}
      </select>
      <select aria-label="Task" value={query.task} onChange={(event) => onQuery({ ...query, task: event.target.value })}>
        <option value="">any task</option>
        {tasks.map((task) => <option key={task} value={task}>{task}</option>)}
      </select>
      {isActive(query) && (
        <>
          <button type="submit" disabled={found.length === 0}>Next match</button>
          <span className="muted" role="status">{found.length} match{found.length === 1 ? '' : 'es'}</span>
        </>
      )}
      {failed > 0 && <button type="button" onClick={() => jump(needsAttention.failed)}>Next failed ({failed})</button>}
      {running > 0 && <button type="button" onClick={() => jump(needsAttention.running)}>Next running ({running})</button>}
    </form>
  )
}
