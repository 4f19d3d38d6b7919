import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { deferWorkflow } from '../queue/defer.ts'
import { createPrismaClient } from './prisma.ts'

const t = useTestDatabase()

describe('Prisma client', () => {
  it('reads jobs and their edges through the pg adapter, on the pool the SQL calls use', async () => {
    const ids = await deferWorkflow(t.db, { a: { task: 'a', args: { n: 1 } }, b: { task: 'b', dependsOn: ['a'] } })
    const prisma = createPrismaClient(t.pool)
    try {
      const child = await prisma.job.findUniqueOrThrow({
        where: { id: BigInt(ids.b) },
        include: { parentEdges: { include: { parent: true } } },
      })
      expect(child).toMatchObject({ taskName: 'b', status: 'todo', unfinishedParents: 1 })
      expect(child.parentEdges.map((edge) => edge.parent.args)).toEqual([{ n: 1 }])
      expect(await prisma.jobEvent.count()).toBe(2)
      // No pool of its own: its connections are the shared pool's.
      await Promise.all(Array.from({ length: 5 }, () => prisma.job.count()))
      const backends = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`)
      expect(backends[0]!.n).toBe(t.pool.totalCount)
    } finally {
      await prisma.$disconnect()
    }
  })
})
