// The axes of the console's time charts: a value axis that ends on a round number, and a time
// axis labelled every so many buckets, on round minutes or hours.

/** The smallest 1, 2 or 5 × 10^k at or above `value` (1 at least). */
export function roundCeiling(value: number): number {
  if (!(value > 1)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value)!
}

/** Label steps, in buckets: round minutes for minute buckets, round hours for hour buckets. */
const steps = { minute: [1, 5, 10, 15, 30, 60, 120], hour: [1, 2, 3, 6, 12, 24, 48, 72, 168] }

/**
 * Which buckets get a time label: those starting on a multiple of the smallest round step that
 * leaves at most `most` labels, round in the zone shown (`offsetMs` ahead of UTC). `firstAt` is
 * the first bucket's start (ms since the epoch).
 */
export function labelledBuckets(firstAt: number, count: number, bucket: 'minute' | 'hour', { most = 6, offsetMs = 0 } = {}): number[] {
  const size = bucket === 'minute' ? 60_000 : 3_600_000
  const step = steps[bucket].find((candidate) => count / candidate <= most) ?? steps[bucket].at(-1)!
  const indices: number[] = []
  for (let index = 0; index < count; index++) {
    if (Math.round((firstAt + offsetMs + index * size) / size) % step === 0) indices.push(index)
  }
  return indices
}
