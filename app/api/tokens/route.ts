import { body, handler, respond } from '@/lib/api/http.ts'
import { addTokenBody } from '@/lib/api/schemas.ts'
import { listTokens } from '@/lib/auth/api-tokens.ts'
import { addApiToken } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

export const GET = handler<'GET /api/tokens'>('admin', async () => ({ tokens: await listTokens((await consoleContext()).db) }))

/** { name, role } → the token, shown this once. */
export const POST = handler<'POST /api/tokens'>('admin', async (request, { audit }) => {
  const { name, role } = await body(request, addTokenBody)
  const { token, apiToken } = await addApiToken({ pool: (await consoleContext()).pool, audit }, name, role)
  return respond({ token, apiToken }, { status: 201 })
})
