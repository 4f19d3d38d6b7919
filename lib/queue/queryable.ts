import type pg from 'pg'
import { fromDatabaseError } from './errors.ts'

/**
 * What lib/queue needs of a database connection: a pg pool or client here, and anything with
 * the same shape (the console wraps Prisma's $queryRawUnsafe in one).
 */
export interface Queryable {
  query<Row>(text: string, values?: unknown[]): Promise<Row[]>
}

export function fromPg(client: pg.Pool | pg.ClientBase): Queryable {
  return {
    async query<Row>(text: string, values?: unknown[]) {
      try {
        const result = await client.query(text, values)
        return result.rows as Row[]
      } catch (error) {
        throw fromDatabaseError(error)
      }
    },
  }
}
