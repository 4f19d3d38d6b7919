import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { deferWorkflow } from '../queue/defer.ts'
import { createPrismaClient } from './prisma.ts'

const t = useTestDatabase()

describe('Prisma client', () => {
  it('reads jobs and their edges through the pg adapter', async () => {
    const ids = await deferWorkflow(t.db, { a: { task: 'a', args: { n: 1 } }, b: { task: 'b', dependsOn: ['a'] } })
    const prisma = createPrismaClient(t.url)
    try {
      const child = await prisma.job.findUniqueOrThrow({
        where: { id: BigInt(ids.b) },
        include: { parentEdges: { include: { parent: true } } },
      })
      expect(child).toMatchObject({ taskName: 'b', status: 'todo', unfinishedParents: 1 })
      expect(child.parentEdges.map((edge) => edge.parent.args)).toEqual([{ n: 1 }])
      expect(await prisma.jobEvent.count()).toBe(2)
    } finally {
      await prisma.$disconnect()
    }
  })
})
