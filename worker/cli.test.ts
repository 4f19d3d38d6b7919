// The command line, as a person (or a script) runs it: output, errors and exit codes.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { runManana } from '../test/processes.ts'

const t = useTestDatabase()
const cli = (...args: string[]) => runManana(t.url, args)

describe('manana CLI', () => {
  it('defers jobs with options and parents, and lists them', async () => {
    const parent = await cli('defer', 'download_data', '{"url": "x", "user_id": 42}', '--queue', 'io', '--priority', '3')
    expect(parent).toMatchObject({ code: 0, output: '1\n' })
    const child = await cli('defer', 'process_data', '--depends-on', '1', '--lock', 'L', '--in', '60')
    expect(child).toMatchObject({ code: 0, output: '2\n' })
    const [row] = await t.sql('SELECT lock, unfinished_parents, scheduled_at > now() AS later FROM procrastinate_jobs WHERE id = 2')
    expect(row).toEqual({ lock: 'L', unfinished_parents: 1, later: true })

    const list = await cli('jobs', '--args', '{"user_id": 42}')
    expect(list.code).toBe(0)
    expect(list.output).toMatch(/^id\s+status\s+task/)
    expect(list.output).toMatch(/\n1\s+todo\s+download_data\s+io/)
    expect(list.output).not.toMatch(/process_data/)
    const json = await cli('jobs', '--status', 'todo', '--json', '--limit', '1')
    expect(JSON.parse(json.output)).toMatchObject({ id: 2, task: 'process_data', unfinishedParents: 1 })
  })

  it('refuses bad input with a code and exit 1, and a bad command line with exit 2', async () => {
    expect(await cli('defer', 'x', '--depends-on', '999')).toMatchObject({ code: 1, output: expect.stringContaining('unknown_parent') })
    expect(await cli('defer', 'x', '[1, 2]')).toMatchObject({ code: 1, output: expect.stringContaining('invalid_args') })
    expect(await cli('defer', 'x', '{not json')).toMatchObject({ code: 2, output: expect.stringContaining('must be JSON') })
    expect(await cli('defer', 'x', '--priority', 'high')).toMatchObject({ code: 2, output: expect.stringContaining('--priority') })
    expect(await cli('defer', 'x', '--at', 'someday')).toMatchObject({ code: 2, output: expect.stringContaining('ISO 8601') })
    expect(await cli('jobs', '--status', 'sleeping')).toMatchObject({ code: 2, output: expect.stringContaining('--status sleeping') })
    expect(await cli('jobs', '--colour')).toMatchObject({ code: 2, output: expect.stringContaining("Unknown option '--colour'") })
    expect(await cli('explode')).toMatchObject({ code: 2, output: expect.stringContaining('unknown command') })
    expect(await cli('worker')).toMatchObject({ code: 2, output: expect.stringContaining('--app is required') })
    expect(await cli('cancel', '12345')).toMatchObject({ code: 1, output: expect.stringContaining('job_not_found') })
    expect(await t.sql('SELECT * FROM procrastinate_jobs')).toEqual([])
  })

  it('retries (with a dry run and downstream), cancels, aborts and deletes', async () => {
    await t.sql(`SELECT * FROM manana_defer_jobs('[{"key":"a","task_name":"a"},{"key":"b","task_name":"b","depends_on":["a"]},{"task_name":"c"}]')`)
    expect(await cli('retry', '1')).toMatchObject({ code: 1, output: expect.stringContaining('job_not_retryable') })
    await t.sql(`SELECT id FROM manana_fetch_jobs(NULL, NULL, 1)`)
    await t.sql(`SELECT manana_finish_job(1, 'failed', NULL, false)`)
    await t.sql(`SELECT id FROM manana_fetch_jobs(NULL, NULL, 1)`)
    await t.sql(`SELECT manana_finish_job(2, 'succeeded', NULL, false)`)

    const dry = await cli('retry', '1', '--downstream', '--dry-run')
    expect(dry).toMatchObject({ code: 0, output: '1 a (failed)\n  2 b (succeeded)\nwould run 2 job(s) again\n' })
    expect((await t.sql('SELECT status FROM procrastinate_jobs WHERE id = 2'))[0]!.status).toBe('succeeded')
    expect(await cli('retry', '1', '--downstream')).toMatchObject({ code: 0, output: expect.stringContaining('2 job(s) will run again') })

    expect(await cli('cancel', '3')).toMatchObject({ code: 0, output: 'job 3 is cancelled\n' })
    expect(await cli('abort', '1')).toMatchObject({ code: 0, output: 'job 1 is cancelled\n' })
    expect(await cli('delete', '1')).toMatchObject({ code: 1, output: expect.stringContaining('job_has_unfinished_children') })
    expect(await cli('delete', '3')).toMatchObject({ code: 0, output: 'job 3 deleted\n' })
  })

  it('migrates an empty database and checks health', async () => {
    const admin = new pg.Client({ connectionString: t.url })
    await admin.connect()
    const name = `manana_cli_empty_${process.pid}`
    await admin.query(`CREATE DATABASE ${name}`)
    const url = t.url.replace(/\/[^/]+$/, `/${name}`)
    try {
      expect(await runManana(url, ['healthcheck'])).toMatchObject({ code: 1, output: expect.stringContaining('run: manana migrate') })
      expect(await runManana(url, ['defer', 'x'])).toMatchObject({ code: 1, output: expect.stringContaining('manana migrate') })
      expect(await runManana(url, ['migrate'])).toMatchObject({ code: 0, output: expect.stringContaining('migrations applied') })
      const health = await runManana(url, ['healthcheck'])
      expect(health).toMatchObject({ code: 0, output: expect.stringContaining('workers: 0 alive') })
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  })

  it('has help for every command', async () => {
    const help = await cli('--help')
    expect(help.code).toBe(0)
    for (const command of ['worker', 'start', 'migrate', 'defer', 'jobs', 'retry', 'cancel', 'abort', 'delete', 'healthcheck']) {
      expect(help.output).toContain(`  ${command} `)
    }
    expect(await cli('retry', '--help')).toMatchObject({ code: 0, output: expect.stringContaining('--downstream') })
  })
})
