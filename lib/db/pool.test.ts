import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { connectionTimeoutMs, createClient, createPool } from './pool.ts'

const t = useTestDatabase()

const terminate = (pid: number) => t.sql('SELECT pg_terminate_backend($1)', [pid])

/** pg tells of the loss as the socket closes, after the failed query's rejection. */
async function told(lost: string[]): Promise<void> {
  for (let waited = 0; !lost.length && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))
}

describe('connections that die', () => {
  it('a checked-out pool client whose backend is terminated tells onConnectionLost and does not take the process down', async () => {
    const lost: string[] = []
    const pool = createPool(t.url, { applicationName: 'pool-test', onConnectionLost: (error) => lost.push(error.message) })
    try {
      const client = await pool.connect()
      const [{ pid, name }] = (await client.query('SELECT pg_backend_pid() AS pid, current_setting($1) AS name', ['application_name'])).rows
      expect(name).toBe('pool-test')
      await terminate(pid)
      await expect(client.query('SELECT 1')).rejects.toThrow()
      await told(lost)
      expect(lost.length).toBeGreaterThan(0)
      client.release(true)
      // The pool opens a new connection for the next query.
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await pool.end()
    }
  })

  it('a client of its own whose backend is terminated fails its next query instead of taking the process down', async () => {
    const lost: string[] = []
    const client = createClient({ connectionString: t.url }, (error) => lost.push(error.message))
    await client.connect()
    const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows
    await terminate(pid)
    await expect(client.query('SELECT 1')).rejects.toThrow()
    await told(lost)
    expect(lost.length).toBeGreaterThan(0)
    await client.end().catch(() => {})
  })

  it('a pool waits a bounded time for a free connection: exhaustion is an error, not a hang', async () => {
    expect(createPool(t.url).options.connectionTimeoutMillis).toBe(connectionTimeoutMs)
    const pool = createPool(t.url, { max: 1, connectionTimeoutMs: 300 })
    const held = await pool.connect()
    try {
      const started = Date.now()
      await expect(pool.query('SELECT 1')).rejects.toThrow(/timeout/)
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    } finally {
      held.release()
      await pool.end()
    }
  })
})
