// A real PgBouncer (Debian's `pgbouncer` package) in front of a test database, in the mode asked
// for, on a free port, with its own files in a temporary folder. It refuses to run as root: as
// root it runs as the postgres user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((file) => fs.existsSync(file))

/** Whether PgBouncer is installed here (CI installs it; `apt-get install -y pgbouncer`). */
export const hasPgbouncer = binary !== undefined

export interface Pgbouncer {
  /** The database's URL through PgBouncer. */
  url: string
  log(): string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export async function startPgbouncer(databaseUrl: string, mode: 'transaction' | 'session'): Promise<Pgbouncer> {
  const target = new URL(databaseUrl)
  const user = decodeURIComponent(target.username || os.userInfo().username)
  const password = decodeURIComponent(target.password)
  const database = target.pathname.slice(1)
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manana-pgbouncer-'))
  const asRoot = process.getuid?.() === 0
  fs.writeFileSync(path.join(dir, 'users.txt'), `"${user}" "${password}"\n`)
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    `[databases]
${database} = host=${target.hostname} port=${target.port || 5432} dbname=${database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = ${password ? 'md5' : 'trust'}
auth_file = ${path.join(dir, 'users.txt')}
pool_mode = ${mode}
default_pool_size = 20
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = ${path.join(dir, 'pgbouncer.log')}
pidfile = ${path.join(dir, 'pgbouncer.pid')}
`,
  )
  if (asRoot) spawnSync('chown', ['-R', 'postgres', dir])
  const child: ChildProcess = spawn(binary!, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  const log = () => {
    try {
      return fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8')
    } catch {
      return ''
    }
  }
  for (let waited = 0; ; waited += 50) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false))
      socket.unref()
      setTimeout(() => socket.destroy(), 500).unref()
    })
    if (up) break
    if (waited > 10_000 || child.exitCode !== null) throw new Error(`PgBouncer did not start:\n${log()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const url = new URL(databaseUrl)
  url.hostname = '127.0.0.1'
  url.port = String(port)
  return {
    url: url.toString(),
    log,
    async stop() {
      child.kill('SIGINT')
      await exited
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
