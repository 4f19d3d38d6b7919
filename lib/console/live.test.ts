// The console's live updates behind a real PgBouncer in transaction mode, as the README's
// "Behind a connection pooler" sets it up: its pool through the pooler (DATABASE_URL), its one
// listening session straight to the database (MANANA_DIRECT_URL). A change arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { hasPgbouncer, startPgbouncer, type Pgbouncer } from '../../test/pgbouncer.ts'
import { until } from '../../test/until.ts'
import { createPool } from '../db/pool.ts'
import { deferJobs } from '../queue/defer.ts'
import { fromPg } from '../queue/queryable.ts'
import type { Change } from './live.ts'

const t = useTestDatabase()
const saved = { url: process.env.DATABASE_URL, direct: process.env.MANANA_DIRECT_URL }
let bouncer: Pgbouncer

describe.skipIf(!hasPgbouncer)('live updates behind PgBouncer in transaction mode', () => {
  beforeAll(async () => {
    bouncer = await startPgbouncer(t.url, 'transaction')
    process.env.DATABASE_URL = bouncer.url
    process.env.MANANA_DIRECT_URL = t.url
  })
  afterAll(async () => {
    const { consoleContext } = await import('./context.ts')
    await (await consoleContext()).pool.end()
    process.env.DATABASE_URL = saved.url
    if (saved.direct === undefined) delete process.env.MANANA_DIRECT_URL
    else process.env.MANANA_DIRECT_URL = saved.direct
    await bouncer?.stop()
  })

  it('arrive through the direct session: a job deferred through the pooler is announced', async () => {
    const { liveHub } = await import('./live.ts')
    const changes: Change[] = []
    const unsubscribe = liveHub.subscribe((change) => changes.push(change))
    try {
      await until(async () => changes.length > 0, 'the first session (it asks every page to read again)')
      expect(liveHub.problem).toBeUndefined()
      const pooled = createPool(bouncer.url)
      const [id] = await deferJobs(fromPg(pooled), [{ task: 'live' }]).finally(() => pooled.end())
      await until(async () => changes.some((change) => change.jobIds.includes(id!)), `job ${id} announced`)
    } finally {
      unsubscribe()
    }
  })
})
