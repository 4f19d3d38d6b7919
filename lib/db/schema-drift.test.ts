// prisma/schema.prisma is written by hand (Prisma's introspection cannot read this schema's
// check constraints offline); this test keeps it true to the migrated database: every column
// of a modelled table is modelled with its type and nullability, every enum has its values,
// every named index exists.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { projectRoot } from './project-root.ts'

const t = useTestDatabase()
const schema = fs.readFileSync(path.join(projectRoot, 'prisma/schema.prisma'), 'utf8')

const mapOf = (body: string) => /@@map\("([^"]+)"\)/.exec(body)?.[1]
const enums = [...schema.matchAll(/^enum (\w+) \{([\s\S]*?)^\}/gm)].map(([, name, body]) => ({
  name: name!,
  dbName: mapOf(body!) ?? name!,
  values: body!.split('\n').map((line) => line.trim()).filter((line) => /^\w+$/.test(line)),
}))
const models = [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)].map(([, name, body]) => ({
  name: name!,
  table: mapOf(body!) ?? name!,
  body: body!,
}))
const modelNames = new Set(models.map((model) => model.name))

/** The columns a model declares: name in the database, udt name, length, nullable. */
function modelledColumns(body: string) {
  const columns = []
  for (const line of body.split('\n').map((l) => l.trim())) {
    const match = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line)
    if (!match || line.startsWith('@@')) continue
    const [, field, type, list, optional, attributes] = match
    if (modelNames.has(type!)) continue // relation fields have no column
    const varchar = /@db\.VarChar(?:\((\d+)\))?/.exec(attributes!)
    const scalar = {
      String: varchar ? 'varchar' : 'text',
      Int: 'int4',
      Float: 'float8',
      BigInt: 'int8',
      Boolean: 'bool',
      DateTime: 'timestamptz',
      Json: 'jsonb',
      Bytes: 'bytea',
    }[type!] ?? enums.find((e) => e.name === type)?.dbName
    columns.push({
      column: /@map\("([^"]+)"\)/.exec(attributes!)?.[1] ?? field!,
      udt: list ? `_${scalar}` : scalar,
      length: varchar?.[1] && !list ? Number(varchar[1]) : null,
      // A scalar list is a nullable array column.
      nullable: Boolean(optional || list),
    })
  }
  return columns.sort((a, b) => a.column.localeCompare(b.column))
}

describe('prisma/schema.prisma matches the migrated database', () => {
  it('models the tables Mañana reads', () => {
    expect(models.map((model) => model.table).sort()).toEqual([
      'manana_api_tokens',
      'manana_audit',
      'manana_job_errors',
      'manana_sessions',
      'manana_settings',
      'manana_tasks',
      'manana_users',
      'manana_workflows',
      'procrastinate_events',
      'procrastinate_job_dependencies',
      'procrastinate_jobs',
      'procrastinate_periodic_defers',
      'procrastinate_workers',
    ])
  })

  for (const model of models) {
    it(`${model.name} has the columns of ${model.table}`, async () => {
      const columns = await t.sql(
        `SELECT column_name AS column, udt_name AS udt, character_maximum_length AS length, is_nullable = 'YES' AS nullable
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name`,
        [model.table],
      )
      expect(modelledColumns(model.body)).toEqual(columns)
    })

    it(`${model.name}'s named indexes exist on ${model.table}`, async () => {
      const named = [...model.body.matchAll(/map: "([^"]+)"/g)].map((m) => m[1])
      const rows = await t.sql(`SELECT indexname FROM pg_indexes WHERE tablename = $1`, [model.table])
      expect(rows.map((row) => row.indexname)).toEqual(expect.arrayContaining(named))
    })
  }

  for (const { name, dbName, values } of enums) {
    it(`enum ${name} has the values of ${dbName}`, async () => {
      const rows = await t.sql(
        `SELECT enumlabel FROM pg_enum JOIN pg_type ON pg_type.oid = enumtypid WHERE typname = $1 ORDER BY enumsortorder`,
        [dbName],
      )
      expect(values).toEqual(rows.map((row) => row.enumlabel))
    })
  }
})
