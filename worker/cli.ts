#!/usr/bin/env node
// The `manana` command line. Exit codes: 0 done, 1 the operation failed (the error's code is
// printed), 2 the command line itself was wrong.
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type pg from 'pg'
import { trustedProxies } from '../lib/api/client-address.ts'
import { listTokens } from '../lib/auth/api-tokens.ts'
import { isRole, roles, type Role } from '../lib/auth/roles.ts'
import { ensureFirstAdmin, firstAdminNotice, listUsers } from '../lib/auth/users.ts'
import { firstAdminRecord } from '../lib/console/log.ts'
import { addApiToken, addConsoleUser, changePassword, markJobSucceeded, pauseQueue, pruneOldJobs, removeConsoleUser, resumeQueue, revokeApiToken, runWorkflowDefinition } from '../lib/console/actions.ts'
import { openDatabase, type Database } from '../lib/db/database.ts'
import { migrateDatabase } from '../lib/db/migrate.ts'
import { checkSchema } from '../lib/db/schema-check.ts'
import { deferAsAnnounced, deferWorkflowAsAnnounced } from '../lib/queue/announced-tasks.ts'
import { createApp, isApp, type App } from '../lib/queue/app.ts'
import type { Workflow } from '../lib/queue/defer.ts'
import { isManaError } from '../lib/queue/errors.ts'
import { fromPg } from '../lib/queue/queryable.ts'
import { jobStatuses, type Job, type JobStatus } from '../lib/queue/job.ts'
import { findConsole, startConsole } from './console-server.ts'
import { deferDemoWorkflows } from './demo/workflow.ts'
import { lineLogger, logFormatFrom, type LogFormat } from '../lib/observe/log.ts'
import { Worker } from './worker.ts'

class UsageError extends Error {}

interface Command {
  usage: string
  summary: string
  options: NonNullable<ParseArgsConfig['options']>
  positionals?: number
  run(values: Record<string, any>, positionals: string[]): Promise<number>
}

const workerOptions = {
  app: { type: 'string' },
  queues: { type: 'string' },
  concurrency: { type: 'string' },
  'claim-ahead': { type: 'string' },
  'poll-interval': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  once: { type: 'boolean' },
  name: { type: 'string' },
  'health-port': { type: 'string' },
  'health-host': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'pool-size': { type: 'string' },
  'direct-url': { type: 'string' },
} as const

const workerHelp = `  --app MODULE           the module whose export \`app\` (or default export) holds the tasks
                         (.ts, .mts, .js, .mjs or .cjs, relative to the working directory)
  --queues A,B           queues to take jobs from (default: all)
  --concurrency N        jobs run at once (default 10)
  --claim-ahead N        most jobs claimed ahead of free slots, for quick tasks (default 1000; 0: none)
  --poll-interval S      seconds between fetches when nothing is notified (default 5)
  --shutdown-grace S     seconds running jobs get on SIGINT/SIGTERM before they are put back (default 30)
  --once                 exit once nothing is ready and nothing runs
  --name NAME            this worker's name (default host-pid)
  --health-port N        serve GET /live and GET /ready on this port (default: none)
  --health-host ADDRESS  the address it listens on (default 0.0.0.0, every IPv4 address, as a container
                         platform's probes need; 127.0.0.1 keeps it to this machine)
  --metrics-port N       serve GET /metrics (Prometheus) on this port (default: none)
  --metrics-host ADDRESS the address it listens on (default 0.0.0.0, as --health-host)
  --pool-size N          most pooled connections (default: MANANA_POOL_SIZE, else concurrency + 1, at most 10);
                         one more connection listens and holds the worker's liveness lock
  --direct-url URL       a connection to the database itself for that session, when DATABASE_URL goes
                         through a pooler in transaction mode (default: MANANA_DIRECT_URL)`

const logOptions = { 'log-format': { type: 'string' } } as const
const logHelp = `  --log-format F         text (default) or json: one object per line (default: MANANA_LOG_FORMAT)`

const consoleOptions = { port: { type: 'string' }, host: { type: 'string' } } as const
const consoleHelp = `  --port N               the console's port (default: PORT, or 3000)
  --host ADDRESS         the address it listens on (default: HOST, or 127.0.0.1; 0.0.0.0 for all)`

