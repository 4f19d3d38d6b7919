// Workers as the database knows them, judged by the rule the workers themselves apply
// (manana_gone_workers): the CLI's healthcheck reads them so, with the same stale-after setting.
import type { Queryable } from './queryable.ts'

/** Seconds without a heartbeat after which a worker is gone even though its connection is open (MANANA_STALE_AFTER; give every worker the same). */
export const defaultStaleAfter = 30

export interface WorkersHealth {
  /** Registered workers that the recovery rule does not judge gone. */
  alive: number
  /** Registered workers it judges gone (their jobs are being recovered). */
  gone: number
  /** Jobs that could start now: todo, every parent finished. */
  ready: number
}

export async function workersHealth(db: Queryable, staleAfter = defaultStaleAfter): Promise<WorkersHealth> {
  const [row] = await db.query<{ registered: number; gone: number; ready: number }>(
    `SELECT (SELECT count(*) FROM procrastinate_workers)::int AS registered,
            (SELECT count(*) FROM manana_gone_workers($1))::int AS gone,
            (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' AND unfinished_parents = 0)::int AS ready`,
    [staleAfter],
  )
  return { alive: row!.registered - row!.gone, gone: row!.gone, ready: row!.ready }
}
