// Work that costs the console much more than a request's usual (computing a workflow's graph or
// timeline: up to 10,000 jobs each) is limited per user and per API token: a few at once, and
// the rest refused with 429 and Retry-After, so that one client cannot take every database
// connection and the server's time from everyone else. Served a shared or kept answer, a
// request computes nothing and is not limited (lib/console/workflow-views.ts).
import type { Actor } from '../auth/roles.ts'
import { HttpError } from './http-error.ts'

/** Heavy requests one user or token may have in flight at once. */
export const maxHeavyPerActor = 4

const inFlight = new Map<string, number>()

/** Runs `run` as one of `actor`'s heavy requests, or refuses it (429) when they have too many in flight. */
export async function asHeavyRequest<T>(actor: Actor | undefined, run: () => Promise<T>): Promise<T> {
  const key = actor?.userId !== undefined ? `user:${actor.userId}` : (actor?.name ?? 'anyone')
  const count = inFlight.get(key) ?? 0
  if (count >= maxHeavyPerActor) {
    throw new HttpError(429, 'too_many_requests', `at most ${maxHeavyPerActor} graphs or timelines are computed at once for one user or token; try again in a second`, { 'retry-after': '1' })
  }
  inFlight.set(key, count + 1)
  try {
    return await run()
  } finally {
    const left = inFlight.get(key)! - 1
    if (left) inFlight.set(key, left)
    else inFlight.delete(key)
  }
}
