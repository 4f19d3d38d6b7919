import { handler } from '../../../lib/api/http.ts'
import { consoleContext } from '../../../lib/console/context.ts'
import { sharedOverview } from '../../../lib/console/overview.ts'

export const dynamic = 'force-dynamic'
export const GET = handler('viewer', async () => sharedOverview.get(await consoleContext()))
