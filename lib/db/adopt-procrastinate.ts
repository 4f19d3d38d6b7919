// Turning a database made by Python Procrastinate 3.4–3.9 (`procrastinate schema --apply`, or its
// migrations up to 03.04.00_50) into a Mañana one, in place and in one transaction: upstream's
// tables, types and functions move aside into a schema of their own, Mañana's first migration
// creates its own, every row is copied across with its id, and the old objects are dropped
// (by name, so that nothing of the user's that depends on them is dropped silently).
// Python workers wait on the tables' locks meanwhile, then carry on against Mañana's functions,
// which keep upstream's names and signatures.
import type pg from 'pg'

/** What Procrastinate 3.4 to 3.9 has: tables with their columns, functions, enum values. */
const upstream = {
  tables: {
    procrastinate_workers: ['id', 'last_heartbeat'],
    procrastinate_jobs: ['id', 'queue_name', 'task_name', 'priority', 'lock', 'queueing_lock', 'args', 'status', 'scheduled_at', 'attempts', 'abort_requested', 'worker_id'],
    procrastinate_events: ['id', 'job_id', 'type', 'at'],
    procrastinate_periodic_defers: ['id', 'task_name', 'defer_timestamp', 'job_id', 'periodic_id'],
  } as Record<string, string[]>,
  functions: [
    'procrastinate_cancel_job_v1', 'procrastinate_defer_jobs_v1', 'procrastinate_defer_periodic_job_v2', 'procrastinate_fetch_job_v2',
    'procrastinate_finish_job_v1', 'procrastinate_notify_queue_abort_job_v1', 'procrastinate_notify_queue_job_inserted_v1',
    'procrastinate_prune_stalled_workers_v1', 'procrastinate_register_worker_v1', 'procrastinate_retry_job_v1', 'procrastinate_retry_job_v2',
    'procrastinate_trigger_abort_requested_events_procedure_v1', 'procrastinate_trigger_function_scheduled_events_v1',
    'procrastinate_trigger_function_status_events_insert_v1', 'procrastinate_trigger_function_status_events_update_v1',
    'procrastinate_unlink_periodic_defers_v1', 'procrastinate_unregister_worker_v1', 'procrastinate_update_heartbeat_v1',
  ],
  enums: {
    procrastinate_job_status: ['todo', 'doing', 'succeeded', 'failed', 'cancelled', 'aborting', 'aborted'],
    procrastinate_job_event_type: ['deferred', 'started', 'deferred_for_retry', 'failed', 'succeeded', 'cancelled', 'abort_requested', 'aborted', 'scheduled', 'retried'],
  } as Record<string, string[]>,
  types: ['procrastinate_job_status', 'procrastinate_job_event_type', 'procrastinate_job_to_defer_v1'],
}

/** The schema the old objects move into while their rows are copied; dropped at the end. */
const aside = 'manana_adopting_procrastinate'

/**
 * How the current schema's Procrastinate objects differ from Procrastinate 3.4–3.9's, one line per
 * difference; empty when they match.
 */
export async function procrastinateDifferences(client: pg.ClientBase): Promise<string[]> {
  const columns = await client.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
     FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v') AND c.relname LIKE 'procrastinate\\_%'`,
  )
  const functions = await client.query<{ name: string }>(
    `SELECT DISTINCT proname AS name FROM pg_proc WHERE pronamespace = current_schema()::regnamespace AND proname LIKE 'procrastinate\\_%'`,
  )
  const enumValues = await client.query<{ type: string; values: string[] }>(
    `SELECT t.typname AS type, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
     WHERE t.typnamespace = current_schema()::regnamespace AND t.typname LIKE 'procrastinate\\_%' GROUP BY t.typname`,
  )
  const found = new Map<string, Set<string>>()
  for (const { table, column } of columns.rows) found.set(table, (found.get(table) ?? new Set()).add(column))

  const differences: string[] = []
  for (const [table, expected] of Object.entries(upstream.tables)) {
    const have = found.get(table)
    if (!have) {
      differences.push(`table ${table} is missing`)
      continue
    }
    const missing = expected.filter((column) => !have.has(column))
    const extra = [...have].filter((column) => !expected.includes(column))
    if (missing.length) differences.push(`${table} lacks column(s) ${missing.join(', ')}`)
    if (extra.length) differences.push(`${table} has column(s) Procrastinate does not: ${extra.join(', ')}`)
  }
  const extraTables = [...found.keys()].filter((table) => !(table in upstream.tables))
  if (extraTables.length) differences.push(`table(s) Procrastinate 3.4–3.9 does not have: ${extraTables.sort().join(', ')}`)

  const names = new Set(functions.rows.map((row) => row.name))
  const missingFunctions = upstream.functions.filter((name) => !names.has(name))
  const extraFunctions = [...names].filter((name) => !upstream.functions.includes(name))
  if (missingFunctions.length) differences.push(`function(s) missing: ${missingFunctions.join(', ')}`)
  if (extraFunctions.length) differences.push(`function(s) Procrastinate 3.4–3.9 does not have: ${extraFunctions.sort().join(', ')}`)

  for (const [type, values] of Object.entries(upstream.enums)) {
    const have = enumValues.rows.find((row) => row.type === type)?.values
    if (have?.join() !== values.join()) differences.push(`enum ${type} is ${have ? `(${have.join(', ')})` : 'missing'}`)
  }
  return differences
}

