// Upstream Procrastinate 3.9 (Python), test data in ../shared/upstream (absent from a user's
// clone: tests that need it skip, saying so): where it is, and a folder with an app module to
// run it against a database, with Debian's Python.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { projectRoot } from '../lib/db/project-root.ts'

export const upstreamDir = path.join(projectRoot, '..', 'shared', 'upstream', 'procrastinate-3.9.0')
export const python = '/usr/bin/python3'
export const hasUpstream = fs.existsSync(upstreamDir)

/**
 * A folder holding `py_app.py`, upstream's App on DATABASE_URL followed by `source` (tasks,
 * scripts), and how to run Python there; `remove` deletes the folder.
 */
export function pythonApp(url: string, source = ''): { cwd: string; env: NodeJS.ProcessEnv; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manana-py-'))
  fs.writeFileSync(
    path.join(dir, 'py_app.py'),
    `import os, procrastinate
app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=os.environ["DATABASE_URL"]))
${source}`,
  )
  return {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: url, PYTHONPATH: `${dir}:${upstreamDir}` },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}
