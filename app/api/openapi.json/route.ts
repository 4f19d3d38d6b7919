import { handler } from '@/lib/api/http.ts'
import { openApiDocument } from '@/lib/api/openapi.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/openapi.json'>('viewer', async () => openApiDocument())
