// Signing in: at most `maxFailuresPerUser` attempts per username and `maxFailuresPerSource` per
// client address (higher: many users may share one) are checked in `failureWindowMinutes`,
// counted atomically before the password is checked (so a burst cannot slip past the count);
// a successful one gives its place back. Every attempt is in the audit log.
import type { Queryable } from '../queue/queryable.ts'
import { writeAudit } from './audit.ts'
import type { Actor } from './roles.ts'
import { startSession } from './sessions.ts'
import { checkCredentials } from './users.ts'

export const maxFailuresPerUser = 10
export const maxFailuresPerSource = 100
export const failureWindowMinutes = 15

export type SignInResult =
  | { ok: true; actor: Actor; token: string; expiresAt: Date }
  | { ok: false; reason: 'invalid_credentials' | 'too_many_attempts' }

export async function signIn(db: Queryable, username: string, password: string, source: string | null): Promise<SignInResult> {
  const record = { action: 'sign_in', jobIds: [], details: { username } }
  const subjects = [`user:${username}`, ...(source === null ? [] : [`source:${source}`])]
  const [place] = await db.query<{ within: boolean }>('SELECT manana_take_sign_in_attempt($1, $2, $3) AS within', [
    subjects,
    [maxFailuresPerUser, maxFailuresPerSource],
    failureWindowMinutes,
  ])
  if (!place!.within) {
    await writeAudit(db, { actor: undefined, source }, record, 'too_many_attempts')
    return { ok: false, reason: 'too_many_attempts' }
  }
  const actor = await checkCredentials(db, username, password)
  if (!actor) {
    await writeAudit(db, { actor: undefined, source }, record, 'invalid_credentials')
    return { ok: false, reason: 'invalid_credentials' }
  }
  await db.query('SELECT manana_give_back_sign_in_attempt($1)', [subjects])
  const session = await startSession(db, actor.userId!)
  await writeAudit(db, { actor, source }, record, 'ok')
  return { ok: true, actor, ...session }
}
