// How a workflow definition has done across runs (as Airflow's grid): its last runs × its steps,
// each cell a job with its status and its last attempt's run time. Read through the jobs'
// workflow index: the cost grows with the runs shown, not with how many there were.
import { ManaError } from '../queue/errors.ts'
import type { JobStatus, WorkflowStatus } from '../queue/job.ts'
import type { Queryable } from '../queue/queryable.ts'
import { spawnedAs } from '../dag/step-name.ts'

/** How far from done a status is, for the items of one cell: failures first. */
const severity = (status: JobStatus) => ['succeeded', 'todo', 'doing', 'aborting', 'cancelled', 'aborted', 'failed'].indexOf(status)

export interface RunsGrid {
  definition: string
  /** Its steps, by key, in the order of the newest run's jobs (steps of older runs only, after). */
  steps: Array<{ key: string; task: string }>
  /** The last runs, newest first. */
  runs: Array<{
    workflowId: number
    createdAt: string
    status: WorkflowStatus
    /** Each step's job in this run, by step key. */
    cells: Record<string, { jobId: number; status: JobStatus; ranMs: number | null }>
  }>
}

/** At most this many runs are shown. */
export const maxGridRuns = 100

export async function runsGrid(db: Queryable, definition: string, runs = 25): Promise<RunsGrid> {
  const rows = await db.query<{
    workflow_id: string
    created_at: Date
    workflow_status: WorkflowStatus
    job_id: string | null
    step_key: string | null
    task_name: string | null
    status: JobStatus | null
    ran_ms: number | null
  }>(
    `WITH runs AS MATERIALIZED (
       SELECT id, created_at FROM manana_workflows WHERE name = $1 ORDER BY id DESC LIMIT $2
     )
     SELECT runs.id AS workflow_id, runs.created_at, manana_workflow_status(runs.id) AS workflow_status,
            job.id AS job_id, job.step_key, job.task_name, job.status, last.ran_ms
     FROM runs
     LEFT JOIN procrastinate_jobs AS job ON job.workflow_id = runs.id
     LEFT JOIN LATERAL manana_last_attempt(job.id) AS last ON job.id IS NOT NULL
     ORDER BY runs.id DESC, job.id`,
    [definition, Math.min(Math.max(1, runs), maxGridRuns)],
  )
  if (!rows.length) {
    const [announced] = await db.query('SELECT 1 FROM manana_workflow_definitions WHERE name = $1', [definition])
    if (!announced) throw new ManaError('workflow_definition_not_found', `no worker announced a workflow definition named ${definition}, and it has no runs`)
  }
  const steps = new Map<string, string>()
  const byRun = new Map<number, RunsGrid['runs'][number]>()
  for (const row of rows) {
    const workflowId = Number(row.workflow_id)
    let run = byRun.get(workflowId)
    if (!run) {
      run = { workflowId, createdAt: row.created_at.toISOString(), status: row.workflow_status, cells: {} }
      byRun.set(workflowId, run)
    }
    if (row.job_id === null) continue
    // A job deferred into the run by hand has no step key: shown by its task. A map step's items
    // (process[0], process[1], …) are one row, process[*]: each run's cell is its item that went
    // worst (then the slowest), with the slowest item's time.
    const spawned = spawnedAs(row.step_key)
    const key = spawned === null ? (row.step_key ?? row.task_name!) : `${spawned}[*]`
    if (!steps.has(key)) steps.set(key, row.task_name!)
    const cell = run.cells[key]
    const item = { jobId: Number(row.job_id), status: row.status!, ranMs: row.ran_ms }
    if (!cell) run.cells[key] = item
    else if (spawned !== null) {
      const worse = severity(item.status) - severity(cell.status) || (item.ranMs ?? -1) - (cell.ranMs ?? -1)
      const slowest = Math.max(item.ranMs ?? -1, cell.ranMs ?? -1)
      run.cells[key] = { ...(worse > 0 ? item : cell), ranMs: slowest < 0 ? null : slowest }
    }
  }
  // A map step's items come right after the map step (their jobs come after the whole run's).
  const items = (key: string) => `${key}[*]`
  const ordered = [...steps].flatMap(([key, task]) => {
    if (key.endsWith('[*]') && steps.has(key.slice(0, -3))) return []
    const after = steps.get(items(key))
    return after === undefined ? [{ key, task }] : [{ key, task }, { key: items(key), task: after }]
  })
  return { definition, steps: ordered, runs: [...byRun.values()] }
}
