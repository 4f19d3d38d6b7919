// Every command of `manana`, in the order the usage lists them.
import type { Command } from '../command.ts'
import consoleCommand from './console.ts'
import defer from './defer.ts'
import healthcheck from './healthcheck.ts'
import { abort, cancel, remove } from './job-actions.ts'
import jobs from './jobs.ts'
import markSucceeded from './mark-succeeded.ts'
import migrate from './migrate.ts'
import prune from './prune.ts'
import { pause, resume } from './queues.ts'
import retry from './retry.ts'
import run from './run.ts'
import start from './start.ts'
import token from './token.ts'
import user from './user.ts'
import worker from './worker.ts'
import workflow from './workflow.ts'

export const commands: Record<string, Command> = {
  worker,
  console: consoleCommand,
  start,
  migrate,
  defer,
  workflow,
  run,
  jobs,
  retry,
  'mark-succeeded': markSucceeded,
  cancel,
  abort,
  delete: remove,
  pause,
  resume,
  user,
  token,
  prune,
  healthcheck,
}
