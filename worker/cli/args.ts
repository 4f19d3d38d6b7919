// Reading the command line's values: each refusal is a UsageError naming the option.
import { logFormatFrom, type LogFormat } from '../../lib/observe/log.ts'
import { UsageError } from './command.ts'

export const logOptions = { 'log-format': { type: 'string' } } as const
export const logHelp = `  --log-format F         text (default) or json: one object per line (default: MANANA_LOG_FORMAT)`

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${what} must be JSON: ${(error as Error).message}`)
  }
}

/** A JSON object (not an array, not null). */
export function parseJsonObject(text: string, what: string, shape: string): Record<string, unknown> {
  const value = parseJson(text, what)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object${shape}`)
  return value as Record<string, unknown>
}

export function number(text: string, what: string): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`${what} must be a number, 0 or more; got ${text}`)
  return value
}

export function integer(text: string | undefined, what: string): number {
  const value = Number(text)
  if (!text || !Number.isSafeInteger(value)) throw new UsageError(`${what} must be an integer; got ${text ?? 'nothing'}`)
  return value
}

export function integerFrom(least: number, text: string, what: string): number {
  const value = integer(text, what)
  if (value < least) throw new UsageError(`${what} must be ${least} or more; got ${text}`)
  return value
}

export function portFrom(text: string, what: string): number {
  const value = integerFrom(1, text, what)
  if (value > 65535) throw new UsageError(`${what} must be a port, 1 to 65535; got ${text}`)
  return value
}

export function idList(text: string, what: string): number[] {
  return text.split(',').map((part) => integer(part.trim(), `${what} ${part}`))
}

/** A comma-separated list, trimmed. */
export const list = (text: string) => text.split(',').map((part) => part.trim())

/** Reads `text` with `read` when it was given. */
export const optional = <T>(text: string | undefined, read: (text: string) => T): T | undefined => (text === undefined ? undefined : read(text))

export function envNumber(name: string): number | undefined {
  return optional(process.env[name], (text) => number(text, name))
}

export function logFormatOf(flag: string | undefined): LogFormat {
  const [value, what] = flag === undefined ? [process.env.MANANA_LOG_FORMAT, 'MANANA_LOG_FORMAT'] : [flag, '--log-format']
  try {
    return logFormatFrom(value, what)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** A database URL as it may be printed: without its password. */
export function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}
