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
