// The command line, as a person (or a script) runs it: output, errors and exit codes.
import pg from 'pg'
import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { migrations } from '../lib/db/migrate.ts'
import { useTestDatabase } from '../test/database.ts'
import { manana, runManana } from '../test/processes.ts'
import { until } from '../test/until.ts'

const t = useTestDatabase()
const cli = (...args: string[]) => runManana(t.url, args)

describe('manana CLI', () => {
  it('defers jobs with options and parents, and lists them', async () => {
    // A worker announced download_data: its jobs take that queue and priority unless told otherwise.
    await t.sql(`SELECT manana_register_worker('w', 'box', 1, NULL, 1, '[{"name": "download_data", "queue_name": "io", "priority": 3}]', 1)`)
    const parent = await cli('defer', 'download_data', '{"url": "x", "user_id": 42}')
    expect(parent).toMatchObject({ code: 0, output: '1\n' })
    expect(await cli('defer', 'process_data', '--depends-on', '1')).toMatchObject({ code: 1, output: expect.stringContaining('unknown_task') })
    const child = await cli('defer', 'process_data', '--depends-on', '1', '--lock', 'L', '--in', '60', '--allow-unknown-task')
    expect(child).toMatchObject({ code: 0, output: '2\n' })
    const rows = await t.sql('SELECT queue_name, priority, lock, unfinished_parents, scheduled_at > now() AS later FROM procrastinate_jobs ORDER BY id')
    expect(rows).toEqual([
      { queue_name: 'io', priority: 3, lock: null, unfinished_parents: 0, later: null },
      { queue_name: 'default', priority: 0, lock: 'L', unfinished_parents: 1, later: true },
    ])

    const list = await cli('jobs', '--args', '{"user_id": 42}')
    expect(list.code).toBe(0)
    expect(list.output).toMatch(/^id\s+status\s+task/)
    expect(list.output).toMatch(/\n1\s+todo\s+download_data\s+io/)
    expect(list.output).not.toMatch(/process_data/)
    const json = await cli('jobs', '--status', 'todo', '--json', '--limit', '1')
    expect(JSON.parse(json.output)).toMatchObject({ id: 2, task: 'process_data', unfinishedParents: 1 })
    // A long (Python, dotted) task name is cut, so that the columns after it stay aligned.
    await t.sql(`INSERT INTO procrastinate_jobs (queue_name, task_name) VALUES ('io', 'myproject.reports.tasks.generate_the_quarterly_report_for_all_regions')`)
    const lines = (await cli('jobs')).output.trim().split('\n')
    const queueAt = (line: string) => line.search(/ (io|default|queue)\b/)
    expect(new Set(lines.map(queueAt)).size).toBe(1)
    expect(lines[1]).toContain('myproject.reports.tasks.generate_the_qu…')
  })

  it('defers a named workflow, from an argument or standard input, all or nothing', async () => {
    const made = await cli('workflow', '{"get": {"task": "download_data", "args": {"url": "x"}}, "use": {"task": "process_data", "dependsOn": ["get"]}}', '--name', 'nightly etl', '--allow-unknown-task')
    expect(made).toMatchObject({ code: 0 })
    expect(JSON.parse(made.output)).toEqual({ get: 1, use: 2 })
    expect(await t.sql('SELECT name FROM manana_workflows')).toEqual([{ name: 'nightly etl' }])
    const piped = await runManana(t.url, ['workflow', '-', '--allow-unknown-task'], {}, '{"a": {"task": "x"}, "b": {"task": "y", "dependsOn": ["a", 1]}}')
    expect(JSON.parse(piped.output)).toEqual({ a: 3, b: 4 })
    expect(await cli('workflow', '{"a": {"task": "x"}, "b": {"task": "y", "dependsOn": ["zz"]}}', '--allow-unknown-task')).toMatchObject({ code: 1, output: expect.stringContaining('unknown_parent_key') })
    expect(await cli('workflow', '{"a": {"task": "never_announced"}}')).toMatchObject({ code: 1, output: expect.stringContaining('unknown_task') })
    expect(await cli('workflow', '["a"]')).toMatchObject({ code: 2, output: expect.stringContaining('a JSON object of jobs by key') })
    expect(await cli('workflow')).toMatchObject({ code: 2, output: expect.stringContaining('which jobs?') })
    expect((await t.sql('SELECT count(*)::int AS n FROM procrastinate_jobs'))[0]).toEqual({ n: 4 })
  })

  it("runs a workflow the app defines, with its input, under the definition's name", async () => {
    const app = ['--app', 'worker/demo/app.ts']
    const ran = await cli('run', 'etl', '{"url": "https://example.com/q3.csv"}', ...app)
    expect(ran).toMatchObject({ code: 0 })
    expect(JSON.parse(ran.output)).toEqual({ download: 1, process: 2, report: 3 })
    const fan = await cli('run', 'fan_out', '{"shards": 3}', ...app)
    expect(JSON.parse(fan.output)).toEqual({ split: 4, merge: 8 })
    expect(await t.sql('SELECT name FROM manana_workflows ORDER BY id')).toEqual([{ name: 'etl' }, { name: 'fan_out' }])
    expect((await t.sql('SELECT args FROM procrastinate_jobs WHERE id = 1'))[0]!.args).toEqual({ url: 'https://example.com/q3.csv' })
    expect(await cli('run', 'nightly', ...app)).toMatchObject({ code: 2, output: expect.stringContaining('defines no workflow nightly; it defines: etl, diamond, fan_out, failing_branch') })
    // Without --app, a running worker that defines it is asked (none runs here: it says so after 10 s).
    expect(await cli('run', 'nightly')).toMatchObject({ code: 1, output: expect.stringContaining('workflow_definition_not_found') })
  })

  it('run withdraws its request when interrupted, so that no worker defers it later', async () => {
    await t.sql(`INSERT INTO manana_workflow_definitions (name) VALUES ('etl')`)
    const run = manana(t.url, ['run', 'etl'])
    await until(async () => (await t.sql('SELECT id FROM manana_workflow_requests')).length === 1, 'the request')
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(1)
    expect(run.output()).toContain('workflow_unavailable: the request to run workflow etl was withdrawn before a worker answered it')
    expect(await t.sql('SELECT id FROM manana_workflow_requests')).toEqual([])
  })

  it('refuses bad input with a code and exit 1, and a bad command line with exit 2', async () => {
    expect(await cli('defer', 'x', '--depends-on', '999', '--allow-unknown-task')).toMatchObject({ code: 1, output: expect.stringContaining('unknown_parent') })
    expect(await cli('defer', 'x', '[1, 2]', '--allow-unknown-task')).toMatchObject({ code: 1, output: expect.stringContaining('invalid_args') })
    expect(await cli('defer', 'x', '{not json')).toMatchObject({ code: 2, output: expect.stringContaining('must be JSON') })
    expect(await cli('defer', 'x', '--priority', 'high')).toMatchObject({ code: 2, output: expect.stringContaining('--priority') })
    expect(await cli('defer', 'x', '--at', 'someday')).toMatchObject({ code: 2, output: expect.stringContaining('ISO 8601') })
    expect(await cli('jobs', '--status', 'sleeping')).toMatchObject({ code: 2, output: expect.stringContaining('--status sleeping') })
    expect(await cli('jobs', '--colour')).toMatchObject({ code: 2, output: expect.stringContaining("Unknown option '--colour'") })
    expect(await cli('explode')).toMatchObject({ code: 2, output: expect.stringContaining('unknown command') })
    expect(await cli('worker')).toMatchObject({ code: 2, output: expect.stringContaining('--app is required') })
    expect(await cli('worker', '--app', 'test/apps/dag-app.ts', '--health-port', '70000')).toMatchObject({ code: 2, output: expect.stringContaining('--health-port must be a port, 1 to 65535') })
    expect(await cli('worker', '--app', 'test/apps/dag-app.ts', '--log-format', 'xml')).toMatchObject({ code: 2, output: expect.stringContaining('--log-format must be text or json; got xml') })
    expect(await cli('console', '--log-format', 'xml')).toMatchObject({ code: 2, output: expect.stringContaining('--log-format must be text or json; got xml') })
    expect(await cli('cancel', '12345')).toMatchObject({ code: 1, output: expect.stringContaining('job_not_found') })
    expect(await t.sql('SELECT * FROM procrastinate_jobs')).toEqual([])
    expect(await t.sql('SELECT * FROM manana_users')).toEqual([]) // the console refused before it made its first admin
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
    // Job 1 is cancelled now: marked succeeded by hand, audited as the CLI's user; bad JSON refused first.
    expect(await cli('mark-succeeded', '1', '--result', '{"rows":')).toMatchObject({ code: 2, output: expect.stringContaining('--result') })
    expect(await cli('mark-succeeded', '1', '--result', '{"rows": 3}')).toMatchObject({ code: 0, output: 'job 1 is succeeded\n' })
    expect((await t.sql('SELECT status, result FROM procrastinate_jobs WHERE id = 1'))[0]).toEqual({ status: 'succeeded', result: { rows: 3 } })
    expect(await t.sql("SELECT actor, job_ids, outcome FROM manana_audit WHERE action = 'job.mark_succeeded'")).toEqual([{ actor: `cli:${os.userInfo().username}`, job_ids: ['1'], outcome: 'ok' }])
    expect(await cli('mark-succeeded', '1')).toMatchObject({ code: 1, output: expect.stringContaining('job_not_markable') })
  })

  it('migrate makes the database when the server has none of that name, saying so', async () => {
    const name = `manana_cli_new_${process.pid}`
    const url = t.url.replace(/\/[^/]+$/, `/${name}`)
    try {
      const made = await runManana(url, ['migrate'])
      expect(made).toMatchObject({ code: 0, output: expect.stringContaining(`created database ${name} (it did not exist)`) })
      expect(made.output).toContain(`${migrations().length} migration(s) applied`)
    } finally {
      await t.sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  })

  it('migrates an empty database and checks health', async () => {
    const admin = new pg.Client({ connectionString: t.url })
    await admin.connect()
    const name = `manana_cli_empty_${process.pid}`
    await admin.query(`CREATE DATABASE ${name}`)
    const url = t.url.replace(/\/[^/]+$/, `/${name}`)
    try {
      expect(await runManana(url, ['healthcheck'])).toMatchObject({ code: 1, output: expect.stringContaining('schema_missing') })
      expect(await runManana(url, ['defer', 'x'])).toMatchObject({ code: 1, output: expect.stringContaining('run `npx manana migrate`') })
      // Workers do not migrate unless asked.
      const refused = await runManana(url, ['worker', '--app', 'test/apps/dag-app.ts', '--once'])
      expect(refused).toMatchObject({ code: 1, output: expect.stringContaining('schema_missing') })
      expect(await runManana(url, ['migrate'])).toMatchObject({ code: 0, output: expect.stringContaining(`${migrations().length} migration(s) applied`) })
      expect(await runManana(url, ['migrate'])).toMatchObject({ code: 0, output: expect.stringContaining('is up to date') })
      const health = await runManana(url, ['healthcheck'])
      expect(health).toMatchObject({ code: 0, output: expect.stringContaining('workers: 0 alive') })
      // A worker judged as the workers judge one (manana_gone_workers), with their stale-after setting.
      const late = new pg.Client({ connectionString: url })
      await late.connect()
      const [registered] = (await late.query(`SELECT manana_register_worker('late', 'host', 1, NULL, 1, '[]', 1, 0.4, 'test') AS id`)).rows
      await late.query(`UPDATE procrastinate_workers SET last_heartbeat = now() - interval '10 seconds' WHERE id = $1`, [registered.id])
      await late.end()
      expect(await runManana(url, ['healthcheck'])).toMatchObject({ code: 0, output: expect.stringContaining('workers: 1 alive, 0 gone') })
      expect(await runManana(url, ['healthcheck'], { MANANA_STALE_AFTER: '5' })).toMatchObject({ code: 0, output: expect.stringContaining('workers: 0 alive, 1 gone') })

      // One migration short of current: workers and commands refuse, and say what to do.
      const behind = new pg.Client({ connectionString: url })
      await behind.connect()
      await behind.query(`DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations)`)
      await behind.end()
      expect(await runManana(url, ['worker', '--app', 'test/apps/dag-app.ts', '--once'])).toMatchObject({ code: 1, output: expect.stringContaining('schema_behind') })
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  })

  it("start refuses to run the demo's worker on a database holding jobs it did not defer, whatever their tasks", async () => {
    // download_data is also a task of the demo's: its worker would run this job with its own code.
    await cli('defer', 'download_data', '{"url": "https://example.com/mine.csv"}', '--allow-unknown-task')
    await cli('defer', 'send_email', '{"to": "someone"}', '--allow-unknown-task')
    const refused = await cli('start', '--port', '3999')
    expect(refused).toMatchObject({ code: 1, output: expect.stringContaining('holds jobs that the demo did not defer') })
    expect(await t.sql(`SELECT task_name, status FROM procrastinate_jobs ORDER BY id`)).toEqual([
      { task_name: 'download_data', status: 'todo' },
      { task_name: 'send_email', status: 'todo' },
    ])
    expect(await t.sql(`SELECT * FROM procrastinate_workers`)).toEqual([])
  })

  it('pauses and resumes a queue, in the audit log; one that nothing knows only with --force', async () => {
    expect(await cli('pause', 'io')).toMatchObject({ code: 1, output: expect.stringContaining('unknown_queue: no job, task or worker knows queue io') })
    expect(await cli('pause', 'io', '--force')).toMatchObject({ code: 0, output: 'queue io is paused\n' })
    expect(await cli('pause', 'io')).toMatchObject({ code: 0, output: 'queue io was paused already\n' })
    expect(await t.sql('SELECT queue_name, paused_by FROM manana_paused_queues')).toEqual([{ queue_name: 'io', paused_by: expect.stringMatching(/^cli:/) }])
    expect(await cli('resume', 'io')).toMatchObject({ code: 0, output: 'queue io is resumed\n' })
    expect(await cli('resume', 'io')).toMatchObject({ code: 0, output: 'queue io was not paused\n' })
    expect(await cli('pause', '')).toMatchObject({ code: 2 })
    const audit = await t.sql(`SELECT action, details->>'queue' AS queue FROM manana_audit WHERE action LIKE 'queue.%' ORDER BY id`)
    expect(audit.map((row) => `${row.action} ${row.queue}`)).toEqual(['queue.pause io', 'queue.pause io', 'queue.pause io', 'queue.resume io', 'queue.resume io'])
  })

  it('prunes old finished jobs in batches, with a dry run first, in the audit log', async () => {
    const ids = JSON.parse((await cli('workflow', '{"a": {"task": "x"}, "b": {"task": "x"}, "c": {"task": "x"}, "d": {"task": "x"}}', '--allow-unknown-task')).output)
    await t.sql(`SELECT manana_finish_job(id, 'succeeded', NULL, false) FROM procrastinate_jobs WHERE id <> $1`, [ids.d])
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '8 days'`)
    expect(await cli('prune', '--older-than', '7d', '--dry-run')).toEqual({ code: 0, output: '3 job(s) would be deleted\n' })
    expect(await cli('prune', '--older-than', '7d', '--batch', '2', '--status', 'succeeded')).toEqual({ code: 0, output: 'deleted 3 job(s)\n' })
    expect(await t.sql('SELECT id::int FROM procrastinate_jobs')).toEqual([{ id: ids.d }])
    expect(await t.sql(`SELECT actor, details->>'deleted' AS deleted, outcome FROM manana_audit WHERE action = 'jobs.prune'`)).toEqual([
      { actor: expect.stringMatching(/^cli:/), deleted: '3', outcome: 'ok' },
    ])
    expect(await cli('prune', '--older-than', '7 days')).toMatchObject({ code: 1, output: expect.stringContaining('invalid_retention') })
    expect(await cli('prune', '--older-than', '1d', '--status', 'todo')).toMatchObject({ code: 1, output: expect.stringContaining('invalid_retention') })
    expect(await cli('prune')).toMatchObject({ code: 2, output: expect.stringContaining('--older-than is required') })
  })

  it('creates, lists and revokes API tokens', async () => {
    const created = await cli('token', 'create', 'ci deploys', '--role', 'operator')
    expect(created).toMatchObject({ code: 0, output: expect.stringMatching(/^token 1 "ci deploys" \(operator\), shown this once:\nmnt_\S+\n$/) })
    const [row] = await t.sql(`SELECT name, role, created_by FROM manana_api_tokens`)
    expect(row).toMatchObject({ name: 'ci deploys', role: 'operator', created_by: expect.stringMatching(/^cli:/) })
    expect(await cli('token', 'list')).toMatchObject({ code: 0, output: expect.stringMatching(/^1\s+ci deploys\s+operator\s+last used never/) })
    expect(await cli('token', 'revoke', '1')).toMatchObject({ code: 0, output: 'token 1 "ci deploys" is revoked\n' })
    expect(await cli('token', 'list')).toMatchObject({ output: expect.stringContaining('revoked') })
    expect(await cli('token', 'revoke', '7')).toMatchObject({ code: 1, output: expect.stringContaining('token_not_found') })
    expect(await cli('token', 'create', 'x', '--role', 'root')).toMatchObject({ code: 2, output: expect.stringContaining('--role is one of') })
    expect(await cli('token', 'create', 'bad/name')).toMatchObject({ code: 1, output: expect.stringContaining('invalid_token_name') })
    const audit = await t.sql(`SELECT action FROM manana_audit ORDER BY id`)
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['token.create', 'token.revoke']))
  })

  it('has help for every command', async () => {
    const help = await cli('--help')
    expect(help.code).toBe(0)
    for (const command of ['worker', 'console', 'start', 'migrate', 'defer', 'jobs', 'retry', 'mark-succeeded', 'cancel', 'abort', 'delete', 'user', 'token', 'healthcheck']) {
      expect(help.output).toContain(`  ${command} `)
    }
    expect(await cli('retry', '--help')).toMatchObject({ code: 0, output: expect.stringContaining('--downstream') })
  })
})
