import { body, handler } from '@/lib/api/http.ts'
import { settingsBody } from '@/lib/api/schemas.ts'
import { getSettings } from '@/lib/auth/settings.ts'
import { changeSettings } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

export const GET = handler<'GET /api/settings'>('admin', async () => getSettings((await consoleContext()).db))

export const PATCH = handler<'PATCH /api/settings'>('admin', async (request, { audit }) => {
  const changes = await body(request, settingsBody)
  return changeSettings({ pool: (await consoleContext()).pool, audit }, changes)
})
