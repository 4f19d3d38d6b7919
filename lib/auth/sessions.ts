// Signed-in browsers: a random token in an httpOnly cookie, its digest in manana_sessions.
import type { Queryable } from '../queue/queryable.ts'
import type { Actor, Role } from './roles.ts'
import { digest, newToken } from './secrets.ts'

/** How long a session lasts: MANANA_SESSION_HOURS, 12 by default. */
export const sessionHours = () => Number(process.env.MANANA_SESSION_HOURS) || 12

export async function startSession(db: Queryable, userId: number): Promise<{ token: string; expiresAt: Date }> {
  const { token, digest } = newToken('mns')
  const [row] = await db.query<{ expires_at: Date }>(
    `INSERT INTO manana_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))
     RETURNING expires_at`,
    [digest, userId, sessionHours()],
  )
  return { token, expiresAt: row!.expires_at }
}

/** Who holds this session token, while it has not expired. */
export async function sessionActor(db: Queryable, token: string): Promise<Actor | undefined> {
  const [row] = await db.query<{ id: string; username: string; role: Role; must_change_password: boolean }>(
    `SELECT u.id, u.username, u.role, u.must_change_password
     FROM manana_sessions AS s JOIN manana_users AS u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now()`,
    [digest(token)],
  )
  return row && { name: row.username, role: row.role, userId: Number(row.id), mustChangePassword: row.must_change_password }
}

/** Ends this session, and clears every expired one on the way. */
export async function endSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM manana_sessions WHERE token_hash = $1 OR expires_at <= now()', [digest(token)])
}

