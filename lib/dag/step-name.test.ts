import { describe, expect, it } from 'vitest'
import { stepAndTask, taskBeside } from './step-name.ts'

describe('naming a job of a workflow', () => {
  it('by its step, with its task beside when that says more; a map step says "map"', () => {
    expect(stepAndTask({ step: 'download', task: 'download_data' })).toBe('download (download_data)')
    expect(stepAndTask({ step: 'notify', task: 'notify' })).toBe('notify')
    expect(stepAndTask({ step: null, task: 'notify' })).toBe('notify')
    expect(stepAndTask({ step: 'process', task: 'manana_map:files' })).toBe('process (map)')
    expect(taskBeside({ step: 'process', task: 'manana_map:files' })).toBe('map')
  })
})
