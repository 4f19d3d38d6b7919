import { describe, expect, it } from 'vitest'
import { isActive, matches, needsAttention, nextOf, noQuery } from './find.ts'
import type { JobStatus } from '../queue/job.ts'

const job = (id: number, task: string, status: JobStatus = 'todo') => ({ id, task, status })
const jobs = [job(1, 'extract', 'succeeded'), job(12, 'load', 'failed'), job(3, 'Load_Report', 'doing'), job(40, 'extract', 'aborted')]

describe('finding jobs', () => {
  it('matches an id exactly, or part of a task name in any case; filters by status and task', () => {
    expect(isActive(noQuery)).toBe(false)
    expect(jobs.filter((j) => matches(j, { ...noQuery, text: '12' })).map((j) => j.id)).toEqual([12])
    expect(jobs.filter((j) => matches(j, { ...noQuery, text: ' LOAD ' })).map((j) => j.id)).toEqual([12, 3])
    expect(jobs.filter((j) => matches(j, { ...noQuery, status: 'failed' })).map((j) => j.id)).toEqual([12])
    expect(jobs.filter((j) => matches(j, { text: 'ex', status: '', task: 'extract' })).map((j) => j.id)).toEqual([1, 40])
    expect(jobs.filter((j) => matches(j, { text: '', status: 'succeeded', task: 'load' }))).toEqual([])
  })

  it('steps through the jobs that need attention, after the current one, wrapping around', () => {
    expect(nextOf(jobs, undefined, needsAttention.failed)?.id).toBe(12)
    expect(nextOf(jobs, 12, needsAttention.failed)?.id).toBe(40)
    expect(nextOf(jobs, 40, needsAttention.failed)?.id).toBe(12)
    expect(nextOf(jobs, 12, needsAttention.running)?.id).toBe(3)
    expect(nextOf(jobs, 3, needsAttention.running)?.id).toBe(3) // the only one
    expect(nextOf(jobs, 999, (j) => j.task === 'nothing')).toBeUndefined()
  })
})
