'use client'
// The workflows the workers' apps define, each with its input and how its last runs went.
import Link from './Link.tsx'
import { useState } from 'react'
import { useAllowed } from './actor.tsx'
import { formatDuration } from '../lib/console/time.ts'
import { useWorkflowDefinitions } from './queries.ts'
import { RunWorkflowDialog } from './RunWorkflowDialog.tsx'
import { StatusBadge } from './StatusBadge.tsx'

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null
}

export function WorkflowDefinitions() {
  const { data } = useWorkflowDefinitions()
  const mayRun = useAllowed('operator')
  const [running, setRunning] = useState<string | null>(null)
  if (!data?.definitions.length) return null
  const chosen = data.definitions.find((definition) => definition.name === running)
  return (
    <section aria-label="Definitions">
      <h2>Definitions</h2>
      <table aria-label="Workflow definitions">
        <thead><tr><th>Workflow</th><th>Input</th><th>Last runs</th><th>Succeeded</th><th>Median took</th>{mayRun && <th><span className="sr-only">Run</span></th>}</tr></thead>
        <tbody>
          {data.definitions.map((definition) => {
            const finished = definition.lastRuns.filter((run) => run.endedAt !== null)
            const succeeded = finished.filter((run) => run.status === 'succeeded').length
            const took = median(finished.map((run) => Date.parse(run.endedAt!) - Date.parse(run.createdAt)))
            const fields = Object.keys((definition.inputSchema?.properties as Record<string, unknown> | undefined) ?? {})
            return (
              <tr key={definition.name} aria-label={`Workflow ${definition.name}`}>
                <td>
                  <Link href={`/workflows?name=${encodeURIComponent(definition.name)}`}>{definition.name}</Link>
                  {' '}<Link href={`/workflows/definitions/${encodeURIComponent(definition.name)}`} className="muted" aria-label={`Runs grid of ${definition.name}`}>grid</Link>
                </td>
                <td className="muted">{fields.length ? fields.join(', ') : '—'}</td>
                <td>
                  <span className="row">
                    {definition.lastRuns.length === 0 && <span className="muted">none yet</span>}
                    {definition.lastRuns.map((run) => run.firstJobId === null ? null : (
                      <Link key={run.id} href={`/jobs/${run.firstJobId}/graph`} aria-label={`Run ${run.id}: ${run.status}`}>
                        <StatusBadge status={run.status === 'running' ? 'doing' : run.status} />
                      </Link>
                    ))}
                  </span>
                </td>
                <td>{finished.length ? `${succeeded} of ${finished.length}` : '—'}</td>
                <td>{took === null ? '—' : formatDuration(took)}</td>
                {mayRun && <td><button type="button" onClick={() => setRunning(definition.name)}>Run…</button></td>}
              </tr>
            )
          })}
        </tbody>
      </table>
      <p className="muted">Succeeded and median among each definition's last 10 runs. Also run from a shell with <code>npx manana run NAME &apos;{'{…}'}&apos;</code>, or <code>POST /api/workflows</code>.</p>
      {chosen && <RunWorkflowDialog key={chosen.name} name={chosen.name} inputSchema={chosen.inputSchema} onClose={() => setRunning(null)} />}
    </section>
  )
}
