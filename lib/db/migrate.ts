import { spawn } from 'node:child_process'
import path from 'node:path'
import { projectRoot } from './project-root.ts'

/** Applies pending migrations (prisma migrate deploy) to the database at `url`. */
export async function migrateDatabase(url: string, { quiet = true } = {}): Promise<void> {
  // A path, not require.resolve: inside the console's server bundle that would give a module id.
  const cli = path.join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js')
  const output: Buffer[] = []
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
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
  if (code !== 0) {
    throw new Error(`migrations failed (prisma migrate deploy exited with ${code}):\n${Buffer.concat(output).toString()}`)
  }
}
