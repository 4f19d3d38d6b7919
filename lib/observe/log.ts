// What a worker or the console says: each thing that happens is a structured record, written as
// a line a person reads (`time name message`) or as one JSON object per line for a log
// pipeline, or (a worker's) handed whole to the app's own logger (pino, winston, console…).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface LogRecord {
  level: LogLevel
  /** What happened: `job.started`, `job.succeeded`, `job.failed`, `job.retry_scheduled`, … (README). */
  event: string
  /** The same, as a sentence. */
  message: string
  /** The worker's id, once registered. */
  worker?: number
  job?: number
  task?: string
  queue?: string
  attempt?: number
  /** The job's workflow (null: a job alone). */
  workflow?: number | null
  /** How long the attempt ran, in milliseconds. */
  durationMs?: number
  error?: { message: string; stack: string | null }
}

export type Logger = (record: LogRecord) => void
const logFormats = ['text', 'json'] as const
export type LogFormat = (typeof logFormats)[number]

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/** The least level written as lines: MANANA_LOG_LEVEL, else info (debug records are left out). */
export function logLevelFrom(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info'
  if ((levels as readonly string[]).includes(value)) return value as LogLevel
  throw new Error(`MANANA_LOG_LEVEL must be one of ${levels.join(', ')}; got ${value}`)
}

/** Writes each record of `least` level or above as a line, in `format`, to `write` (standard output by default). */
export function lineLogger(
  name: string,
  format: LogFormat,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  least: LogLevel = logLevelFrom(process.env.MANANA_LOG_LEVEL),
): Logger {
  const shown = levels.indexOf(least)
  return (record) => {
    if (levels.indexOf(record.level) < shown) return
    const time = new Date().toISOString()
    write(format === 'json' ? JSON.stringify({ time, name, ...record }) : `${time} [${name}] ${printable(record.message)}`)
  }
}

/**
 * Text as one record of a terminal or a log file: line breaks and other control characters
 * (escape sequences that retitle a terminal or clear it), and the marks that reorder text, are
 * written as escapes (\n, \r, \x1b, \u202e), so that what a task logs can neither start a
 * record of its own nor disguise one. Tabs stay, and so does a line break before an indented
 * line (a stack's frames): every record starts at the start of a line with its time.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char, at: number) => {
    if (char === '\n') return /[ \t]/.test(text[at + 1] ?? '') ? char : '\\n'
    if (char === '\r') return '\\r'
    const code = char.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
  })
}

/** A log format by name (MANANA_LOG_FORMAT, --log-format): text unless set. */
export function logFormatFrom(value: string | undefined, what: string): LogFormat {
  if (value === undefined || value === '') return 'text'
  if ((logFormats as readonly string[]).includes(value)) return value as LogFormat
  throw new Error(`${what} must be text or json; got ${value}`)
}

/** What a component that reports only now and then writes through: a sentence. */
export type Log = (message: string) => void

export const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** How an error is kept (a failed attempt's) and logged: its message and stack. */
export const errorRecord = (error: unknown): { message: string; stack: string | null } =>
  error instanceof Error ? { message: error.message, stack: error.stack ?? null } : { message: String(error), stack: null }
