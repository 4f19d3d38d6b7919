import pg from 'pg'

export interface PoolSettings {
  /** Connections at most (default 10). */
  max?: number
  /** Shown in pg_stat_activity (`manana-worker NAME`, `manana-console`, `manana-cli`); a URL's own application_name wins. */
  applicationName?: string
  /** How long a query waits for a free connection before it fails (default connectionTimeoutMs). */
  connectionTimeoutMs?: number
  /** Told when a connection dies (a server restart, a terminated backend); the query using it fails on its own. Default: a warning on standard error. */
  onConnectionLost?: (error: Error) => void
}

/** Where a lost connection is said when nobody else listens. */
const warnConnectionLost = (error: Error) => console.warn(`manana: a database connection was lost: ${error.message}`)

/** How long a query waits for a free connection (or a new one) by default, before it fails instead of hanging. */
export const connectionTimeoutMs = 10_000

/**
 * A pg pool whose connections may die at any moment without taking the process down: pg makes a
 * client whose connection dies emit 'error', and an 'error' with no listener crashes the process.
 * The pool listens on idle clients only, so every client gets its own listener as it connects.
 */
export function createPool(url: string, { max = 10, applicationName, connectionTimeoutMs: timeout = connectionTimeoutMs, onConnectionLost = warnConnectionLost }: PoolSettings = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: timeout, application_name: applicationName })
  pool.on('error', () => {}) // an idle client's: its own listener below tells of it
  pool.on('connect', (client) => client.on('error', onConnectionLost))
  return pool
}

/** Whether a query failed for want of a free connection within the pool's connection timeout. */
export const isPoolExhausted = (error: unknown): boolean => error instanceof Error && error.message === 'timeout exceeded when trying to connect'

/** A client (not pooled) that survives its connection dying: its next query fails instead. */
export function createClient(config: pg.ClientConfig, onConnectionLost = warnConnectionLost): pg.Client {
  const client = new pg.Client({ connectionTimeoutMillis: connectionTimeoutMs, ...config })
  client.on('error', onConnectionLost)
  return client
}
