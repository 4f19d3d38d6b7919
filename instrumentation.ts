// Next.js calls this once when the server starts: connect, and check the schema, before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { consoleContext } = await import('./lib/console/context.ts')
    await consoleContext()
  }
}
