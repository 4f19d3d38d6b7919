// Reading the audit log: newest first, filtered by actor, action, outcome, job or time range, keyset pages.
import type { AuditQuery } from '../api/schemas.ts'
import type { Role } from '../auth/roles.ts'
import type { ConsoleContext } from './context.ts'
import { rangeBounds } from './time-range.ts'

export interface AuditEntry {
  id: number
  at: string
  actor: string
  role: Role | null
  action: string
  jobIds: number[]
  details: unknown
  source: string | null
  outcome: string
}

export async function readAuditLog({ prisma }: Pick<ConsoleContext, 'prisma'>, query: AuditQuery): Promise<{ entries: AuditEntry[]; next: number | null }> {
  const { from, before } = rangeBounds(query)
  const rows = await prisma.auditEntry.findMany({
    where: {
      actor: query.actor,
      action: query.action,
      outcome: query.outcome,
      jobIds: query.jobId === undefined ? undefined : { has: BigInt(query.jobId) },
      id: query.after === undefined ? undefined : { lt: BigInt(query.after) },
      at: { gte: from, lt: before },
    },
    orderBy: { id: 'desc' },
    take: query.limit,
  })
  const entries = rows.map((row) => ({
    id: Number(row.id),
    at: row.at.toISOString(),
    actor: row.actor,
    role: row.role,
    action: row.action,
    jobIds: row.jobIds.map(Number),
    details: row.details,
    source: row.source,
    outcome: row.outcome,
  }))
  return { entries, next: entries.length === query.limit ? entries.at(-1)!.id : null }
}