const commands: Record<string, Command> = {
  worker: {
    usage: `manana worker --app MODULE [options]\n${workerHelp}\n${logHelp}\n  --migrate              apply pending migrations first (otherwise a schema behind this version is refused)`,
    summary: 'run the jobs of your app',
    options: { ...workerOptions, ...logOptions, migrate: { type: 'boolean' } },
    async run(values) {
      if (!values.app) throw new UsageError('--app is required: the module that exports your app')
      const app = await loadApp(values.app)
      await useDatabase({ migrate: values.migrate ?? false })
      return runWorker(app, values) // which checks the schema
    },
  },

  console: {
    usage: `manana console [--port 3000] [--host 127.0.0.1]\n${consoleHelp}\n${logHelp}`,
    summary: 'serve the console (prebuilt) on the database in use; runs no worker',
    options: { ...consoleOptions, ...logOptions },
    async run(values) {
      const { url } = await useDatabase({ migrate: false })
      const { server } = await serveConsole(url, values)
      return runUntilStopped(server)
    },
  },

  start: {
    usage: `manana start [worker options] [--port 3000] [--host 127.0.0.1]\n${workerHelp}\n  (--app defaults to the demo)\n${consoleHelp}\n${logHelp}`,
    summary: 'the demo: database, migrations, the console and a worker; defers the demo workflow on a database with no jobs',
    options: { ...workerOptions, ...consoleOptions, ...logOptions },
    async run(values) {
      const demo = values.app ? undefined : await import('./demo/app.ts')
      const app = demo?.app ?? (await loadApp(values.app!))
      const database = await useDatabase({ migrate: true })
      const firstRun = (await app.jobs.list({}, { limit: 1 })).jobs.length === 0
      if (!values.app) await claimForTheDemo(app, database.embedded, firstRun)
      const { address } = await serveConsole(database.url, values)
      if (demo) {
        if (firstRun) {
          const deferred = await deferDemoWorkflows()
          console.log(`first run: the demo workflow is deferred; watch it at ${address}/jobs/${deferred.pipeline.download}/graph`)
        }
        demo.keepTheDemoMoving(demo.app)
        console.log(`the demo defers a new workflow every 30 s: ${address}/workflows`)
      }
      return runWorker(app, values)
    },
  },

  migrate: {
    usage: 'manana migrate',
    summary: 'apply pending migrations; adopts a Python Procrastinate 3.4–3.9 database in place',
    options: {},
    async run() {
      const { url } = await useDatabase({ migrate: false })
      const report = await migrateDatabase(url, { log: console.log })
      if (report.adopted) {
        const rows = Object.entries(report.adopted).map(([table, count]) => `${count} ${table.replace('procrastinate_', '')}`)
        console.log(`adopted the Procrastinate database, keeping ${rows.join(', ')}`)
      }
      console.log(report.applied.length ? `${report.applied.length} migration(s) applied to ${redact(url)}` : `${redact(url)} is up to date`)
      return 0
    },
  },

  defer: {
    usage: `manana defer TASK ['{"json": "arguments"}'] [options]
  --depends-on ID,ID     parent job ids: the job runs once all of them have finished
  --queue Q              the queue (default: the task's)
  --priority N           higher runs first (default: the task's, or 0)
  --lock L               at most one job of a lock runs at a time
  --queueing-lock L      at most one job of a queueing lock waits at a time
  --at TIME              run at or after this ISO 8601 time
  --in SECONDS           run after this many seconds
  --allow-unknown-task   defer a task no worker announced (a Python worker's)
Queue, priority and locks default to what the task's workers announced.`,
    summary: 'defer a job; prints its id',
    options: {
      'depends-on': { type: 'string' },
      queue: { type: 'string' },
      priority: { type: 'string' },
      lock: { type: 'string' },
      'queueing-lock': { type: 'string' },
      at: { type: 'string' },
      in: { type: 'string' },
      'allow-unknown-task': { type: 'boolean' },
    },
    positionals: 2,
    async run(values, [task, json = '{}']) {
      if (!task) throw new UsageError('which task? manana defer TASK [JSON]')
      const args = parseJson(json, 'the arguments')
      if (values.at !== undefined && Number.isNaN(Date.parse(values.at))) {
        throw new UsageError(`--at ${values.at} is not an ISO 8601 time such as 2026-01-31T14:05:00Z`)
      }
      const app = await appWithSchema()
      const [id] = await deferAsAnnounced(
        fromPg(await app.pool()),
        [
          {
          task,
          args: args as Record<string, unknown>,
          dependsOn: values['depends-on'] === undefined ? undefined : idList(values['depends-on'], '--depends-on'),
          queue: values.queue,
          priority: values.priority === undefined ? undefined : integer(values.priority, '--priority'),
          lock: values.lock,
          queueingLock: values['queueing-lock'],
          scheduledAt: values.at,
          scheduleIn: values.in === undefined ? undefined : number(values.in, '--in'),
          },
        ],
        { allowUnknownTask: values['allow-unknown-task'] },
      )
      console.log(id)
      return 0
    },
  },

  workflow: {
    usage: `manana workflow '{"KEY": {"task": "T", "args": {…}, "dependsOn": ["OTHER_KEY", 123]}, …}' [options]
  (or - to read the JSON from standard input)
  --name NAME            the workflow's name in the console (default: its first key)
  --allow-unknown-task   defer tasks no worker announced (a Python worker's)
Each job takes the options \`defer\` takes (queue, priority, lock, queueingLock, scheduledAt,
scheduleIn); dependsOn names keys of this workflow or ids of existing jobs. All or nothing.`,
    summary: 'defer a workflow of jobs that depend on each other, atomically; prints their ids as JSON',
    options: { name: { type: 'string' }, 'allow-unknown-task': { type: 'boolean' } },
    positionals: 1,
    async run(values, [json]) {
      if (json === undefined) throw new UsageError(`which jobs? manana workflow '{"KEY": {"task": "T"}}' (or - for standard input)`)
      const workflow = parseJson(json === '-' ? fs.readFileSync(0, 'utf8') : json, 'the workflow')
      if (typeof workflow !== 'object' || workflow === null || Array.isArray(workflow)) {
        throw new UsageError('the workflow must be a JSON object of jobs by key: {"KEY": {"task": "T"}}')
      }
      const app = await appWithSchema()
      const ids = await deferWorkflowAsAnnounced(fromPg(await app.pool()), workflow as Workflow, {
        name: values.name,
        allowUnknownTask: values['allow-unknown-task'],
      })
      console.log(JSON.stringify(ids))
      return 0
    },
  },

  run: {
    usage: `manana run WORKFLOW ['{"json": "input"}'] [--app MODULE]
  --app MODULE           defer it here, from the module whose app defines it (app.workflow(WORKFLOW, …));
                         without it, a running worker that defines it defers it (audited as cli:$USER),
                         if one answers within 10 s; Ctrl-C withdraws the request
Checks the input with the definition's schema, defers every step atomically in a new workflow
that records the input, and prints the ids of its steps' jobs (with --app: of the steps the
definition returns), as JSON.`,
    summary: 'run a workflow your app defines, with its input',
    options: { app: { type: 'string' } },
    positionals: 2,
    async run(values, [name, json = '{}']) {
      if (!name) throw new UsageError('which workflow? manana run WORKFLOW [JSON] [--app MODULE]')
      const input = parseJson(json, 'the input')
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new UsageError('the input must be a JSON object')
      if (!values.app) {
        const app = await appWithSchema()
        // Ctrl-C withdraws the request: no worker defers it later.
        const interrupted = new AbortController()
        process.once('SIGINT', () => interrupted.abort())
        console.log(JSON.stringify(await runWorkflowDefinition(cliActor(await app.pool()), name, input as Record<string, unknown>, { signal: interrupted.signal })))
        return 0
      }
      const app = await loadApp(values.app)
      const definition = app.workflows.get(name)
      if (!definition) {
        throw new UsageError(`${values.app} defines no workflow ${name}; it defines: ${[...app.workflows.keys()].join(', ') || 'none'}`)
      }
      await useDatabase({ migrate: false })
      await checkSchema(fromPg(await app.pool()))
      console.log(JSON.stringify(await definition.defer(input as Record<string, unknown>)))
      return 0
    },
  },

  jobs: {
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
      const statuses = values.status?.split(',').map((s: string) => s.trim())
      for (const status of statuses ?? []) {
        if (!jobStatuses.includes(status)) throw new UsageError(`--status ${status}: expected one of ${jobStatuses.join(', ')}`)
      }
      const app = await appWithSchema()
      const page = await app.jobs.list(
        {
          status: statuses as JobStatus[] | undefined,
          queue: values.queue,
          task: values.task,
          lock: values.lock,
          args: values.args === undefined ? undefined : (parseJson(values.args, '--args') as Record<string, unknown>),
        },
        {
          limit: values.limit === undefined ? undefined : integer(values.limit, '--limit'),
          after: values.after === undefined ? undefined : integer(values.after, '--after'),
        },
      )
      if (values.json) for (const job of page.jobs) console.log(JSON.stringify(job))
      else printJobs(page.jobs)
      if (page.next !== null && !values.json) console.log(`more: manana jobs --after ${page.next}`)
      return 0
    },
  },

  retry: {
    usage: `manana retry ID [--downstream] [--dry-run]
  --downstream           also re-run every finished job that depends on it, directly or not
  --dry-run              only list the jobs that would run again`,
    summary: 'run a finished job again',
    options: { downstream: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    positionals: 1,
    async run(values, [id]) {
      const jobId = integer(id, 'ID')
      const app = await appWithSchema()
      const options = { downstream: values.downstream ?? false }
      const targets = await app.jobs.retryPreview(jobId, options)
      for (const target of targets) console.log(`${'  '.repeat(target.depth)}${target.id} ${target.task} (${target.status})`)
      if (values['dry-run']) {
        console.log(`would run ${targets.length} job(s) again`)
        return 0
      }
      const retried = await app.jobs.retry(jobId, options)
      console.log(`${retried.length} job(s) will run again`)
      return 0
    },
  },

  'mark-succeeded': {
    usage: `manana mark-succeeded ID [--result JSON]
  --result JSON          the result its children read (default null)`,
    summary: 'mark a job that failed, was aborted or cancelled as succeeded: what its failure cancelled runs again (audited)',
    options: { result: { type: 'string' } },
    positionals: 1,
    async run(values, [id]) {
      const jobId = integer(id, 'ID')
      const result = values.result === undefined ? null : parseJson(values.result, '--result')
      const app = await appWithSchema()
      const reopened = await markJobSucceeded(cliActor(await app.pool()), jobId, result)
      console.log(`job ${jobId} is succeeded${reopened.length ? `; running again for it: ${reopened.join(', ')}` : ''}`)
      return 0
    },
  },

  cancel: jobAction('cancel', 'cancel a todo job (its children then run, and see it cancelled)', (app, id) => app.jobs.cancel(id)),
  abort: jobAction('abort', 'cancel a todo job, or ask the worker running a doing job to stop it', (app, id) => app.jobs.abort(id)),
  delete: jobAction('delete', 'delete a finished or waiting job that no unfinished child needs', (app, id) => app.jobs.delete(id)),
  pause: {
    usage: `manana pause QUEUE [--reason TEXT] [--force]
  --reason TEXT          why, shown on the Queues page and on its jobs' pages (at most 500 characters)
  --force                pause a queue that no job, task or worker knows yet (otherwise refused: a typo?)`,
    summary: 'pause a queue: no worker (Python workers included) starts its jobs until it is resumed',
    options: { force: { type: 'boolean' }, reason: { type: 'string' } },
    positionals: 1,
    run: (values, [queue]) => queueAction('pause', queue, (who, name) => pauseQueue(who, name, { force: values.force, reason: values.reason })),
  },
  resume: {
    usage: 'manana resume QUEUE',
    summary: 'resume a paused queue and wake its workers',
    options: {},
    positionals: 1,
    run: (_values, [queue]) => queueAction('resume', queue, resumeQueue),
  },

  user: {
    usage: `manana user add NAME [--role viewer|operator|admin] [--password-stdin]
       manana user passwd NAME [--password-stdin]
       manana user remove NAME
       manana user list
  --role R               the new user's role (default viewer)
  --password-stdin       read the password from the first line of standard input; without it a
                         one-time password is generated, printed, and must be changed at sign-in`,
    summary: "manage the console's users (each change is in the audit log, by cli:$USER)",
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    positionals: 2,
    async run(values, [verb, username]) {
      if (verb !== 'list' && !username) throw new UsageError('NAME is required')
      if (values.role !== undefined && !isRole(values.role)) throw new UsageError(`--role is one of ${roles.join(', ')}`)
      const app = await appWithSchema()
      const who = cliActor(await app.pool())
      const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined
      const printPassword = (generated: string) =>
        password === undefined && console.log(`one-time password for ${username}: ${generated}\n(to be changed at the first sign-in)`)
      if (verb === 'add') {
        const { user, password: generated } = await addConsoleUser(who, username!, values.role ?? 'viewer', password)
        console.log(`added ${user.username} (${user.role})`)
        printPassword(generated)
      } else if (verb === 'passwd') {
        const { password: generated } = await changePassword(who, username!, password)
        console.log(`password of ${username} changed; their sessions have ended`)
        printPassword(generated)
      } else if (verb === 'remove') {
        await removeConsoleUser(who, username!)
        console.log(`removed ${username}`)
      } else if (verb === 'list') {
        for (const user of await listUsers(fromPg(who.pool))) {
          console.log(`${user.username.padEnd(24)} ${user.role.padEnd(9)} ${user.mustChangePassword ? 'must change password' : ''}`)
        }
      } else throw new UsageError(`unknown: user ${verb ?? ''}; use add, passwd, remove or list`)
      return 0
    },
  },

  token: {
    usage: `manana token create NAME [--role viewer|operator|admin]
       manana token list
       manana token revoke ID
  --role R               what the token may do (default viewer)`,
    summary: 'API tokens for the REST API (Authorization: Bearer …); each change is in the audit log',
    options: { role: { type: 'string' } },
    positionals: 2,
    async run(values, [verb, name]) {
      if (values.role !== undefined && !isRole(values.role)) throw new UsageError(`--role is one of ${roles.join(', ')}`)
      if ((verb === 'create' || verb === 'revoke') && !name) throw new UsageError(verb === 'create' ? 'NAME is required' : 'ID is required')
      const app = await appWithSchema()
      const pool = await app.pool()
      if (verb === 'create') {
        const { token, apiToken } = await addApiToken(cliActor(pool), name!, (values.role ?? 'viewer') as Role)
        console.log(`token ${apiToken.id} "${apiToken.name}" (${apiToken.role}), shown this once:\n${token}`)
      } else if (verb === 'list') {
        for (const token of await listTokens(fromPg(pool))) {
          const state = token.revokedAt ? `revoked ${token.revokedAt.toISOString()}` : `last used ${token.lastUsedAt?.toISOString() ?? 'never'}`
          console.log(`${String(token.id).padEnd(6)} ${token.name.padEnd(24)} ${token.role.padEnd(9)} ${state}`)
        }
      } else if (verb === 'revoke') {
        const revoked = await revokeApiToken(cliActor(pool), integer(name, 'ID'))
        console.log(`token ${revoked.id} "${revoked.name}" is revoked`)
      } else throw new UsageError(`unknown: token ${verb ?? ''}; use create, list or revoke`)
      return 0
    },
  },

  prune: {
    usage: `manana prune --older-than AGE [options]
  --older-than AGE       jobs that ended longer ago than this: 7d, 12h, 30m, 45s, 2w (required)
  --status S,S           which finished jobs: succeeded, failed, cancelled, aborted (default: all four)
  --queue Q              only this queue's
  --batch N              jobs looked at per transaction (default 10000)
  --dry-run              count them; delete nothing
Deletes in batches, each its own transaction, with their dependencies, events, errors and logs;
never a job an unfinished child still needs. Audited as cli:$USER.`,
    summary: 'delete old finished jobs, batch by batch',
    options: { 'older-than': { type: 'string' }, status: { type: 'string' }, queue: { type: 'string' }, batch: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(values) {
      if (values['older-than'] === undefined) throw new UsageError('--older-than is required: manana prune --older-than 7d')
      const app = await appWithSchema()
      const dryRun = values['dry-run'] ?? false
      const deleted = await pruneOldJobs(cliActor(await app.pool()), {
        olderThan: values['older-than'],
        statuses: values.status?.split(',').map((status: string) => status.trim()),
        queue: values.queue,
        batch: values.batch === undefined ? undefined : integerFrom(1, values.batch, '--batch'),
        dryRun,
      })
      console.log(dryRun ? `${deleted} job(s) would be deleted` : `deleted ${deleted} job(s)`)
      return 0
    },
  },

  healthcheck: {
    usage: 'manana healthcheck',
    summary: 'check the database, its schema and the workers; exit 1 when unhealthy',
    options: {},
    async run() {
      const { url } = await useDatabase({ migrate: false })
      const pool = await (await openApp(url)).pool()
      try {
        await checkSchema(fromPg(pool))
      } catch (error) {
        if (!isManaError(error)) throw error
        console.log(`database ${redact(url)}: reachable, but ${error.code}: ${error.message}`)
        return 1
      }
      const workers = await pool.query(
        `SELECT count(*) FILTER (WHERE last_heartbeat > now() - interval '30 seconds')::int AS alive, count(*)::int AS all
         FROM procrastinate_workers`,
      )
      const ready = await pool.query(`SELECT count(*)::int AS n FROM procrastinate_jobs WHERE status = 'todo' AND unfinished_parents = 0`)
      console.log(`database ${redact(url)}: ok`)
      console.log(`workers: ${workers.rows[0].alive} alive, ${workers.rows[0].all - workers.rows[0].alive} stale`)
      console.log(`jobs ready to run: ${ready.rows[0].n}`)
      return 0
    },
  },
}

function jobAction(name: string, summary: string, act: (app: App, id: number) => Promise<void>): Command {
  return {
    usage: `manana ${name} ID`,
    summary,
    options: {},
    positionals: 1,
    async run(_values, [id]) {
      const jobId = integer(id, 'ID')
      const app = await appWithSchema()
      await act(app, jobId)
      const job = await app.jobs.get(jobId)
      console.log(job ? `job ${jobId} is ${job.status}${job.abortRequested ? ' (abort requested)' : ''}` : `job ${jobId} deleted`)
      return 0
    },
  }
}

/** Pauses or resumes a queue, in the audit log by cli:$USER. */
async function queueAction(name: 'pause' | 'resume', queue: string | undefined, act: typeof resumeQueue): Promise<number> {
  if (!queue) throw new UsageError(`which queue? manana ${name} QUEUE`)
  const app = await appWithSchema()
  const changed = await act(cliActor(await app.pool()), queue)
  const [done, unchanged] = name === 'pause' ? ['is paused', 'was paused already'] : ['is resumed', 'was not paused']
  console.log(`queue ${queue} ${changed ? done : unchanged}`)
  return 0
}

async function runWorker(app: App, values: Record<string, any>): Promise<number> {
  if (values['direct-url'] !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(values['direct-url'])) throw new UsageError("--direct-url must be a postgresql:// URL")
    process.env.MANANA_DIRECT_URL = values['direct-url'] // the app's sessions read it
  }
  const worker = new Worker(app, {
    queues: values.queues?.split(',').map((queue: string) => queue.trim()).filter(Boolean),
    concurrency: values.concurrency === undefined ? undefined : integerFrom(1, values.concurrency, '--concurrency'),
    claimAhead: values['claim-ahead'] === undefined ? undefined : integerFrom(0, values['claim-ahead'], '--claim-ahead'),
    pollInterval: values['poll-interval'] === undefined ? undefined : number(values['poll-interval'], '--poll-interval'),
    shutdownGrace: values['shutdown-grace'] === undefined ? undefined : number(values['shutdown-grace'], '--shutdown-grace'),
    once: values.once,
    name: values.name,
    heartbeatInterval: envNumber('MANANA_HEARTBEAT_INTERVAL'),
    staleAfter: envNumber('MANANA_STALE_AFTER'),
    healthPort: values['health-port'] === undefined ? undefined : portFrom(values['health-port'], '--health-port'),
    metricsPort: values['metrics-port'] === undefined ? undefined : portFrom(values['metrics-port'], '--metrics-port'),
    healthHost: values['health-host'],
    metricsHost: values['metrics-host'],
    poolSize: values['pool-size'] !== undefined ? integerFrom(1, values['pool-size'], '--pool-size') : process.env.MANANA_POOL_SIZE ? integerFrom(1, process.env.MANANA_POOL_SIZE, 'MANANA_POOL_SIZE') : undefined,
    logFormat: logFormatOf(values['log-format']),
  })
  let signals = 0
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(130) // a second Ctrl-C: stop now
    console.log(`${signal}: finishing running jobs (Ctrl-C again to stop at once)`)
    worker.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  await worker.run()
  return 0
}

