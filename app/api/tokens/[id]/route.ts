import { handler } from '@/lib/api/http.ts'
import { idParams } from '@/lib/api/schemas.ts'
import { revokeApiToken } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Revokes the token; it stays listed, marked revoked. */
export const DELETE = handler<'DELETE /api/tokens/{id}'>('admin', async (_request, { params, audit }) => {
  const { id } = idParams.parse(params)
  return { apiToken: await revokeApiToken({ pool: (await consoleContext()).pool, audit }, id) }
})
