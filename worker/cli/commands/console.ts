import type { ChildProcess } from 'node:child_process'
import { trustedProxies } from '../../../lib/api/client-address.ts'
import { ensureFirstAdmin, firstAdminNotice } from '../../../lib/auth/users.ts'
import { firstAdminRecord } from '../../../lib/console/log.ts'
import { checkSchema } from '../../../lib/db/schema-check.ts'
import { lineLogger } from '../../../lib/observe/log.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { findConsole, startConsole } from '../../console-server.ts'
import { logFormatOf, logHelp, logOptions, portFrom } from '../args.ts'
import { command } from '../command.ts'
import { openApp, useDatabase } from '../session.ts'

export const consoleOptions = { port: { type: 'string' }, host: { type: 'string' }, ...logOptions } as const
export const consoleHelp = `  --port N               the console's port (default: PORT, or 3000)
  --host ADDRESS         the address it listens on (default: HOST, or 127.0.0.1; 0.0.0.0 for all)`

export default command({
  usage: `manana console [--port 3000] [--host 127.0.0.1]\n${consoleHelp}\n${logHelp}`,
  summary: 'serve the console (prebuilt) on the database in use; runs no worker',
  options: consoleOptions,
  async run(values) {
    const { url } = await useDatabase({ migrate: false })
    const { server } = await serveConsole(url, values)
    return runUntilStopped(server)
  },
})

/** Starts the console on `url` (with its first admin) and prints its address. */
export async function serveConsole(url: string, values: { port?: string; host?: string; 'log-format'?: string }): Promise<{ address: string; server: ChildProcess }> {
  const port = portFrom(values.port ?? process.env.PORT ?? '3000', '--port')
  const host = values.host ?? process.env.HOST ?? '127.0.0.1'
  findConsole() // before anything is written: is the console installed?
  trustedProxies() // and is MANANA_TRUSTED_PROXIES readable? (else every request would fail)
  const logFormat = logFormatOf(values['log-format'])
  const db = fromPg(await (await openApp(url)).pool())
  await checkSchema(db)
  const firstAdmin = await ensureFirstAdmin(db)
  const server = await startConsole({ databaseUrl: url, port, host, logFormat, log: console.log })
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
  const address = `http://${shown}:${port}`
  const notice = firstAdmin && firstAdminNotice(firstAdmin.password, process.env.MANANA_ADMIN_PASSWORD !== undefined)
  if (logFormat === 'json') {
    // A log pipeline reads every line: these too are records.
    const say = lineLogger('console', 'json')
    say({ level: 'info', event: 'console.started', message: `Mañana console: ${address}` })
    if (notice) say(firstAdminRecord(notice))
  } else {
    console.log(`\n  Mañana console: ${address}\n`)
    if (notice) console.log(notice)
  }
  return { address, server }
}

/** Runs until SIGINT or SIGTERM (0), or until the console's server stops by itself (1). */
function runUntilStopped(server: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    let signalled = false
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        signalled = true
        resolve(0)
      })
    }
    server.once('exit', (code) => {
      if (signalled) return // Ctrl-C reaches the server too
      console.error(`manana: the console's server stopped (exit ${code})`)
      resolve(1)
    })
  })
}
