// What a command of the `manana` command line is: its usage, its options (parsed by node's
// parseArgs, strictly) and what it runs with their values, typed from the options it declares.
import type { parseArgs } from 'node:util'

/** Options as parseArgs takes them (the subset the commands use). */
export type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>

/** The values parseArgs gives for these options. */
export type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']

export interface Command<O extends Options = Options> {
  usage: string
  summary: string
  options: O
  /** How many positional arguments it takes at most (default none). */
  positionals?: number
  /** Its exit code: 0 done, 1 the operation failed. */
  run(values: Values<O>, positionals: string[]): Promise<number>
}

/** A command, its values typed from its options. */
export const command = <const O extends Options>(definition: Command<O>): Command => definition as unknown as Command

/** The command line itself was wrong: said with the command's usage, exit 2. */
export class UsageError extends Error {}
