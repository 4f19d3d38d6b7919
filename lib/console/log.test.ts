// The console's own records: a request it could not answer, as text or as a JSON line.
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  vi.resetModules()
})

async function written(format: string | undefined): Promise<string[]> {
  if (format !== undefined) vi.stubEnv('MANANA_LOG_FORMAT', format)
  const lines: string[] = []
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true))
  const { toErrorResponse } = await import('../api/http.ts')
  const response = toErrorResponse(new TypeError('cannot read x of undefined'), new Request('http://console.test/api/jobs/7?x=1'))
  expect(response.status).toBe(500)
  expect(await response.json()).toEqual({ error: { code: 'internal', message: 'the server failed to answer; see its log' } })
  return lines
}

describe('the console log', () => {
  it('writes a request it could not answer as one JSON object per line', async () => {
    const [line, ...rest] = await written('json')
    expect(rest).toEqual([])
    expect(JSON.parse(line!)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      name: 'console',
      level: 'error',
      event: 'http.internal_error',
      message: expect.stringMatching(/^GET \/api\/jobs\/7 answered 500: TypeError: cannot read x of undefined\n {4}at /),
      error: { message: 'cannot read x of undefined', stack: expect.stringContaining('TypeError: cannot read x of undefined') },
    })
  })

  it('writes text by default, with the stack', async () => {
    const [line] = await written(undefined)
    expect(line).toMatch(/^\S+ \[console\] GET \/api\/jobs\/7 answered 500: TypeError: cannot read x of undefined\n {4}at /)
  })

  it('refuses a format it does not know', async () => {
    vi.stubEnv('MANANA_LOG_FORMAT', 'xml')
    const { consoleLogFormat } = await import('./log.ts')
    expect(() => consoleLogFormat()).toThrow('MANANA_LOG_FORMAT must be text or json; got xml')
  })
})
