import pg from 'pg'

/** The pg pool: the worker's hot path and lib/queue use it directly. */
export function createPool(url: string, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...options })
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {})
  return pool
}
