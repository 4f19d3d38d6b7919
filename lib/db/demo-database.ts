// `manana start` runs the demo's worker, which would run any job of a task it shares a name with
// using the demo's code, and fail the others: so only on the demo's own database, that is the
// embedded one, an empty one (then marked as the demo's), or one marked before.
import type { Queryable } from '../queue/queryable.ts'

export async function claimForTheDemo(db: Queryable, { embedded, empty }: { embedded: boolean; empty: boolean }): Promise<void> {
  if (embedded) return
  if (empty) {
    await db.query(`INSERT INTO manana_settings (key, value) VALUES ('demo_database', 'true') ON CONFLICT (key) DO NOTHING`)
    return
  }
  const marked = await db.query(`SELECT 1 FROM manana_settings WHERE key = 'demo_database'`)
  if (marked.length) return
  throw new Error(
    'this database holds jobs that the demo did not defer: `manana start` runs the demo, whose worker would run them with its own code, so it stops here. Use `manana console` for the console, and `manana worker --app YOUR_APP` for your tasks',
  )
}
