// The current definition of every SQL function of the schema, as PostgreSQL prints it: kept in
// prisma/functions/<name>.sql (npm run functions:generate) so that a reader finds what runs in
// one file, and a review diffs the function, not the migration that restates it. A test keeps
// the files equal to the migrated database.
import type { Queryable } from '../queue/queryable.ts'

/** The schema's functions (procrastinate_* and manana_*), by name: each overload's definition, in signature order. */
export async function currentFunctions(db: Queryable): Promise<Map<string, string>> {
  const rows = await db.query<{ name: string; definition: string }>(
    `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS definition
     FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
     WHERE n.nspname = current_schema() AND (p.proname LIKE 'procrastinate\\_%' OR p.proname LIKE 'manana\\_%')
     ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)`,
  )
  const functions = new Map<string, string>()
  for (const { name, definition } of rows) {
    const text = `${definition.trimEnd()};\n`
    functions.set(name, functions.has(name) ? `${functions.get(name)}\n${text}` : text)
  }
  return functions
}

/** A function's file: a header saying where it comes from, then its definitions. */
export const functionFile = (definitions: string) =>
  `-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.\n\n${definitions}`
