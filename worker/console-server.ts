// The console as a process: the Next.js app's standalone production build (server.js and only
// the files it needs), run with plain node. It ships prebuilt in a package of its own,
// manana-console (built into dist/manana-console), so that a service that only runs workers does
// not carry it; in a clone it is built here first when the sources are newer than the build.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import readline from 'node:readline'
import type { Readable } from 'node:stream'
import { projectRoot } from '../lib/db/project-root.ts'
import { lineLogger, type LogFormat } from '../lib/observe/log.ts'

/** The manana-console package, as the build writes it: package.json and the server in console/. */
export const consolePackageDir = path.join(projectRoot, 'dist', 'manana-console')
const builtConsoleDir = path.join(consolePackageDir, 'console')
/** Preloaded into the console's server: it stamps requests with their socket's address. */
const peerStamp = 'console-peer.cjs'
const sourceDirs = ['app', 'components', 'lib']
const sourceFiles = ['next.config.ts', 'proxy.ts', 'instrumentation.ts', 'package-lock.json', `worker/${peerStamp}`, 'worker/console-server.ts'] // this file builds it
const isClone = () => fs.existsSync(path.join(projectRoot, 'app'))
const require = createRequire(import.meta.url)

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
  const buildId = path.join(builtConsoleDir, '.next', 'BUILD_ID')
  if (!fs.existsSync(buildId)) return false
  const built = fs.statSync(buildId).mtimeMs
  return (
    sourceDirs.every((dir) => newestSource(path.join(projectRoot, dir)) < built) &&
    sourceFiles.every((file) => fs.statSync(path.join(projectRoot, file)).mtimeMs < built)
  )
}

