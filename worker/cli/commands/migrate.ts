import { migrateDatabase } from '../../../lib/db/migrate.ts'
import { redact } from '../args.ts'
import { command } from '../command.ts'
import { useDatabase } from '../session.ts'

export default command({
  usage: 'manana migrate',
  summary: 'apply pending migrations; adopts a Python Procrastinate 3.4–3.9 database in place',
  options: {},
  async run() {
    const { url } = await useDatabase({ migrate: false })
    const report = await migrateDatabase(url, { log: console.log })
    if (report.adopted) {
      const rows = Object.entries(report.adopted).map(([table, count]) => `${count} ${table.replace('procrastinate_', '')}`)
      console.log(`adopted the Procrastinate database, keeping ${rows.join(', ')}`)
    }
    console.log(report.applied.length ? `${report.applied.length} migration(s) applied to ${redact(url)}` : `${redact(url)} is up to date`)
    return 0
  },
})
