import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { currentFunctions, functionFile } from './functions.ts'
import { projectRoot } from './project-root.ts'

const t = useTestDatabase()
const dir = path.join(projectRoot, 'prisma', 'functions')

describe('prisma/functions/', () => {
  it('holds the current definition of every SQL function, and nothing else (npm run functions:generate)', async () => {
    const functions = await currentFunctions(t.db)
    const files = fs.readdirSync(dir).filter((file) => file.endsWith('.sql'))
    expect(files.map((file) => file.replace(/\.sql$/, '')).sort()).toEqual([...functions.keys()].sort())
    for (const [name, definitions] of functions) {
      const kept = fs.readFileSync(path.join(dir, `${name}.sql`), 'utf8')
      expect(kept, `prisma/functions/${name}.sql is not what the migrations define: run npm run functions:generate`).toBe(functionFile(definitions))
    }
  })
})
