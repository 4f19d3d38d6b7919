import { handler, query } from '@/lib/api/http.ts'
import { auditQuery } from '@/lib/api/schemas.ts'
import { readAuditLog } from '@/lib/console/audit-log.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** The audit log, newest first: ?actor=&action=&outcome=&jobId=&range=15m|1h|24h|7d (or from=&to=)&limit=&after= */
export const GET = handler<'GET /api/audit'>('operator', async (request) => readAuditLog(await consoleContext(), query(request, auditQuery)))
