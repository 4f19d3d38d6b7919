// The audit log: who did what, when, from where, and how it ended. An action and its audit row
// commit together; when the action fails, its transaction is rolled back and the failure is
// written on its own, with the error's code as the outcome.
import type pg from 'pg'
import { withTransaction } from '../db/transaction.ts'
import { isManaError } from '../queue/errors.ts'
import { fromPg, type Queryable } from '../queue/queryable.ts'
import type { Actor } from './roles.ts'

export interface AuditRecord {
  /** `job.cancel`, `jobs.bulk_retry`, `user.add`, `sign_in`… */
  action: string
  /** The jobs the action named or touched. */
  jobIds: number[]
  /** Its arguments and what it found: a filter and how many jobs it matched, a username… */
  details: Record<string, unknown>
}

export interface AuditContext {
  actor: Actor | undefined
  /** The client's address as the server saw it. */
  source: string | null
}

/** The outcome of a failed action: its stable error code where it has one. */
export const outcomeOf = (error: unknown) =>
  isManaError(error) ? error.code : typeof (error as { code?: unknown })?.code === 'string' ? String((error as { code: string }).code) : 'error'

export async function writeAudit(db: Queryable, context: AuditContext, record: AuditRecord, outcome: string): Promise<void> {
  await db.query(
    `INSERT INTO manana_audit (actor, role, action, job_ids, details, source, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [context.actor?.name ?? 'anonymous', context.actor?.role ?? null, record.action, record.jobIds, record.details, context.source, outcome],
  )
}

/**
 * Runs an action in a transaction that also writes its audit row. The action gets the
 * transaction's connection and the record, to add the job ids and details it learns. A failure's
 * row is written once that connection is back in the pool: never two connections at once.
 */
export async function audited<T>(
  pool: pg.Pool,
  context: AuditContext,
  action: string,
  initial: Partial<Omit<AuditRecord, 'action'>>,
  run: (db: Queryable, record: AuditRecord) => Promise<T>,
): Promise<T> {
  const record: AuditRecord = { action, jobIds: initial.jobIds ?? [], details: initial.details ?? {} }
  try {
    return await withTransaction(pool, async (client) => {
      const db = fromPg(client)
      const result = await run(db, record)
      await writeAudit(db, context, record, 'ok')
      return result
    })
  } catch (failure) {
    await writeAudit(fromPg(pool), context, record, outcomeOf(failure))
    throw failure
  }
}

/**
 * Runs an action that commits on its own (a workflow run, which a worker defers) or in many
 * transactions (deleting old jobs), then writes its audit row, with what it did or how far it
 * got before it failed: no transaction is held while the action waits.
 */
export async function auditedAfter<T>(pool: pg.Pool, context: AuditContext, action: string, details: Record<string, unknown>, run: (record: AuditRecord) => Promise<T>): Promise<T> {
  const record: AuditRecord = { action, jobIds: [], details }
  const db = fromPg(pool)
  let result: T
  try {
    result = await run(record)
  } catch (error) {
    await writeAudit(db, context, record, outcomeOf(error))
    throw error
  }
  await writeAudit(db, context, record, 'ok')
  return result
}

/**
 * A request refused before its action ran (unauthenticated, forbidden, from another origin, a
 * body refused). An actor's refusal is a row of its own; anonymous ones are counted in one row
 * per source and minute, by code, so that nobody can fill the table.
 */
export async function writeRefusal(db: Queryable, context: AuditContext, request: { method: string; path: string }, code: string): Promise<void> {
  if (context.actor) return writeAudit(db, context, { action: 'request.refused', jobIds: [], details: request }, code)
  await db.query(
    `WITH counted AS (
       UPDATE manana_audit
       SET details = jsonb_set(jsonb_set(details, '{count}', to_jsonb((details->>'count')::int + 1)),
                               ARRAY['codes', $3], to_jsonb(coalesce((details->'codes'->>$3)::int, 0) + 1))
       WHERE id = (SELECT id FROM manana_audit
                   WHERE action = 'request.refused' AND actor = 'anonymous' AND source IS NOT DISTINCT FROM $1
                     AND at >= date_trunc('minute', now())
                   ORDER BY id DESC LIMIT 1)
       RETURNING id
     )
     INSERT INTO manana_audit (actor, action, details, source, outcome)
     SELECT 'anonymous', 'request.refused', jsonb_build_object('count', 1, 'codes', jsonb_build_object($3, 1), 'first', $2::jsonb), $1, $3
     WHERE NOT EXISTS (SELECT FROM counted)`,
    [context.source, JSON.stringify(request), code],
  )
}
