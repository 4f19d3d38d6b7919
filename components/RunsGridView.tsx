'use client'
// A workflow definition across its last runs, as Airflow's grid: a row per step, a column per
// run (oldest on the left), each cell its job's status and run time, opening that job.
import Link from './Link.tsx'
import { useState } from 'react'
import { stepAndTask } from '../lib/dag/step-name.ts'
import { formatDuration } from '../lib/console/time.ts'
import type { RunsGrid } from '../lib/console/runs-grid.ts'
import { useRunsGrid } from './queries.ts'
import { StatusBadge } from './StatusBadge.tsx'
import { Time } from './Time.tsx'

const runCounts = [10, 25, 50, 100]

export function RunsGridView({ definition }: { definition: string }) {
  const [runs, setRuns] = useState(25)
  const { data, error } = useRunsGrid(definition, runs)
  return (
    <>
      <h1>Workflow {definition}: its last runs</h1>
      <div className="row">
        <label>
          Runs
          <select value={runs} onChange={(event) => setRuns(Number(event.target.value))}>
            {runCounts.map((count) => <option key={count} value={count}>{count}</option>)}
          </select>
        </label>
        <Link href={`/workflows?name=${encodeURIComponent(definition)}`}>Its runs in the list</Link>
      </div>
      {error && <p className="error" role="alert">{(error as Error).message}</p>}
      {!data ? !error && <p className="muted">Loading…</p> : data.runs.length === 0 ? <p className="muted">No run yet.</p> : <Grid grid={data} />}
    </>
  )
}

function Grid({ grid }: { grid: RunsGrid }) {
  const runs = [...grid.runs].reverse() // oldest on the left, as time reads
  return (
    <div className="runs-grid">
      <table aria-label={`Runs of ${grid.definition} by step`}>
        <thead>
          <tr>
            <th>Step</th>
            {runs.map((run) => (
              <th key={run.workflowId} scope="col" className="run">
                {/* The run's graph, from any of its jobs (none left: deleted as old). */}
                {Object.values(run.cells)[0]
                  ? <Link href={`/jobs/${Object.values(run.cells)[0]!.jobId}/graph`} title={`Run ${run.workflowId}: ${run.status}`} aria-label={`Run ${run.workflowId}: ${run.status}, its graph`}>
                      <StatusBadge status={run.status === 'running' ? 'doing' : run.status} />
                    </Link>
                  : <StatusBadge status={run.status === 'running' ? 'doing' : run.status} />}
                <div className="muted"><Time at={run.createdAt} date={false} /></div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.steps.map((step) => (
            <tr key={step.key}>
              <th scope="row">{stepAndTask({ step: step.key, task: step.task })}</th>
              {runs.map((run) => {
                const cell = run.cells[step.key]
                if (!cell) return <td key={run.workflowId} className="cell none" aria-label={`run ${run.workflowId}: no ${step.key}`} />
                const words = `${step.key}, run ${run.workflowId}: ${cell.status}${cell.ranMs === null ? '' : `, ran ${formatDuration(cell.ranMs)}`}`
                return (
                  <td key={run.workflowId} className="cell">
                    <Link href={`/jobs/${cell.jobId}`} aria-label={words} title={words} className={`cell-link ${cell.status}`}>
                      {cell.ranMs === null ? cell.status : formatDuration(cell.ranMs)}
                    </Link>
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
