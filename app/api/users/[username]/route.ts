import { body, handler } from '@/lib/api/http.ts'
import { changeUserBody, usernameParams } from '@/lib/api/schemas.ts'
import { changePassword, changeRole, removeConsoleUser } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** { role } changes the role; { resetPassword: true } sets a one-time password, returned once. */
export const PATCH = handler<'PATCH /api/users/{username}'>('admin', async (request, { params, audit }) => {
  const { username } = usernameParams.parse(params)
  const change = await body(request, changeUserBody)
  const who = { pool: (await consoleContext()).pool, audit }
  const user = change.role ? await changeRole(who, username, change.role) : undefined
  if (!change.resetPassword) return { user }
  const reset = await changePassword(who, username)
  return { user: reset.user, password: reset.password }
})

export const DELETE = handler<'DELETE /api/users/{username}'>('admin', async (_request, { params, audit }) => {
  const { username } = usernameParams.parse(params)
  await removeConsoleUser({ pool: (await consoleContext()).pool, audit }, username)
  return { username, removed: true }
})
