// `manana start` runs the console beside its worker: a production build of the Next.js app
// (made first when there is none, or when the sources are newer), served by `next start`.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { ensurePrismaClient } from '../lib/db/migrate.ts'
import { projectRoot } from '../lib/db/project-root.ts'

const require = createRequire(import.meta.url)
const nextCli = () => require.resolve('next/dist/bin/next')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'generated') continue
    const file = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs)
  }
  return newest
}

function buildIsCurrent(): boolean {
  const buildId = path.join(projectRoot, '.next', 'BUILD_ID')
  if (!fs.existsSync(buildId)) return false
  const built = fs.statSync(buildId).mtimeMs
  return ['app', 'components', 'lib'].every((dir) => newestSource(path.join(projectRoot, dir)) < built)
}

function run(args: string[], env: Record<string, string>, stdio: 'inherit' | 'pipe' = 'inherit'): ChildProcess {
  return spawn(process.execPath, [nextCli(), ...args], { cwd: projectRoot, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env }, stdio })
}

/** Builds if needed, then serves the console; resolves once it answers. */
export async function startConsole(databaseUrl: string, port: number, log: (line: string) => void): Promise<ChildProcess> {
  await ensurePrismaClient()
  if (!buildIsCurrent()) {
    log('building the console (once; about 30 s)…')
    const build = run(['build'], {})
    const code = await new Promise<number | null>((resolve) => build.on('close', resolve))
    if (code !== 0) throw new Error(`the console build failed (next build exited with ${code})`)
  }
  const server = run(['start', '--port', String(port)], { DATABASE_URL: databaseUrl }, 'pipe')
  server.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk))
  const stopServer = () => server.kill('SIGTERM')
  process.on('exit', stopServer) // whatever ends this process ends the console too
  const deadline = Date.now() + 60_000
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the console stopped at start (exit ${server.exitCode}); is port ${port} taken? Set PORT.`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`)
      if (response.ok) return server
    } catch {}
    if (Date.now() > deadline) {
      stopServer()
      throw new Error('the console did not answer within 60 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}
