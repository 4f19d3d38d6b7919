import { body, handler, respond } from '@/lib/api/http.ts'
import { addUserBody } from '@/lib/api/schemas.ts'
import { listUsers } from '@/lib/auth/users.ts'
import { addConsoleUser } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

export const GET = handler<'GET /api/users'>('admin', async () => ({ users: await listUsers((await consoleContext()).db) }))

/** { username, role, password? }: without a password, a one-time one is generated and returned once. */
export const POST = handler<'POST /api/users'>('admin', async (request, { audit }) => {
  const { username, role, password } = await body(request, addUserBody)
  const added = await addConsoleUser({ pool: (await consoleContext()).pool, audit }, username, role, password)
  return respond({ user: added.user, password: password === undefined ? added.password : undefined }, { status: 201 })
})
