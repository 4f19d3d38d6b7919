// The write-ahead log a benchmark writes: the server's position (pg_current_wal_lsn) at marks, and
// the bytes between them. It is the whole server's log, so a benchmark run alone measures itself.
// Plain erasable TypeScript: the peers' processes run it on Node 22 without a compiler.
import pg from 'pg'

export interface WalMarks {
  /** Notes the log's position now. */
  mark(): Promise<void>
  /** The bytes written between consecutive marks (closes its connection). */
  bytes(): Promise<number[]>
}

/** Starts counting from the log's position now. */
export async function walMarks(connectionString: string): Promise<WalMarks> {
  const client = new pg.Client({ connectionString })
  client.on('error', (error) => console.error(`wal: the connection counting the log was lost: ${error.message}`)) // its next query fails too
  await client.connect()
  const position = async () => (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn
  const marks = [await position()]
  return {
    async mark() {
      marks.push(await position())
    },
    async bytes() {
      const { rows } = await client.query<{ bytes: string }>(
        'SELECT pg_wal_lsn_diff(later, earlier)::bigint::text AS bytes FROM unnest($1::pg_lsn[], $2::pg_lsn[]) AS mark (earlier, later)',
        [marks.slice(0, -1), marks.slice(1)],
      )
      await client.end()
      return rows.map((row) => Number(row.bytes))
    },
  }
}
