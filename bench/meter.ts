// What every system's benchmark process measures, the same way for all: task starts and ends as
// the task functions see them (no system's own bookkeeping), reported as one JSON line.
// Plain erasable TypeScript: the peers' processes run it on Node 22 without a compiler.

/** Milliseconds, high resolution. */
export const now = () => performance.now()

/** Counts no-op task runs; resolves `done` at the `total`-th; rate after the first `warmUp`. */
export class ThroughputMeter {
  private count = 0
  private warmAt = 0
  private lastAt = 0
  readonly done: Promise<void>
  private resolve!: () => void
  readonly total: number
  readonly warmUp: number

  constructor(total: number, warmUp: number) {
    this.total = total
    this.warmUp = warmUp
    this.done = new Promise((resolve) => (this.resolve = resolve))
    if (warmUp === 0) this.warmAt = now()
  }

  /** Call once per job the task function runs. */
  ran(jobs = 1): void {
    this.count += jobs
    if (this.warmAt === 0 && this.count >= this.warmUp) this.warmAt = now()
    if (this.count >= this.total && this.lastAt === 0) {
      this.lastAt = now()
      this.resolve()
    }
  }

  /** Jobs per second between the end of the warm-up and the last job. */
  rate(): number {
    return ((this.total - this.warmUp) / (this.lastAt - this.warmAt)) * 1000
  }
}

/** Hops of a chain: when each link's task ended, and when the next one's began. */
export class HopMeter {
  private readonly ends = new Map<number, number>()
  private readonly hops: number[] = []
  readonly done: Promise<void>
  private resolve!: () => void
  readonly length: number

  constructor(length: number) {
    this.length = length
    this.done = new Promise((resolve) => (this.resolve = resolve))
  }

  /** The task of link `index` (0-based) starts; returns what to call when it ends. */
  start(index: number): () => void {
    const previous = this.ends.get(index - 1)
    if (previous !== undefined) this.hops.push(now() - previous)
    return () => {
      this.ends.set(index, now())
      if (index === this.length - 1) this.resolve()
    }
  }

  percentiles(): { p50: number; p95: number } {
    const sorted = [...this.hops].sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
    return { p50: at(0.5), p95: at(0.95) }
  }
}

/** The one line a benchmark process prints: its figures, by name. */
export function report(figures: Record<string, number | string>): void {
  console.log(`RESULT ${JSON.stringify(figures)}`)
}

/** Sizes every system runs with. */
export const sizes = {
  throughputJobs: 50_000,
  warmUp: 5_000,
  chains: 5_000,
  chainLength: 10,
  fanWidth: 5_000,
  hopChain: 200,
  enqueueJobs: 100_000,
  enqueueBatch: 1_000,
  dagNodes: 10_000,
  concurrency: 10,
  poolSize: 10,
}
