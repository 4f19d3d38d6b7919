// Next.js calls this once when the server starts: check the log format, connect, and check the schema, before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { consoleLogFormat } = await import('./lib/console/log.ts')
    consoleLogFormat() // a MANANA_LOG_FORMAT other than text or json stops the start, saying so
    const { consoleContext } = await import('./lib/console/context.ts')
    await consoleContext()
  }
}
