import { checkSchema } from '../../../lib/db/schema-check.ts'
import { isManaError } from '../../../lib/queue/errors.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { defaultStaleAfter, workersHealth } from '../../../lib/queue/workers.ts'
import { envNumber, redact } from '../args.ts'
import { command } from '../command.ts'
import { openApp, useDatabase } from '../session.ts'

export default command({
  usage: `manana healthcheck
Workers are judged gone as the workers judge them (MANANA_STALE_AFTER seconds without a heartbeat, default ${defaultStaleAfter}, or their session closed).`,
  summary: 'check the database, its schema and the workers; exit 1 when unhealthy',
  options: {},
  async run() {
    const { url } = await useDatabase({ migrate: false })
    const db = fromPg(await (await openApp(url)).pool())
    try {
      await checkSchema(db)
    } catch (error) {
      if (!isManaError(error)) throw error
      console.log(`database ${redact(url)}: reachable, but ${error.code}: ${error.message}`)
      return 1
    }
    const health = await workersHealth(db, envNumber('MANANA_STALE_AFTER') ?? defaultStaleAfter)
    console.log(`database ${redact(url)}: ok`)
    console.log(`workers: ${health.alive} alive, ${health.gone} gone`)
    console.log(`jobs ready to run: ${health.ready}`)
    return 0
  },
})
