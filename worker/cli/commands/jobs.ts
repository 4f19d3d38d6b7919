import { jobStatuses, type Job, type JobStatus } from '../../../lib/queue/job.ts'
import { integer, list, optional, parseJson } from '../args.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema } from '../session.ts'

export default command({
  usage: `manana jobs [filters]
  --status S,S           todo, doing, succeeded, failed, cancelled, aborted
  --queue Q  --task T  --lock L
  --args JSON            jobs whose arguments contain these values, e.g. '{"user_id": 42}'
  --limit N              (default 50)  --after ID  the next page after this id
  --json                 one JSON object per line`,
  summary: 'list jobs, newest first',
  options: {
    status: { type: 'string' },
    queue: { type: 'string' },
    task: { type: 'string' },
    lock: { type: 'string' },
    args: { type: 'string' },
    limit: { type: 'string' },
    after: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const statuses = optional(values.status, list)
    for (const status of statuses ?? []) {
      if (!(jobStatuses as readonly string[]).includes(status)) throw new UsageError(`--status ${status}: expected one of ${jobStatuses.join(', ')}`)
    }
    const app = await appWithSchema()
    const page = await app.jobs.list(
      {
        status: statuses as JobStatus[] | undefined,
        queue: values.queue,
        task: values.task,
        lock: values.lock,
        args: optional(values.args, (text) => parseJson(text, '--args') as Record<string, unknown>),
      },
      { limit: optional(values.limit, (text) => integer(text, '--limit')), after: optional(values.after, (text) => integer(text, '--after')) },
    )
    if (values.json) for (const job of page.jobs) console.log(JSON.stringify(job))
    else printJobs(page.jobs)
    if (page.next !== null && !values.json) console.log(`more: manana jobs --after ${page.next}`)
    return 0
  },
})

function printJobs(jobs: Job[]) {
  if (!jobs.length) return console.log('no jobs')
  const rows = jobs.map((job) => [
    String(job.id),
    job.status + (job.status === 'todo' && job.unfinishedParents ? ` (waiting on ${job.unfinishedParents})` : ''),
    job.task,
    job.queue,
    String(job.attempts),
    job.lock ?? '',
    JSON.stringify(job.args),
  ])
  const header = ['id', 'status', 'task', 'queue', 'attempts', 'lock', 'args']
  // Columns as wide as their widest cell, at most 40 (the last, 80): a longer cell is cut with an
  // ellipsis, so that the columns after it stay aligned.
  const most = (i: number) => (i === header.length - 1 ? 80 : 40)
  const widths = header.map((title, i) => Math.min(most(i), Math.max(title.length, ...rows.map((row) => row[i]!.length))))
  const fit = (cell: string, i: number) => (cell.length > widths[i]! ? `${cell.slice(0, widths[i]! - 1)}…` : cell.padEnd(widths[i]!))
  for (const row of [header, ...rows]) console.log(row.map(fit).join('  ').trimEnd())
}
