// The console's users: add, remove, change password or role, list, check a password. There is
// always at least one admin: the last one can be neither removed nor demoted.
import { ManaError } from '../queue/errors.ts'
import type { Queryable } from '../queue/queryable.ts'
import type { Actor, Role } from './roles.ts'
import { generatePassword, hashPassword, verifyPassword } from './secrets.ts'

export const minPasswordLength = 12
const maxPasswordLength = 1024
const usernamePattern = /^[a-z0-9][a-z0-9._@-]{0,63}$/

export interface User {
  id: number
  username: string
  role: Role
  mustChangePassword: boolean
  createdAt: Date
}

interface UserRow {
  id: string
  username: string
  role: Role
  must_change_password: boolean
  created_at: Date
  password_hash: string
}

const fromRow = (row: UserRow): User => ({
  id: Number(row.id),
  username: row.username,
  role: row.role,
  mustChangePassword: row.must_change_password,
  createdAt: row.created_at,
})

function checkPassword(password: string) {
  if (password.length < minPasswordLength || password.length > maxPasswordLength) {
    throw new ManaError('weak_password', `a password has ${minPasswordLength} to ${maxPasswordLength} characters`)
  }
}

/**
 * Adds a user. Without a password one is generated, returned once, and must be changed at the
 * first sign-in.
 */
export async function addUser(db: Queryable, input: { username: string; role: Role; password?: string }): Promise<{ user: User; password: string }> {
  if (!usernamePattern.test(input.username)) {
    throw new ManaError('invalid_username', 'a username has 1 to 64 characters: lower-case letters, digits and . _ @ -, starting with a letter or digit')
  }
  if (input.password !== undefined) checkPassword(input.password)
  const password = input.password ?? generatePassword()
  const rows = await db.query<UserRow>(
    `INSERT INTO manana_users (username, password_hash, role, must_change_password) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING *`,
    [input.username, await hashPassword(password), input.role, input.password === undefined],
  )
  if (!rows[0]) throw new ManaError('user_exists', `user ${input.username} already exists`)
  return { user: fromRow(rows[0]), password }
}

export async function listUsers(db: Queryable): Promise<User[]> {
  return (await db.query<UserRow>('SELECT * FROM manana_users ORDER BY username')).map(fromRow)
}

/** The statement's condition that keeps one admin: the row is not an admin, or another admin exists. */
const notTheLastAdmin = `(role <> 'admin' OR EXISTS (SELECT 1 FROM manana_users AS other WHERE other.role = 'admin' AND other.id <> manana_users.id))`

async function explainMiss(db: Queryable, username: string): Promise<never> {
  const [exists] = await db.query('SELECT 1 FROM manana_users WHERE username = $1', [username])
  if (!exists) throw new ManaError('user_not_found', `no user ${username}`)
  throw new ManaError('last_admin', `${username} is the last admin: make another admin first`)
}

export async function removeUser(db: Queryable, username: string): Promise<void> {
  const rows = await db.query(`DELETE FROM manana_users WHERE username = $1 AND ${notTheLastAdmin} RETURNING id`, [username])
  if (!rows[0]) await explainMiss(db, username)
}

export async function setRole(db: Queryable, username: string, role: Role): Promise<User> {
  const rows = await db.query<UserRow>(
    `UPDATE manana_users SET role = $2::manana_role WHERE username = $1 AND ($2::manana_role = 'admin' OR ${notTheLastAdmin}) RETURNING *`,
    [username, role],
  )
  return rows[0] ? fromRow(rows[0]) : explainMiss(db, username)
}

/**
 * Sets a user's password (generated when not given, and then to be changed at the next sign-in)
 * and ends their sessions.
 */
export async function setPassword(db: Queryable, username: string, given?: string): Promise<{ user: User; password: string }> {
  if (given !== undefined) checkPassword(given)
  const password = given ?? generatePassword()
  const rows = await db.query<UserRow>(
    `WITH changed AS (
       UPDATE manana_users SET password_hash = $2, must_change_password = $3 WHERE username = $1 RETURNING *
     ), ended AS (
       DELETE FROM manana_sessions WHERE user_id IN (SELECT id FROM changed)
     ), unlocked AS ( -- a new password starts a new count of sign-in attempts
       DELETE FROM manana_sign_in_attempts WHERE subject = 'user:' || $1 AND EXISTS (SELECT FROM changed)
     )
     SELECT * FROM changed`,
    [username, await hashPassword(password), given === undefined],
  )
  if (!rows[0]) throw new ManaError('user_not_found', `no user ${username}`)
  return { user: fromRow(rows[0]), password }
}

/** A dummy hash, verified when the user does not exist, so that both cases take as long. */
let dummyHash: Promise<string> | undefined

/** The user these credentials belong to, or undefined. */
export async function checkCredentials(db: Queryable, username: string, password: string): Promise<Actor | undefined> {
  const [row] = await db.query<UserRow>('SELECT * FROM manana_users WHERE username = $1', [username])
  if (!row) {
    await verifyPassword(password, await (dummyHash ??= hashPassword(generatePassword())))
    return undefined
  }
  if (!(await verifyPassword(password, row.password_hash))) return undefined
  return { name: row.username, role: row.role, userId: Number(row.id), mustChangePassword: row.must_change_password }
}

/**
 * On a database without users, adds the admin `admin`: with MANANA_ADMIN_PASSWORD when given,
 * else with a generated one-time password to print. Undefined when users exist already.
 */
export async function ensureFirstAdmin(db: Queryable, password = process.env.MANANA_ADMIN_PASSWORD || undefined) {
  const [any] = await db.query('SELECT 1 FROM manana_users LIMIT 1')
  if (any) return undefined
  try {
    return await addUser(db, { username: 'admin', role: 'admin', password })
  } catch (error) {
    if ((error as ManaError).code === 'user_exists') return undefined // another process was first
    throw error
  }
}

/** What the first start prints about the admin it created. */
export function firstAdminNotice(password: string, fromEnvironment: boolean): string {
  return fromEnvironment
    ? '  Sign in as admin with the password in MANANA_ADMIN_PASSWORD.\n'
    : `  Sign in as admin with this one-time password: ${password}\n  (it is shown once; you will choose your own at the first sign-in)\n`
}
