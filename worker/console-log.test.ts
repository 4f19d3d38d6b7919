// `manana console --log-format json`: what Next.js writes itself becomes a record too, so that
// every line of the console's log is a JSON object.
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { until } from '../test/until.ts'
import { passLog } from './console-server.ts'

afterEach(() => vi.restoreAllMocks())

describe("the console server's log", () => {
  it('passes records through and wraps other lines as records', async () => {
    const lines: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true))
    const stderr = new PassThrough()
    passLog(stderr, 'json')
    const record = JSON.stringify({ time: '2026-12-02T00:00:00.000Z', name: 'console', level: 'error', event: 'http.internal_error', message: 'm' })
    stderr.write(`${record}\n ⚠ Next.js warning\n\n`)
    await until(async () => lines.length >= 2, 'two lines')
    vi.restoreAllMocks()
    expect(lines[0]).toBe(`${record}\n`)
    expect(JSON.parse(lines[1]!)).toMatchObject({ name: 'console', level: 'warn', event: 'console.output', message: ' ⚠ Next.js warning' })
    expect(lines).toHaveLength(2)
  })
})
