import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { projectRoot } from './project-root.ts'

/** Runs the Prisma CLI; throws with its output when it fails. */
async function runPrisma(args: string[], databaseUrl: string, { quiet = true } = {}): Promise<void> {
  // A path, not require.resolve: inside the console's server bundle that would give a module id.
  const cli = path.join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js')
  const output: Buffer[] = []
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        output.push(chunk)
        if (!quiet) process.stderr.write(chunk)
      })
    }
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (code !== 0) throw new Error(`prisma ${args.join(' ')} exited with ${code}:\n${Buffer.concat(output).toString()}`)
}

/** Applies pending migrations (prisma migrate deploy) to the database at `url`. */
export function migrateDatabase(url: string, options: { quiet?: boolean } = {}): Promise<void> {
  return runPrisma(['migrate', 'deploy'], url, options)
}

/**
 * Generates the Prisma client (lib/db/generated, not committed) when it is missing or older than
 * prisma/schema.prisma; it needs no database.
 */
export async function ensurePrismaClient(): Promise<void> {
  const client = path.join(projectRoot, 'lib', 'db', 'generated', 'client.ts')
  const schema = path.join(projectRoot, 'prisma', 'schema.prisma')
  if (fs.existsSync(client) && fs.statSync(client).mtimeMs >= fs.statSync(schema).mtimeMs) return
  await runPrisma(['generate', '--no-hints'], process.env.DATABASE_URL ?? 'postgresql://localhost/unused')
}
