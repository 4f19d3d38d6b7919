// npm run build (npm pack runs it first): dist/ holds what the packages ship: for manana, the
// library, the worker and the command line as JavaScript with declarations; for manana-console,
// the console's standalone build (dist/manana-console), rebuilt only when its sources changed.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { projectRoot } from '../lib/db/project-root.ts'
import { consolePackageDir, ensureConsoleBuilt } from './console-server.ts'

const dist = path.join(projectRoot, 'dist')
for (const entry of fs.existsSync(dist) ? fs.readdirSync(dist) : []) {
  if (path.join(dist, entry) !== consolePackageDir) fs.rmSync(path.join(dist, entry), { recursive: true })
}
await ensureConsoleBuilt() // not again when nothing it is built from changed (CI's second npm test)

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: projectRoot, stdio: 'inherit' })
if (compiled.status !== 0) throw new Error(`tsc -p tsconfig.build.json exited with ${compiled.status}`)

// tsc rewrites the .ts in relative imports of the JavaScript it emits, not of the declarations.
function rewriteDeclarations(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory() && file !== consolePackageDir) rewriteDeclarations(file)
    else if (entry.name.endsWith('.d.ts')) {
      const text = fs.readFileSync(file, 'utf8')
      fs.writeFileSync(file, text.replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2'))
    }
  }
}
rewriteDeclarations(dist)
fs.chmodSync(path.join(dist, 'worker', 'cli.js'), 0o755)
console.log(`built ${path.relative(process.cwd(), dist) || 'dist'}/`)