/** What this run opened, closed (newest first) before the process exits. */
const openedResources: Array<() => Promise<void>> = []

/**
 * Opens the database in use (DATABASE_URL, or embedded PostgreSQL under ./.manana, stopped when
 * this command ends), points this process and the app it loaded at it, and migrates it or checks
 * that its schema is current.
 */
async function useDatabase({ migrate }: { migrate: boolean }): Promise<Database> {
  const database = await openDatabase({ migrate, log: console.log })
  openedResources.push(() => database.stop())
  process.env.DATABASE_URL = database.url
  return database
}

/** An app on `url` whose connections say they are the CLI's, closed when the command ends. */
async function openApp(url: string): Promise<App> {
  const app = createApp({ databaseUrl: url })
  openedResources.push(() => app.close())
  await app.pool({ applicationName: 'manana-cli', max: 2 })
  return app
}

/** The console's audit names CLI changes after the user running the command. */
function cliActor(pool: pg.Pool) {
  return { pool, audit: { actor: { name: `cli:${os.userInfo().username}`, role: 'admin' as const }, source: 'cli' } }
}

/** Starts the console on `url` (with its first admin) and prints its address. */
async function serveConsole(url: string, values: Record<string, any>): Promise<{ address: string; server: ChildProcess }> {
  const port = portFrom(values.port ?? process.env.PORT ?? '3000', '--port')
  const host: string = values.host ?? process.env.HOST ?? '127.0.0.1'
  findConsole() // before anything is written: is the console installed?
  trustedProxies() // and is MANANA_TRUSTED_PROXIES readable? (else every request would fail)
  const logFormat = logFormatOf(values['log-format'])
  const db = fromPg(await (await openApp(url)).pool())
  await checkSchema(db)
  const firstAdmin = await ensureFirstAdmin(db)
  const server = await startConsole({ databaseUrl: url, port, host, logFormat, log: console.log })
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
  const address = `http://${shown}:${port}`
  const notice = firstAdmin && firstAdminNotice(firstAdmin.password, process.env.MANANA_ADMIN_PASSWORD !== undefined)
  if (logFormat === 'json') {
    // A log pipeline reads every line: these too are records.
    const say = lineLogger('console', 'json')
    say({ level: 'info', event: 'console.started', message: `Mañana console: ${address}` })
    if (notice) say(firstAdminRecord(notice))
  } else {
    console.log(`\n  Mañana console: ${address}\n`)
    if (notice) console.log(notice)
  }
  return { address, server }
}

