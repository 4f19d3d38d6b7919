import { HttpError } from '@/lib/api/http-error.ts'
import { body, handler } from '@/lib/api/http.ts'
import { passwordBody } from '@/lib/api/schemas.ts'
import { checkPasswordChange } from '@/lib/auth/sign-in.ts'
import { changePassword } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** A signed-in user chooses a new password ({ current, password }); every session of theirs ends. */
export const POST = handler<'POST /api/session/password'>('signed-in', async (request, { actor, audit }) => {
  if (actor!.userId === undefined) throw new HttpError(403, 'forbidden', 'an API token has no password')
  const change = await body(request, passwordBody)
  const { db, pool } = await consoleContext()
  const checked = await checkPasswordChange(db, actor!, change, audit.source)
  if (!checked.ok) {
    throw checked.reason === 'too_many_attempts'
      ? new HttpError(429, 'too_many_attempts', 'too many wrong passwords: wait a quarter of an hour')
      : new HttpError(403, 'invalid_credentials', 'the current password is wrong')
  }
  await changePassword({ pool, audit }, actor!.name, change.password)
  return { changed: true }
})
