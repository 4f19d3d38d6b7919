import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { JobManager } from '../queue/job-manager.ts'
import { deferJobs } from '../queue/defer.ts'
import { createToken, revokeToken, tokenActor } from './api-tokens.ts'
import { audited } from './audit.ts'
import { hashPassword, verifyPassword } from './secrets.ts'
import { endSession, sessionActor, startSession } from './sessions.ts'
import { checkPasswordChange, maxFailuresPerUser, signIn } from './sign-in.ts'
import { addUser, ensureFirstAdmin, removeUser, setPassword, setRole } from './users.ts'

const t = useTestDatabase()
const password = 'correct horse battery'

describe('passwords', () => {
  it('are scrypt hashes with their own salt, checked in constant time', async () => {
    const [a, b] = [await hashPassword(password), await hashPassword(password)]
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword(password, a)).toBe(true)
    expect(await verifyPassword('correct horse battery!', a)).toBe(false)
    expect(await verifyPassword(password, 'md5$whatever')).toBe(false)
  })
})

describe('users', () => {
  it('refuse bad names and short passwords with stable codes, and keep nothing', async () => {
    await expect(addUser(t.db, { username: 'Robert"); DROP TABLE', role: 'viewer', password })).rejects.toMatchObject({ code: 'invalid_username' })
    await expect(addUser(t.db, { username: 'bob', role: 'viewer', password: 'short' })).rejects.toMatchObject({ code: 'weak_password' })
    await addUser(t.db, { username: 'bob', role: 'viewer', password })
    await expect(addUser(t.db, { username: 'bob', role: 'admin', password })).rejects.toMatchObject({ code: 'user_exists' })
    expect(await t.sql('SELECT username, role FROM manana_users')).toEqual([{ username: 'bob', role: 'viewer' }])
  })

  it('always keep one admin', async () => {
    await addUser(t.db, { username: 'root', role: 'admin', password })
    await expect(removeUser(t.db, 'root')).rejects.toMatchObject({ code: 'last_admin' })
    await expect(setRole(t.db, 'root', 'viewer')).rejects.toMatchObject({ code: 'last_admin' })
    await addUser(t.db, { username: 'second', role: 'admin', password })
    await setRole(t.db, 'root', 'operator')
    await expect(removeUser(t.db, 'second')).rejects.toMatchObject({ code: 'last_admin' })
    await expect(removeUser(t.db, 'nobody')).rejects.toMatchObject({ code: 'user_not_found' })
  })

  it('the first start makes an admin with a one-time password, once', async () => {
    const first = await ensureFirstAdmin(t.db, undefined)
    expect(first?.user).toMatchObject({ username: 'admin', role: 'admin', mustChangePassword: true })
    expect(first!.password.length).toBeGreaterThanOrEqual(20)
    expect(await ensureFirstAdmin(t.db, undefined)).toBeUndefined()
  })

  it('a new password ends every session of the user', async () => {
    const { user } = await addUser(t.db, { username: 'carol', role: 'operator', password })
    const { token } = await startSession(t.db, user.id)
    expect(await sessionActor(t.db, token)).toMatchObject({ name: 'carol', role: 'operator' })
    await setPassword(t.db, 'carol', 'another long password')
    expect(await sessionActor(t.db, token)).toBeUndefined()
  })
})

describe('sessions and tokens', () => {
  it('a session ends at sign-out or expiry, and only its digest is stored', async () => {
    const { user } = await addUser(t.db, { username: 'dave', role: 'viewer', password })
    const { token } = await startSession(t.db, user.id)
    const [stored] = await t.sql('SELECT encode(token_hash, $$hex$$) AS hash FROM manana_sessions')
    expect(JSON.stringify(stored)).not.toContain(token)
    await t.sql(`UPDATE manana_sessions SET expires_at = now() - interval '1 second'`)
    expect(await sessionActor(t.db, token)).toBeUndefined()
    const second = await startSession(t.db, user.id)
    await endSession(t.db, second.token)
    expect(await sessionActor(t.db, second.token)).toBeUndefined()
  })

  it('an API token acts with its role until revoked', async () => {
    const { token, apiToken } = await createToken(t.db, { name: 'ci', role: 'operator', createdBy: 'admin' })
    expect(await tokenActor(t.db, token)).toEqual({ name: 'token:ci', role: 'operator' })
    expect(await tokenActor(t.db, token + 'x')).toBeUndefined()
    await revokeToken(t.db, apiToken.id)
    expect(await tokenActor(t.db, token)).toBeUndefined()
    await expect(revokeToken(t.db, 999)).rejects.toMatchObject({ code: 'token_not_found' })
    await expect(createToken(t.db, { name: '<script>', role: 'viewer', createdBy: 'admin' })).rejects.toMatchObject({ code: 'invalid_token_name' })
  })
})

describe('sign-in', () => {
  it('is refused after too many failures for one username, and every attempt is audited', async () => {
    await addUser(t.db, { username: 'erin', role: 'viewer', password })
    for (let i = 0; i < maxFailuresPerUser; i++) {
      expect(await signIn(t.db, 'erin', 'wrong password', `10.0.0.${i}`)).toEqual({ ok: false, reason: 'invalid_credentials' })
    }
    expect(await signIn(t.db, 'erin', password, '10.0.1.1')).toEqual({ ok: false, reason: 'too_many_attempts' })
    const outcomes = await t.sql(`SELECT outcome, count(*)::int AS n FROM manana_audit WHERE action = 'sign_in' GROUP BY outcome ORDER BY outcome`)
    expect(outcomes).toEqual([{ outcome: 'invalid_credentials', n: maxFailuresPerUser }, { outcome: 'too_many_attempts', n: 1 }])
    await addUser(t.db, { username: 'frank', role: 'viewer', password })
    expect(await signIn(t.db, 'frank', password, '10.0.1.1')).toMatchObject({ ok: true, actor: { name: 'frank' } })
  })
})

