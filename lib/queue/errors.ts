// Errors are values with a stable code. The SQL functions raise them with their own SQLSTATE
// (see the head of prisma/migrations/*_init/migration.sql); this table is their TypeScript face.
export const codeBySqlState = {
  MN001: 'invalid_job',
  MN002: 'invalid_args',
  MN003: 'duplicate_key',
  MN004: 'unknown_parent',
  MN005: 'unknown_parent_key',
  MN006: 'dependency_cycle',
  MN007: 'job_not_found',
  MN008: 'job_not_retryable',
  MN009: 'job_not_finishable',
  MN010: 'job_not_deletable',
  MN011: 'job_has_unfinished_children',
  MN012: 'job_not_cancellable',
  MN013: 'workflow_not_found',
  MN014: 'workflow_definition_not_found',
  MN015: 'invalid_retention',
  MN016: 'invalid_queue',
  MN017: 'unknown_queue',
  MN018: 'job_not_markable',
  MN019: 'worker_not_found',
  MN020: 'schedule_not_found',
  MN021: 'workflow_too_large',
} as const

/** Errors of the console's users and tokens (lib/auth). */
export type AuthErrorCode =
  | 'invalid_username'
  | 'weak_password'
  | 'password_unchanged'
  | 'user_exists'
  | 'user_not_found'
  | 'last_admin'
  | 'token_not_found'
  | 'invalid_token_name'

/** Errors about the database's schema (lib/db): missing, older or newer than this code, not one Mañana knows. */
export type SchemaErrorCode = 'schema_missing' | 'schema_behind' | 'schema_newer' | 'schema_unknown' | 'migration_failed'

export type ErrorCode =
  | (typeof codeBySqlState)[keyof typeof codeBySqlState]
  | 'queueing_lock_taken'
  /** No worker announced the task (the console, the API and the CLI check; lib/queue/announced-tasks.ts). */
  | 'unknown_task'
  /** A job's parents are not the ones its task declared (lib/queue/parents.ts). */
  | 'parents_mismatch'
  /** No worker that defines the workflow answered a request to run it (lib/console/workflow-runs.ts). */
  | 'workflow_unavailable'
  /** A workflow definition's code threw while composing its steps for a requested run (worker/workflow-requests.ts). */
  | 'workflow_build_failed'
  | AuthErrorCode
  | SchemaErrorCode

export class ManaError extends Error {
  override readonly name = 'ManaError'
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export const sqlStates = Object.keys(codeBySqlState)

/** Whether a queue name fits its notification channel (migration 20261201100000_queue_name_fits_channel's rule). */
export const queueNameFits = (queue: string) => Buffer.byteLength(`procrastinate_queue_v1#${queue}`) <= 63

/** A task's name is at most this long (procrastinate_jobs.task_name is a character varying(128)). */
export const maxTaskNameLength = 128

/** Why a queue name can be too long (migration 20261201100000_queue_name_fits_channel checks it). */
export const queueNameTooLong =
  "a queue name has at most 40 bytes: its notification channel, procrastinate_queue_v1#<queue>, must fit PostgreSQL's 63-byte identifiers"

/**
 * Whether a value is a ManaError. Checked by shape, not instanceof: the console's server bundles
 * each carry their own copy of this module, so an error may come from another copy's class.
 */
export function isManaError(error: unknown): error is ManaError {
  return (error as ManaError)?.name === 'ManaError' && typeof (error as ManaError).code === 'string'
}

interface PgError {
  code?: string
  constraint?: string
  message: string
  detail?: string
}

/** The ManaError a database error stands for, or the error itself when it is not one of ours. */
export function fromDatabaseError(error: unknown): unknown {
  const pgError = error as PgError
  if (!pgError || typeof pgError.code !== 'string') return error
  const code = codeBySqlState[pgError.code as keyof typeof codeBySqlState]
  if (code) return new ManaError(code, pgError.message)
  if (pgError.code === '23505' && pgError.constraint === 'procrastinate_jobs_queueing_lock_idx_v1') {
    const lock = /\(queueing_lock\)=\((.*)\)/.exec(pgError.detail ?? '')?.[1]
    const which = lock === undefined ? 'this queueing lock' : `queueing lock "${lock}"`
    return new ManaError('queueing_lock_taken', `a job with ${which} is already waiting to run`)
  }
  if (pgError.code === '23514' && pgError.constraint === 'manana_args_is_object') {
    return new ManaError('invalid_args', 'args must be a JSON object of keyword arguments')
  }
  if (pgError.code === '23514' && pgError.constraint === 'manana_queue_name_fits_channel') {
    return new ManaError('invalid_job', queueNameTooLong)
  }
  return error
}