/** Runs until SIGINT or SIGTERM (0), or until the console's server stops by itself (1). */
function runUntilStopped(server: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    let signalled = false
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        signalled = true
        resolve(0)
      })
    }
    server.once('exit', (code) => {
      if (signalled) return // Ctrl-C reaches the server too
      console.error(`manana: the console's server stopped (exit ${code})`)
      resolve(1)
    })
  })
}

/**
 * `start` runs the demo's worker, which would run any job of a task it shares a name with using
 * the demo's code, and fail the others: so only on the demo's own database, that is the embedded
 * one, an empty one (then marked as the demo's), or one marked before.
 */
async function claimForTheDemo(demo: App, embedded: boolean, empty: boolean): Promise<void> {
  if (embedded) return
  const pool = await demo.pool()
  if (empty) {
    await pool.query(`INSERT INTO manana_settings (key, value) VALUES ('demo_database', 'true') ON CONFLICT (key) DO NOTHING`)
    return
  }
  const { rowCount } = await pool.query(`SELECT 1 FROM manana_settings WHERE key = 'demo_database'`)
  if (rowCount) return
  throw new Error(
    'this database holds jobs that the demo did not defer: `manana start` runs the demo, whose worker would run them with its own code, so it stops here. Use `manana console` for the console, and `manana worker --app YOUR_APP` for your tasks',
  )
}