/**
 * Replaces Procrastinate's objects by Mañana's first migration (`createSchema` runs it), keeping
 * every row and id. Runs inside the caller's transaction; checked first with procrastinateDifferences.
 */
export async function adoptProcrastinate(client: pg.ClientBase, createSchema: () => Promise<unknown>): Promise<Record<string, number>> {
  await client.query(`CREATE SCHEMA ${aside}`)
  // Tables take their indexes, constraints, triggers and sequences along.
  for (const table of Object.keys(upstream.tables)) await client.query(`ALTER TABLE ${table} SET SCHEMA ${aside}`)
  const functions = await client.query<{ signature: string }>(
    `SELECT oid::regprocedure::text AS signature FROM pg_proc WHERE pronamespace = current_schema()::regnamespace AND proname LIKE 'procrastinate\\_%'`,
  )
  for (const { signature } of functions.rows) await client.query(`ALTER FUNCTION ${signature} SET SCHEMA ${aside}`)
  for (const type of upstream.types) await client.query(`ALTER TYPE ${type} SET SCHEMA ${aside}`)

  await createSchema()

  const copied: Record<string, number> = {}
  const copy = async (table: string, columns: string[], select = columns, overriding = '') => {
    // The rows' history is already written: no new events, notifications or counters while copying.
    await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`)
    const result = await client.query(
      `INSERT INTO ${table} (${columns.join(', ')}) ${overriding} SELECT ${select.join(', ')} FROM ${aside}.${table} ORDER BY id`,
    )
    await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`)
    copied[table] = result.rowCount ?? 0
  }
  const { tables } = upstream
  await copy('procrastinate_workers', tables.procrastinate_workers!, undefined, 'OVERRIDING SYSTEM VALUE')
  await copy(
    'procrastinate_jobs',
    tables.procrastinate_jobs!,
    tables.procrastinate_jobs!.map((column) => (column === 'status' ? 'status::text::procrastinate_job_status' : column)),
  )
  await copy('procrastinate_events', tables.procrastinate_events!, tables.procrastinate_events!.map((column) => (column === 'type' ? 'type::text::procrastinate_job_event_type' : column)))
  await copy('procrastinate_periodic_defers', tables.procrastinate_periodic_defers!)

  // New ids continue where the old sequences were, so that no id of a deleted row comes back.
  for (const table of Object.keys(tables)) {
    const { rows } = await client.query<{ old: string }>(`SELECT pg_get_serial_sequence('${aside}.${table}', 'id') AS old`)
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), greatest(
         (SELECT coalesce(max(id), 0) FROM ${table}),
         (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM ${rows[0]!.old})) + 1, false)`,
    )
  }

  // Dropped one by one, never with CASCADE: an object of the user's that depends on one of them
  // (a view, a foreign key) makes this fail, and the whole adoption roll back, rather than vanish.
  // Functions first (fetch returns a job row), but trigger functions after their tables' triggers.
  const dropFunctions = async (triggers: boolean) => {
    const moved = await client.query<{ signature: string }>(
      `SELECT oid::regprocedure::text AS signature FROM pg_proc WHERE pronamespace = '${aside}'::regnamespace AND (prorettype = 'trigger'::regtype) = $1`,
      [triggers],
    )
    for (const { signature } of moved.rows) await client.query(`DROP FUNCTION ${signature}`)
  }
  await dropFunctions(false)
  for (const table of ['procrastinate_events', 'procrastinate_periodic_defers', 'procrastinate_jobs', 'procrastinate_workers']) {
    await client.query(`DROP TABLE ${aside}.${table}`)
  }
  await dropFunctions(true)
  for (const type of [...upstream.types].reverse()) await client.query(`DROP TYPE ${aside}.${type}`)
  await client.query(`DROP SCHEMA ${aside}`)
  return copied
}
