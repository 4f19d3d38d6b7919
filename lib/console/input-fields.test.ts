import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { jsonSchemaOf } from '../queue/standard-schema.ts'
import { inputFields, inputFromFields } from './input-fields.ts'

const schema = jsonSchemaOf(
  z.object({
    url: z.url().describe('where the data is'),
    rows: z.number().int().default(100),
    ratio: z.number().optional(),
    dryRun: z.boolean().default(false),
    region: z.enum(['eu', 'us']).default('eu'),
    tags: z.array(z.string()).default([]),
  }),
)

describe('a workflow input form', () => {
  it('has a field per property of the announced schema, by type, with defaults and choices', () => {
    expect(inputFields(schema)).toEqual([
      { name: 'url', kind: 'text', required: true, default: undefined, description: 'where the data is', choices: undefined },
      { name: 'rows', kind: 'integer', required: false, default: 100, description: undefined, choices: undefined },
      { name: 'ratio', kind: 'number', required: false, default: undefined, description: undefined, choices: undefined },
      { name: 'dryRun', kind: 'boolean', required: false, default: false, description: undefined, choices: undefined },
      { name: 'region', kind: 'text', required: false, default: 'eu', description: undefined, choices: ['eu', 'us'] },
      { name: 'tags', kind: 'json', required: false, default: [], description: undefined, choices: undefined },
    ])
    expect(inputFields(null)).toEqual([])
  })

  it('makes the input from what was typed, leaving empty fields to their defaults', () => {
    const fields = inputFields(schema)
    expect(inputFromFields(fields, { url: 'https://x', rows: '', ratio: '0.5', dryRun: 'true', tags: '["a"]' })).toEqual({ input: { url: 'https://x', ratio: 0.5, dryRun: true, tags: ['a'] } })
    expect(inputFromFields(fields, { url: ' ' })).toEqual({ problem: 'url is required' })
    expect(inputFromFields(fields, { url: 'u', rows: '1.5' })).toEqual({ problem: 'rows must be a whole number' })
    expect(inputFromFields(fields, { url: 'u', tags: '[' })).toEqual({ problem: 'tags is not JSON' })
  })
})
