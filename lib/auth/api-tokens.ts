// Bearer tokens for the REST API: created by an admin with a role, shown once, kept as a digest,
// revoked rather than deleted so the audit log's names keep meaning something.
import { ManaError } from '../queue/errors.ts'
import type { Queryable } from '../queue/queryable.ts'
import type { Actor, Role } from './roles.ts'
import { digest, newToken } from './secrets.ts'

export interface ApiToken {
  id: number
  name: string
  role: Role
  createdBy: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

interface TokenRow {
  id: string
  name: string
  role: Role
  created_by: string
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}

const fromRow = (row: TokenRow): ApiToken => ({
  id: Number(row.id),
  name: row.name,
  role: row.role,
  createdBy: row.created_by,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
})

const columns = 'id, name, role, created_by, created_at, last_used_at, revoked_at'

/** A new token: the secret is in the answer and nowhere else. */
export async function createToken(db: Queryable, input: { name: string; role: Role; createdBy: string }): Promise<{ token: string; apiToken: ApiToken }> {
  if (!/^[\w .@-]{1,64}$/.test(input.name)) {
    throw new ManaError('invalid_token_name', 'a token name has 1 to 64 letters, digits, spaces and . _ @ -')
  }
  const { token, digest } = newToken('mnt')
  const [row] = await db.query<TokenRow>(
    `INSERT INTO manana_api_tokens (name, token_hash, role, created_by) VALUES ($1, $2, $3, $4) RETURNING ${columns}`,
    [input.name, digest, input.role, input.createdBy],
  )
  return { token, apiToken: fromRow(row!) }
}

export async function listTokens(db: Queryable): Promise<ApiToken[]> {
  return (await db.query<TokenRow>(`SELECT ${columns} FROM manana_api_tokens ORDER BY id DESC`)).map(fromRow)
}

export async function revokeToken(db: Queryable, id: number): Promise<ApiToken> {
  const [row] = await db.query<TokenRow>(
    `UPDATE manana_api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${columns}`,
    [id],
  )
  if (!row) throw new ManaError('token_not_found', `no API token ${id}`)
  return fromRow(row)
}

/** Who a bearer token acts as, while it is not revoked; notes its use at most once a minute. */
export async function tokenActor(db: Queryable, token: string): Promise<Actor | undefined> {
  const [row] = await db.query<{ id: string; name: string; role: Role; last_used_at: Date | null }>(
    'SELECT id, name, role, last_used_at FROM manana_api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [digest(token)],
  )
  if (!row) return undefined
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await db.query('UPDATE manana_api_tokens SET last_used_at = now() WHERE id = $1', [row.id])
  }
  return { name: `token:${row.name}`, role: row.role }
}
