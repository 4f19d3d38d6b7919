// What the console's server says of itself (the first admin it made, a request it could not
// answer, an audit entry it could not write): records as a worker's, on standard error, as text
// or as JSON lines (MANANA_LOG_FORMAT; `manana console --log-format json` sets it).
import { errorRecord, lineLogger, logFormatFrom, type LogFormat, type Logger, type LogRecord } from '../observe/log.ts'

/** The format MANANA_LOG_FORMAT names; throws for anything but text or json (checked as the server starts). */
export const consoleLogFormat = (): LogFormat => logFormatFrom(process.env.MANANA_LOG_FORMAT, 'MANANA_LOG_FORMAT')

let logger: Logger | undefined
const log: Logger = (record) => (logger ??= lineLogger('console', consoleLogFormat(), (line) => process.stderr.write(`${line}\n`)))(record)

/** A request answered 500: what failed, with its stack. */
export function logInternalError(request: Request | undefined, error: unknown): void {
  const where = request ? `${request.method} ${new URL(request.url).pathname}` : 'a request'
  const record = errorRecord(error)
  log({ level: 'error', event: 'http.internal_error', message: `${where} answered 500: ${record.stack ?? record.message}`, error: record })
}

/** The first admin was made: how to sign in (its one-time password, shown this once), as a record. */
export const firstAdminRecord = (notice: string): LogRecord => ({ level: 'warn', event: 'console.first_admin', message: notice.trim().replace(/\s*\n\s*/g, ' ') })

/** The first admin was made as the server started. */
export function logFirstAdmin(notice: string): void {
  log(firstAdminRecord(notice))
}

/** A request answered 503: every pooled connection stayed in use for the whole connection timeout. */
export function logDatabaseBusy(request: Request | undefined): void {
  const where = request ? `${request.method} ${new URL(request.url).pathname}` : 'a request'
  log({ level: 'warn', event: 'http.database_busy', message: `${where} answered 503 database_busy: every database connection stayed in use` })
}

/** A refused request that the audit log could not take. */
export function logAuditWriteFailed(error: unknown): void {
  const record = errorRecord(error)
  log({ level: 'error', event: 'audit.write_failed', message: `could not write a refused request to the audit log: ${record.message}`, error: record })
}

/** One of the console's database connections died (a restart, a terminated backend); what used it fails on its own. */
export function logConnectionLost(error: Error): void {
  log({ level: 'warn', event: 'console.connection_lost', message: `a database connection was lost: ${error.message}` })
}

/** What the live updates' listening session says of itself (lost, listening again, notifications that never arrive). */
export function logListener(level: 'info' | 'warn', event: string, message: string): void {
  log({ level, event, message })
}
