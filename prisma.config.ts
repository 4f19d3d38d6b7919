// Configuration of the Prisma CLI (migrate deploy, db pull, generate), used offline: Prisma 6's
// WebAssembly schema engine through @prisma/adapter-pg. The shims below patch what that path
// gets wrong; they apply to the CLI process only, never to the app.
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

// 1. adapter-pg cannot map pg_catalog's internal "char" (oid 18) and name (oid 19) columns,
//    which introspection reads: report them as text (oid 25).
const Result = require('pg/lib/result.js')
const addFields = Result.prototype.addFields
Result.prototype.addFields = function (fields: unknown[]) {
  addFields.call(this, fields)
  for (const field of this.fields) if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25
}

// 2. adapter-pg's executeScript splits migrations on ';', which breaks $$-quoted function
//    bodies: send each migration whole.
function adapterSendingWholeScripts(connectionString: string) {
  // allowExitOnIdle with shim 3: the CLI exits as soon as it is done.
  const factory = new PrismaPg({ connectionString, allowExitOnIdle: true })
  const connect = factory.connect.bind(factory)
  factory.connect = async () => {
    const adapter = await connect()
    const client = adapter.underlyingDriver()
    adapter.executeScript = async (script: string) => {
      await client.query(script)
    }
    return adapter
  }
  return factory
}

// 3. The schema engine leaves a long timer pending after it is done, holding the CLI ~10 s.
const setTimeoutOriginal = globalThis.setTimeout
globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = setTimeoutOriginal(callback, ms, ...args)
  if ((ms ?? 0) >= 5000) timer.unref()
  return timer
}) as typeof globalThis.setTimeout

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => {
    const url = process.env.DATABASE_URL
    if (!url) throw new Error('DATABASE_URL is not set: run the CLI through `npm run db:migrate`')
    return adapterSendingWholeScripts(url)
  },
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