async function run(program: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [program, ...args], {
    cwd: projectRoot,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://localhost/unused' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve))
  if (code !== 0) throw new Error(`${path.basename(program)} ${args.join(' ')} exited with ${code}`)
}

/**
 * Builds the manana-console package into dist/manana-console (in a clone: it needs the dev
 * dependencies), unless the build there is newer than every source; its manifest is written
 * again either way (the version may have moved).
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (buildIsCurrent()) writeConsolePackage()
  else await buildConsole()
}

async function buildConsole(): Promise<void> {
  await run(require.resolve('prisma/build/index.js'), ['generate', '--no-hints'])
  await run(require.resolve('next/dist/bin/next'), ['build'])
  const next = path.join(projectRoot, '.next')
  fs.rmSync(consolePackageDir, { recursive: true, force: true })
  // The server, its build and its packages; not the other files tracing found (the data of
  // embedded PostgreSQL, which the code names, among them). Turbopack reaches external packages
  // through symlinks under .next/node_modules, which npm pack leaves out: copy what they point to.
  for (const entry of ['server.js', 'package.json', '.next', 'node_modules']) {
    fs.cpSync(path.join(next, 'standalone', entry), path.join(builtConsoleDir, entry), { recursive: true, dereference: true })
  }
  fs.cpSync(path.join(next, 'static'), path.join(builtConsoleDir, '.next', 'static'), { recursive: true })
  // The console's pg and the Prisma adapter's must be one module: the adapter borrows the
  // console's pool, which it recognises with instanceof. Turbopack's alias of pg (a copy, once
  // dereferenced) becomes a package that re-exports the copy the adapter loads.
  const aliases = path.join(builtConsoleDir, '.next', 'node_modules')
  for (const alias of fs.readdirSync(aliases).filter((name) => /^pg-[0-9a-f]+$/.test(name))) {
    fs.rmSync(path.join(aliases, alias), { recursive: true })
    fs.mkdirSync(path.join(aliases, alias))
    fs.writeFileSync(path.join(aliases, alias, 'package.json'), `${JSON.stringify({ name: alias, main: 'index.js' })}\n`)
    fs.writeFileSync(path.join(aliases, alias, 'index.js'), "module.exports = require('pg')\n")
  }
  fs.copyFileSync(path.join(projectRoot, 'worker', peerStamp), path.join(builtConsoleDir, peerStamp))
  // Turbopack traces Prisma's query engines for every database; the console uses PostgreSQL's
  // query compiler only (the client is engineType "client").
  for (const modules of ['node_modules', '.next/node_modules']) {
    const scope = path.join(builtConsoleDir, modules, '@prisma')
    for (const client of fs.readdirSync(scope).filter((name) => name.startsWith('client'))) {
      const runtime = path.join(scope, client, 'runtime')
      for (const file of fs.readdirSync(runtime)) {
        if (/^query_engine_bg\.|\.(sqlite|mysql|sqlserver|cockroachdb)\./.test(file)) fs.rmSync(path.join(runtime, file))
      }
    }
  }
  writeConsolePackage()
}

/** The package around the build: same version as manana, which serves it (`manana console`). */
function writeConsolePackage(): void {
  const manana = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
  const manifest = {
    name: 'manana-console',
    version: manana.version,
    description: "Mañana's web console, prebuilt: `npx manana console` serves it",
    license: manana.license,
    repository: manana.repository,
    type: 'module',
    files: ['console'],
    engines: manana.engines,
    peerDependencies: { manana: manana.version },
  }
  fs.writeFileSync(path.join(consolePackageDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  fs.writeFileSync(
    path.join(consolePackageDir, 'README.md'),
    `# manana-console\n\nThe web console of [Mañana](https://github.com/manana-queue/manana), prebuilt. Install it beside \`manana\` (same version) and run \`npx manana console\`.\n`,
  )
  fs.copyFileSync(path.join(projectRoot, 'LICENSE'), path.join(consolePackageDir, 'LICENSE'))
}

/**
 * The console's server folder: this clone's build, or the manana-console package installed
 * beside manana; throws, saying what to install, when there is none.
 */
export function findConsole(): string {
  if (isClone()) return builtConsoleDir
  try {
    return path.join(path.dirname(require.resolve('manana-console/package.json')), 'console')
  } catch {
    const { version } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
    throw new Error(`the console is a package of its own: install manana-console@${version} beside manana (npm install manana-console@${version})`)
  }
}

export interface ConsoleOptions {
  databaseUrl: string
  port: number
  /** The address to listen on; 127.0.0.1 unless told otherwise. */
  host: string
  /** How the console's server writes its log, on standard error (default text). */
  logFormat?: LogFormat
  log: (line: string) => void
}

/**
 * Passes the server's standard error on; as JSON lines, what Next.js itself writes (not a
 * record) becomes a record too, so that a log pipeline reads every line.
 */
export function passLog(stderr: Readable, format: LogFormat): void {
  if (format === 'text') {
    stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk))
    return
  }
  const write = lineLogger('console', 'json', (line) => process.stderr.write(`${line}\n`))
  readline.createInterface({ input: stderr, crlfDelay: Infinity }).on('line', (line) => {
    if (/^\{.*\}$/.test(line)) process.stderr.write(`${line}\n`)
    else if (line.trim()) write({ level: 'warn', event: 'console.output', message: line })
  })
}

/** Serves the console (built first in a clone when needed); resolves once it answers. */
export async function startConsole({ databaseUrl, port, host, logFormat = 'text', log }: ConsoleOptions): Promise<ChildProcess> {
  if (isClone() && !buildIsCurrent()) {
    log('building the console (once; about 30 s)…')
    await ensureConsoleBuilt()
  }
  const dir = findConsole()
  const serverJs = path.join(dir, 'server.js')
  if (!fs.existsSync(serverJs)) throw new Error(`the console is not built: ${serverJs} is missing (npm run build)`)
  const server = spawn(process.execPath, ['--require', path.join(dir, peerStamp), serverJs], {
    cwd: dir,
    // Idle keep-alive connections stay open 65 s (Node's default is 5 s): a client or proxy that
    // reuses one a little later must not have it closed under its next request (ECONNRESET).
    env: {
      KEEP_ALIVE_TIMEOUT: '65000',
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOSTNAME: host,
      MANANA_LOG_FORMAT: logFormat,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  passLog(server.stderr!, logFormat)
  const stopServer = () => server.kill('SIGTERM')
  process.on('exit', stopServer) // whatever ends this process ends the console too
  const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  const deadline = Date.now() + 60_000
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the console stopped at start (exit ${server.exitCode}); is port ${port} taken? Set --port.`)
    try {
      const response = await fetch(`http://${probeHost.includes(':') ? `[${probeHost}]` : probeHost}:${port}/api/health`)
      if (response.ok) return server
    } catch {}
    if (Date.now() > deadline) {
      stopServer()
      throw new Error('the console did not answer within 60 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}
