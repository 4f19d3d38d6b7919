// Writes lib/api/response-schemas.json: JSON Schemas of what each operation answers, generated
// from the types of lib/api/contract.ts (run: npm run openapi:schemas). The console serves them
// in /api/openapi.json; lib/api/openapi.test.ts fails when this file is out of date.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createGenerator } from 'ts-json-schema-generator'

const here = path.dirname(fileURLToPath(import.meta.url))
export const responseSchemasFile = path.join(here, 'response-schemas.json')

export interface ResponseSchemas {
  /** Named schemas, for components.schemas. */
  definitions: Record<string, unknown>
  /** Each operation's answer ("GET /api/jobs"), referring to the definitions. */
  operations: Record<string, unknown>
}

export function generateResponseSchemas(): ResponseSchemas {
  const generated = createGenerator({
    path: path.join(here, 'contract.ts'),
    tsconfig: path.join(here, '..', '..', 'tsconfig.json'),
    type: 'ApiResponses',
    expose: 'export',
    topRef: false,
    jsDoc: 'basic',
    skipTypeCheck: true,
    additionalProperties: true,
  }).createSchema('ApiResponses') as { properties: Record<string, unknown>; definitions?: Record<string, unknown> }
  // OpenAPI's components want names of letters, digits, dots, dashes and underscores.
  const text = JSON.stringify({ definitions: generated.definitions ?? {}, operations: generated.properties })
  const names = Object.keys(generated.definitions ?? {})
  const renamed = names.reduce(
    (json, name) => json.replaceAll(`"#/definitions/${encodeURIComponent(name)}"`, `"#/components/schemas/${componentName(name)}"`),
    text,
  )
  const result = JSON.parse(renamed, (_key, value) => toJsonSchema2020(value)) as ResponseSchemas
  result.definitions = Object.fromEntries(Object.entries(result.definitions).map(([name, schema]) => [componentName(name), schema]))
  return result
}

const componentName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_')

/** OpenAPI 3.1 speaks JSON Schema 2020-12: a tuple's items are prefixItems there. */
function toJsonSchema2020(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { items?: unknown }).items)) return value
  const { items, additionalItems: _dropped, ...rest } = value as { items: unknown[]; additionalItems?: unknown }
  return { ...rest, prefixItems: items, items: false }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.writeFileSync(responseSchemasFile, `${JSON.stringify(generateResponseSchemas(), null, 2)}\n`)
  console.log(`wrote ${path.relative(process.cwd(), responseSchemasFile)}`)
}
