// An app with a schedule, for the browser tests of the Schedules page (it ticks at 03:00 UTC).
import { createApp } from '../../lib/queue/index.ts'

export const app = createApp()

const report = app.task<{ region: string; timestamp: number }>('nightly_report', { queue: 'reports' }, async ({ region }) => ({ region }))
app.periodic('0 3 * * *', report, { periodicId: 'eu', args: { region: 'eu' } })
