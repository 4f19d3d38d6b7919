import { spawn, type ChildProcess } from 'node:child_process'
import { projectRoot } from '../lib/db/project-root.ts'

export interface Spawned {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** Runs `manana ARGS…` (through tsx) against the database at `url`, with `input` on its standard input. */
export function manana(url: string, args: string[], env: Record<string, string> = {}, input?: string): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/cli.ts', ...args], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: url, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  if (input !== undefined) child.stdin!.end(input)
  const chunks: Buffer[] = []
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk))
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, output: () => Buffer.concat(chunks).toString(), exited }
}

/** Runs a command to its end: its exit code and output. */
export async function runManana(url: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const spawned = manana(url, args, env, input)
  const code = await spawned.exited
  return { code, output: spawned.output() }
}
