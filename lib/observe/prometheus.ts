// Prometheus's text exposition format (version 0.0.4): families of samples, histograms with
// cumulative buckets, label values escaped. Written by the worker's /metrics and the console's
// /api/metrics.

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8'

type Labels = Record<string, string>

/** Label sets, kept by their text; each with a value made on first use. */
export class Series<V> {
  readonly values = new Map<string, { labels: Labels; value: V }>()
  constructor(private readonly create: () => V) {}

  at(labels: Labels): V {
    const key = labelText(labels)
    let entry = this.values.get(key)
    if (!entry) this.values.set(key, (entry = { labels, value: this.create() }))
    return entry.value
  }
}

export class Histogram {
  readonly counts: number[]
  sum = 0
  count = 0
  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0)
  }

  observe(value: number): void {
    this.sum += value
    this.count++
    const at = this.buckets.findIndex((bound) => value <= bound)
    if (at >= 0) this.counts[at]!++
  }
}

/** A scrape's text, family by family. */
export class MetricsText {
  private readonly lines: string[] = []

  /** Starts a family: its name, type and what it counts. */
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`, `# TYPE ${name} ${type}`)
    return this
  }

  sample(name: string, labels: Labels, value: number): this {
    this.lines.push(`${name}${labelText(labels)} ${numberText(value)}`)
    return this
  }

  histogram(name: string, labels: Labels, histogram: Histogram): this {
    let cumulative = 0
    histogram.buckets.forEach((bound, i) => {
      cumulative += histogram.counts[i]!
      this.sample(`${name}_bucket`, { ...labels, le: String(bound) }, cumulative)
    })
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, histogram.count)
    this.sample(`${name}_sum`, labels, histogram.sum)
    return this.sample(`${name}_count`, labels, histogram.count)
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`
  }
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

/** `{a="x",b="y"}`, values escaped as the text format asks; nothing for no labels. */
function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`)
  return pairs.length ? `{${pairs.join(',')}}` : ''
}
