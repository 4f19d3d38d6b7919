// Arguments and results can be hidden from viewers (an admin's setting): jobs then reach a
// viewer with empty args, no result and `valuesHidden: true`, and filtering by argument value,
// which would reveal them one guess at a time, is refused.
import { HttpError } from '../api/http-error.ts'
import type { Actor } from '../auth/roles.ts'
import { getSettings } from '../auth/settings.ts'
import type { Job } from '../queue/job.ts'
import type { Queryable } from '../queue/queryable.ts'

export type VisibleJob = Job & { valuesHidden?: true }

export async function valuesHiddenFrom(db: Queryable, actor: Actor | undefined): Promise<boolean> {
  return actor?.role === 'viewer' && (await getSettings(db)).hideValuesFromViewers
}

export const hideValues = (job: Job): VisibleJob => ({ ...job, args: {}, result: null, valuesHidden: true })

export function refuseArgsFilter(): never {
  throw new HttpError(403, 'values_hidden', 'argument values are hidden from viewers, so jobs cannot be filtered by them')
}
