// The `manana` command line.
import { parseArgs } from 'node:util'
import { openDatabase } from '../lib/db/database.ts'
import { migrateDatabase } from '../lib/db/migrate.ts'

const usage = `Usage: manana <command> [options]

Commands:
  migrate   apply pending migrations to the database in use
  start     start the database in use (embedded PostgreSQL under .manana/ when
            DATABASE_URL is unset), apply migrations, and keep it running

The database is DATABASE_URL, or embedded PostgreSQL under .manana/ when it is unset.`

type Command = (args: string[]) => Promise<number>

const commands: Record<string, Command> = {
  async migrate(args) {
    parseArgs({ args, options: {} })
    const database = await openDatabase()
    try {
      await migrateDatabase(database.url, { quiet: false })
      console.log(`migrations applied to ${redact(database.url)}`)
      return 0
    } finally {
      await database.stop()
    }
  },

  async start(args) {
    parseArgs({ args, options: {} })
    const database = await openDatabase({ migrate: true })
    console.log(`database ready at ${redact(database.url)}${database.embedded ? ' (embedded, data in .manana/)' : ''}`)
    console.log('press Ctrl-C to stop')
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await database.stop()
    return 0
  },
}

function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name ? 0 : 2
  }
  const command = commands[name]
  if (!command) {
    console.error(`manana: unknown command "${name}"\n\n${usage}`)
    return 2
  }
  return command(args)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`manana: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
