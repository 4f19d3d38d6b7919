// Signing in: at most `maxFailuresPerUser` failed attempts per username and `maxFailuresPerSource`
// per client address (higher: many users may share one) in `failureWindowMinutes`. Every attempt
// is in the audit log, which is also what is counted.
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
  const [failures] = await db.query<{ user: number; source: number }>(
    `SELECT count(*) FILTER (WHERE details->>'username' = $1)::int AS user, count(*) FILTER (WHERE source = $2)::int AS source
     FROM manana_audit
     WHERE action = 'sign_in' AND outcome <> 'ok' AND at > now() - make_interval(mins => $3)`,
    [username, source, failureWindowMinutes],
  )
  if (failures!.user >= maxFailuresPerUser || failures!.source >= maxFailuresPerSource) {
    await writeAudit(db, { actor: undefined, source }, record, 'too_many_attempts')
    return { ok: false, reason: 'too_many_attempts' }
  }
  const actor = await checkCredentials(db, username, password)
  if (!actor) {
    await writeAudit(db, { actor: undefined, source }, record, 'invalid_credentials')
    return { ok: false, reason: 'invalid_credentials' }
  }
  const session = await startSession(db, actor.userId!)
  await writeAudit(db, { actor, source }, record, 'ok')
  return { ok: true, actor, ...session }
}
