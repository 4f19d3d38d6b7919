#!/usr/bin/env node
// The `manana` command line. Exit codes: 0 done, 1 the operation failed (the error's code is
// printed), 2 the command line itself was wrong. Each command is a file of cli/commands/.
import { parseArgs } from 'node:util'
import { isManaError } from '../lib/queue/errors.ts'
import { UsageError } from './cli/command.ts'
import { commands } from './cli/commands/index.ts'
import { closeOpened } from './cli/session.ts'

const usage = `Usage: manana COMMAND [options]     (manana COMMAND --help for its options)

${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`)
  .join('\n')}

The database is DATABASE_URL, or embedded PostgreSQL under ./.manana/ when it is unset.`

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name ? 0 : 2
  }
  const command = commands[name]
  if (!command) {
    console.error(`manana: unknown command "${name}"\n\n${usage}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}`)
    return 0
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true })
    if (positionals.length > (command.positionals ?? 0)) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`)
    return await command.run(values, positionals)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`manana ${name}: ${(error as Error).message}\nUsage: ${command.usage}`)
      return 2
    }
    throw error
  }
}

main(process.argv.slice(2)).then(
  async (code) => {
    await closeOpened()
    process.exit(code)
  },
  async (error) => {
    if (isManaError(error)) console.error(`manana: ${error.code}: ${error.message}`)
    else console.error(`manana: ${error instanceof Error ? error.message : String(error)}`)
    await closeOpened()
    process.exit(1)
  },
)
