// Passwords are hashed with scrypt (memory-hard: 32 MiB per hash); session and API tokens are
// random 256-bit secrets, so a SHA-256 digest of them is all the database needs.
import crypto from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, length: number, options: crypto.ScryptOptions) => Promise<Buffer>
const cost = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const keyLength = 32

/** `scrypt$N$r$p$salt$key`, salt and key in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  const key = await scrypt(password, salt, keyLength, cost)
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N), r: Number(r), p: Number(p), maxmem: cost.maxmem,
  })
  return crypto.timingSafeEqual(actual, expected)
}

/** A password for a new user that nobody chose: 20 characters of base64url (120 bits). */
export const generatePassword = () => crypto.randomBytes(15).toString('base64url')

/** A new session or API token: what the client keeps, and what the database keeps. */
export function newToken(prefix: string): { token: string; digest: Buffer } {
  const token = `${prefix}_${crypto.randomBytes(32).toString('base64url')}`
  return { token, digest: digest(token) }
}

export const digest = (token: string) => crypto.createHash('sha256').update(token).digest()
