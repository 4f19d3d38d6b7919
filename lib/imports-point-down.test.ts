// The layers: app/ (pages, routes) → components/ → lib/. Nothing imports from a layer above it,
// whether by a relative path or by the @/ alias (the project's root, which app/ uses).
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from './db/project-root.ts'

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(file)
    return /\.tsx?$/.test(entry.name) ? [file] : []
  })
}

/** Each file's imports that resolve into one of `above` (folders of the project). */
function upwardImports(layer: string, above: string[]): string[] {
  return sources(layer).flatMap((file) => {
    const text = fs.readFileSync(path.join(projectRoot, file), 'utf8')
    return [...text.matchAll(/^import[^'"]*['"]((?:\.{1,2}|@)\/[^'"]+)['"]/gm)]
      .map(([, specifier]) => (specifier!.startsWith('@/') ? specifier!.slice(2) : path.relative(projectRoot, path.resolve(projectRoot, path.dirname(file), specifier!))))
      .filter((target) => above.some((folder) => target.startsWith(`${folder}/`)))
      .map((target) => `${file} → ${target}`)
  })
}

describe('imports', () => {
  it('point down: components/ never import app/, lib/ never imports components/ or app/', () => {
    expect(upwardImports('components', ['app'])).toEqual([])
    expect(upwardImports('lib', ['app', 'components'])).toEqual([])
  })
})
