// Checking a password, to sign in or to change it: at most `maxFailuresPerUser` attempts per
// username and `maxFailuresPerSource` per client address (higher: many users may share one) are
// checked in `failureWindowMinutes`, counted atomically before the password is checked (so a
// burst cannot slip past the count); a successful one gives its place back. Every attempt is in
// the audit log.
import { ManaError } from '../queue/errors.ts'
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

/**
 * Checks a password within the limits: the actor it belongs to, or why not. A failure is audited
 * under `action` (sign_in, password.check); a success is the caller's to audit.
 */
async function checkWithinLimits(
  db: Queryable,
  action: string,
  { username, password, source, actor }: { username: string; password: string; source: string | null; actor?: Actor },
): Promise<Actor | 'invalid_credentials' | 'too_many_attempts'> {
  const record = { action, jobIds: [], details: { username } }
  const subjects = [`user:${username}`, ...(source === null ? [] : [`source:${source}`])]
  const [place] = await db.query<{ within: boolean }>('SELECT manana_take_sign_in_attempt($1, $2, $3) AS within', [
    subjects,
    [maxFailuresPerUser, maxFailuresPerSource],
    failureWindowMinutes,
  ])
  if (!place!.within) {
    await writeAudit(db, { actor, source }, record, 'too_many_attempts')
    return 'too_many_attempts'
  }
  const checked = await checkCredentials(db, username, password)
  if (!checked) {
    await writeAudit(db, { actor, source }, record, 'invalid_credentials')
    return 'invalid_credentials'
  }
  await db.query('SELECT manana_give_back_sign_in_attempt($1)', [subjects])
  return checked
}

export async function signIn(db: Queryable, username: string, password: string, source: string | null): Promise<SignInResult> {
  const checked = await checkWithinLimits(db, 'sign_in', { username, password, source })
  if (typeof checked === 'string') return { ok: false, reason: checked }
  const session = await startSession(db, checked.userId!)
  await writeAudit(db, { actor: checked, source }, { action: 'sign_in', jobIds: [], details: { username } }, 'ok')
  return { ok: true, actor: checked, ...session }
}

/**
 * Before a signed-in user's password change: their current password, checked (and audited when
 * wrong) within the same limits as signing in, and a new password that differs from it.
 */
export async function checkPasswordChange(
  db: Queryable,
  actor: Actor,
  change: { current: string; password: string },
  source: string | null,
): Promise<{ ok: true } | { ok: false; reason: 'invalid_credentials' | 'too_many_attempts' }> {
  const checked = await checkWithinLimits(db, 'password.check', { username: actor.name, password: change.current, source, actor })
  if (typeof checked === 'string') return { ok: false, reason: checked }
  if (change.password === change.current) throw new ManaError('password_unchanged', 'the new password must differ from the current one')
  return { ok: true }
}