async function readPasswordFromStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  const password = text.split(/\r?\n/)[0] ?? ''
  if (!password) throw new UsageError('--password-stdin: standard input held no password')
  return password
}

async function appWithSchema(): Promise<App> {
  const app = await openApp((await useDatabase({ migrate: false })).url)
  await checkSchema(fromPg(await app.pool()))
  return app
}

/** The app a module exports; TypeScript modules are compiled on the fly (tsx). */
async function loadApp(module: string): Promise<App> {
  const file = path.resolve(module)
  if (!fs.existsSync(file)) throw new UsageError(`--app ${module}: no such file (${file})`)
  const url = pathToFileURL(file).href
  const loaded = /\.[cm]?tsx?$/.test(file) ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url) : await import(url)
  // A CommonJS module's exports arrive as the namespace's default.
  const app = [loaded.app, loaded.default, loaded.default?.app, loaded.default?.default].find(isApp)
  if (!app) throw new UsageError(`${module} exports no app: export const app = createApp() (module.exports = { app } in CommonJS)`)
  openedResources.push(() => app.close())
  return app
}

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

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${what} must be JSON: ${(error as Error).message}`)
  }
}
function number(text: string, what: string): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`${what} must be a number, 0 or more; got ${text}`)
  return value
}
function integer(text: string | undefined, what: string): number {
  const value = Number(text)
  if (!text || !Number.isSafeInteger(value)) throw new UsageError(`${what} must be an integer; got ${text ?? 'nothing'}`)
  return value
}
function integerFrom(least: number, text: string, what: string): number {
  const value = integer(text, what)
  if (value < least) throw new UsageError(`${what} must be ${least} or more; got ${text}`)
  return value
}
function logFormatOf(flag: string | undefined): LogFormat {
  const [value, what] = flag === undefined ? [process.env.MANANA_LOG_FORMAT, 'MANANA_LOG_FORMAT'] : [flag, '--log-format']
  try {
    return logFormatFrom(value, what)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}
function portFrom(text: string, what: string): number {
  const value = integerFrom(1, text, what)
  if (value > 65535) throw new UsageError(`${what} must be a port, 1 to 65535; got ${text}`)
  return value
}
function idList(text: string, what: string): number[] {
  return text.split(',').map((part) => integer(part.trim(), `${what} ${part}`))
}
function envNumber(name: string): number | undefined {
  return process.env[name] === undefined ? undefined : number(process.env[name]!, name)
}
function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}

const usage = `Usage: manana COMMAND [options]     (manana COMMAND --help for its options)

${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`)
  .join('\n')}

The database is DATABASE_URL, or embedded PostgreSQL under ./.manana/ when it is unset.`

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name ? 0 : 2
  }
  const command = commands[name]
  if (!command) {
    console.error(`manana: unknown command "${name}"\n\n${usage}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}`)
    return 0
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true })
    if (positionals.length > (command.positionals ?? 0)) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`)
    return await command.run(values, positionals)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`manana ${name}: ${(error as Error).message}\nUsage: ${command.usage}`)
      return 2
    }
    throw error
  }
}

async function closeOpened(): Promise<void> {
  for (const close of openedResources.reverse()) await close().catch(() => {})
}

main(process.argv.slice(2)).then(
  async (code) => {
    await closeOpened()
    process.exit(code)
  },
  async (error) => {
    if (isManaError(error)) console.error(`manana: ${error.code}: ${error.message}`)
    else console.error(`manana: ${error instanceof Error ? error.message : String(error)}`)
    await closeOpened()
    process.exit(1)
  },
)
