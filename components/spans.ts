// How the console names and sums the spans of a job's time (lib/dag/timeline.ts).
import { formatDuration } from '../lib/console/time.ts'
import type { Segment } from '../lib/dag/timeline.ts'

export const spanNames: Record<Segment[0], string> = {
  parents: 'waited for parents',
  scheduled: 'waited for its time',
  queued: 'queued',
  running: 'ran',
  retry: 'waited to retry',
}

/** "waited for parents 1.2 s, queued 40 ms, ran 800 ms": each kind's total, in order of first appearance. */
export function describeSpans(segments: Segment[]): string {
  const totals = new Map<string, number>()
  for (const [kind, from, to] of segments) totals.set(spanNames[kind], (totals.get(spanNames[kind]) ?? 0) + to - from)
  return [...totals].map(([name, ms]) => `${name} ${formatDuration(ms)}`).join(', ')
}

/**
 * The spans as of `current` (ms from the job's deferral, on the server's clock): the span still
 * open when the server answered (ending at `answeredAt`) runs on to `current`, so that the spans
 * add up to the time since the deferral shown beside them.
 */
export function spansUntil(segments: Segment[], answeredAt: number, current: number): Segment[] {
  const last = segments.at(-1)
  if (!last || last[2] !== answeredAt || current <= answeredAt) return segments
  return [...segments.slice(0, -1), [last[0], last[1], current]]
}