describe('sign-in under a burst', () => {
  it('checks at most the limit of attempts for one username, however many arrive at once', async () => {
    await addUser(t.db, { username: 'gwen', role: 'viewer', password })
    // 29 wrong passwords and then the right one, all at once, from as many addresses.
    const attempts = Array.from({ length: 30 }, (_, i) => (i < 29 ? 'wrong password' : password))
    const results = await Promise.all(attempts.map((guess, i) => signIn(t.db, 'gwen', guess, `10.1.0.${i}`)))
    const checked = results.filter((result) => result.ok || result.reason === 'invalid_credentials')
    expect(checked.length).toBeLessThanOrEqual(maxFailuresPerUser)
    expect(results.filter((result) => !result.ok && result.reason === 'too_many_attempts').length).toBe(30 - checked.length)
    // The right password, sent last, found the limit reached.
    expect(results[29]).toEqual({ ok: false, reason: 'too_many_attempts' })
  })

  it('does not count successful sign-ins against the limit, and a new password lifts a lock', async () => {
    await addUser(t.db, { username: 'hal', role: 'viewer', password })
    for (let i = 0; i < maxFailuresPerUser + 2; i++) expect(await signIn(t.db, 'hal', password, '10.2.0.1')).toMatchObject({ ok: true })
    for (let i = 0; i < maxFailuresPerUser; i++) expect(await signIn(t.db, 'hal', 'wrong password', '10.2.0.1')).toEqual({ ok: false, reason: 'invalid_credentials' })
    expect(await signIn(t.db, 'hal', password, '10.2.0.1')).toEqual({ ok: false, reason: 'too_many_attempts' })
    await setPassword(t.db, 'hal', 'a brand new password')
    expect(await signIn(t.db, 'hal', 'a brand new password', '10.2.0.1')).toMatchObject({ ok: true })
  })
})

describe('changing one\'s password', () => {
  it('checks the current one within the sign-in limits, audits wrong guesses, and refuses an unchanged password', async () => {
    const { user, password: oneTime } = await addUser(t.db, { username: 'ivy', role: 'viewer' })
    const actor = { name: user.username, role: user.role, userId: user.id }
    await expect(checkPasswordChange(t.db, actor, { current: oneTime, password: oneTime }, '10.3.0.1')).rejects.toMatchObject({ code: 'password_unchanged' })
    for (let i = 0; i < maxFailuresPerUser; i++) {
      expect(await checkPasswordChange(t.db, actor, { current: 'a wrong guess', password: 'a new long password' }, '10.3.0.1')).toEqual({ ok: false, reason: 'invalid_credentials' })
    }
    expect(await checkPasswordChange(t.db, actor, { current: oneTime, password: 'a new long password' }, '10.3.0.1')).toEqual({ ok: false, reason: 'too_many_attempts' })
    const outcomes = await t.sql(`SELECT outcome, count(*)::int AS n FROM manana_audit WHERE action = 'password.check' AND actor = 'ivy' GROUP BY outcome ORDER BY outcome`)
    expect(outcomes).toEqual([{ outcome: 'invalid_credentials', n: maxFailuresPerUser }, { outcome: 'too_many_attempts', n: 1 }])
  })
})

describe('the audit log', () => {
  const who = { actor: { name: 'olga', role: 'operator' as const }, source: '192.0.2.7' }

  it('commits with the action, and records a failed action after its rollback', async () => {
    const [id] = await deferJobs(t.db, [{ task: 'a' }])
    await audited(t.pool, who, 'job.cancel', { jobIds: [id!] }, (db) => new JobManager(db).cancel(id!))
    await expect(
      audited(t.pool, who, 'job.cancel', { jobIds: [id!] }, async (db) => {
        await db.query(`UPDATE procrastinate_jobs SET priority = 99 WHERE id = $1`, [id])
        await new JobManager(db).cancel(id!) // already cancelled: job_not_cancellable
      }),
    ).rejects.toMatchObject({ code: 'job_not_cancellable' })
    expect(await t.sql('SELECT status, priority FROM procrastinate_jobs')).toEqual([{ status: 'cancelled', priority: 0 }])
    const rows = await t.sql('SELECT actor, role, action, job_ids, source, outcome FROM manana_audit ORDER BY id')
    expect(rows).toEqual([
      { actor: 'olga', role: 'operator', action: 'job.cancel', job_ids: [String(id)], source: '192.0.2.7', outcome: 'ok' },
      { actor: 'olga', role: 'operator', action: 'job.cancel', job_ids: [String(id)], source: '192.0.2.7', outcome: 'job_not_cancellable' },
    ])
  })

  it('undoes the action when its audit row cannot be written', async () => {
    const [id] = await deferJobs(t.db, [{ task: 'a' }])
    await expect(
      audited(t.pool, who, 'job.cancel', { details: { unserializable: 1n } as never }, (db) => new JobManager(db).cancel(id!)),
    ).rejects.toThrow()
    expect(await t.sql('SELECT status FROM procrastinate_jobs')).toEqual([{ status: 'todo' }])
  })
})
