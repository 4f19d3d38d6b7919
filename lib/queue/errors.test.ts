import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../db/project-root.ts'
import { fromDatabaseError, ManaError, sqlStates } from './errors.ts'

describe('error codes', () => {
  it('every SQLSTATE the migrations raise has its code here, and no code here goes unused', () => {
    const dir = path.join(projectRoot, 'prisma/migrations')
    const sql = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'migration.sql'))).map((d) => fs.readFileSync(path.join(dir, d, 'migration.sql'), 'utf8')).join('\n')
    const raised = new Set([...sql.matchAll(/'(MN\d{3})'/g)].map((m) => m[1]))
    expect([...raised].sort()).toEqual([...sqlStates].sort())
  })

  it('turns database errors into ManaErrors, and leaves others alone', () => {
    expect(fromDatabaseError({ code: 'MN004', message: 'parent job(s) 9 do not exist' })).toEqual(new ManaError('unknown_parent', 'parent job(s) 9 do not exist'))
    const clash = fromDatabaseError({ code: '23505', constraint: 'procrastinate_jobs_queueing_lock_idx_v1', detail: 'Key (queueing_lock)=(nightly) already exists.', message: '' })
    expect(clash).toMatchObject({ code: 'queueing_lock_taken', message: 'a job with queueing lock "nightly" is already waiting to run' })
    const other = { code: '42P01', message: 'relation does not exist' }
    expect(fromDatabaseError(other)).toBe(other)
  })

  it('app.task refuses, naming the task, a name or a queue that no worker could register', async () => {
    const { createApp } = await import('./app.ts')
    const app = createApp({ databaseUrl: 'postgresql://localhost/unused' })
    const long = 'report_'.repeat(19) // 133 characters
    expect(() => app.task(long, {}, async () => {})).toThrow(new ManaError('invalid_job', `task ${long.slice(0, 60)}…: a task name has 1 to 128 characters, not 133`))
    expect(() => app.task('', {}, async () => {})).toThrow('a task name has 1 to 128 characters, not 0')
    expect(() => app.task('nul\u0000', {}, async () => {})).toThrow(/^task nul\u0000: its name/)
    expect(() => app.task('mail', { queue: 'q'.repeat(41) }, async () => {})).toThrow(/^task mail: a queue name has at most 40 bytes/)
    expect(app.task('x'.repeat(128), { queue: 'q'.repeat(40) }, async () => {}).name).toHaveLength(128)
  })
})
