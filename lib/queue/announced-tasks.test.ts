import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { deferAsAnnounced, deferWorkflowAsAnnounced } from './announced-tasks.ts'

const t = useTestDatabase()

/** A worker's announcement of its tasks, as manana_register_worker() receives it. */
async function announce(...tasks: Array<Record<string, unknown>>) {
  await t.sql(`SELECT manana_register_worker('w', 'box', 1, NULL, 1, $1, 1)`, [JSON.stringify(tasks)])
}

const jobsInDatabase = () => t.sql('SELECT task_name, queue_name, priority, lock, queueing_lock FROM procrastinate_jobs ORDER BY id')

describe('deferring as the workers announced', () => {
  it('takes the queue, priority and locks the task announced, unless the job sets its own', async () => {
    await announce({ name: 'download_data', queue_name: 'io', priority: 3, lock: 'downloads', queueing_lock: 'one-download' })
    await deferAsAnnounced(t.db, [{ task: 'download_data' }])
    await deferAsAnnounced(t.db, [{ task: 'download_data', queue: 'urgent', priority: 9, lock: null, queueingLock: 'mine' }])
    expect(await jobsInDatabase()).toEqual([
      { task_name: 'download_data', queue_name: 'io', priority: 3, lock: 'downloads', queueing_lock: 'one-download' },
      { task_name: 'download_data', queue_name: 'urgent', priority: 9, lock: null, queueing_lock: 'mine' },
    ])
  })

  it('refuses a task no worker announced, writing nothing, unless unknown tasks are allowed', async () => {
    await announce({ name: 'download_data', queue_name: 'io', priority: 0 })
    await expect(deferWorkflowAsAnnounced(t.db, { a: { task: 'download_data' }, b: { task: 'dowload_data', dependsOn: ['a'] } })).rejects.toMatchObject({
      code: 'unknown_task',
      message: expect.stringMatching(/^no worker has announced task dowload_data: check the name/),
    })
    expect(await jobsInDatabase()).toEqual([])
    await deferAsAnnounced(t.db, [{ task: 'python_task' }], { allowUnknownTask: true })
    expect(await jobsInDatabase()).toEqual([{ task_name: 'python_task', queue_name: 'default', priority: 0, lock: null, queueing_lock: null }])
  })

  it('are applied by manana_defer_jobs itself, for any writer: SQL, Python, the CLI', async () => {
    await announce({ name: 'download_data', queue_name: 'io', priority: 3, lock: 'downloads', queueing_lock: null })
    await t.sql(`SELECT * FROM manana_defer_jobs('[{"task_name": "download_data"}, {"task_name": "download_data", "queue_name": null, "lock": null},
                                                   {"task_name": "download_data", "queue_name": "urgent", "priority": 1}, {"task_name": "not_announced"}]')`)
    expect(await jobsInDatabase()).toEqual([
      { task_name: 'download_data', queue_name: 'io', priority: 3, lock: 'downloads', queueing_lock: null },
      { task_name: 'download_data', queue_name: 'io', priority: 3, lock: null, queueing_lock: null },
      { task_name: 'download_data', queue_name: 'urgent', priority: 1, lock: 'downloads', queueing_lock: null },
      { task_name: 'not_announced', queue_name: 'default', priority: 0, lock: null, queueing_lock: null },
    ])
  })
})
