import type pg from 'pg'

/**
 * Runs `run` in one transaction: committed when it returns, rolled back when it throws (the
 * error is thrown on). Given a pool, it takes a connection for the transaction and gives it back;
 * given a client (a session of its own), it uses that one.
 */
export async function withTransaction<T>(db: pg.Pool | pg.ClientBase, run: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  // A pool counts its idle connections; a client does not (an app's own pg, another copy, included).
  const client = 'idleCount' in db ? await db.connect() : db
  try {
    await client.query('BEGIN')
    const result = await run(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {}) // a dead connection has rolled back already
    throw error
  } finally {
    if (client !== db) (client as pg.PoolClient).release()
  }
}
