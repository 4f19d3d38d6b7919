// Reads Prometheus's text exposition format, strictly enough to fail on what a scraper would
// refuse: samples as { name, labels, value }, and each family's declared type.
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export function parsePrometheusText(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = []
  const types: Record<string, string> = {}
  if (!text.endsWith('\n')) throw new Error('the text must end with a newline')
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) continue
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      if (types[type[1]!]) throw new Error(`${type[1]} declared twice`)
      types[type[1]!] = type[2]!
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!sample) throw new Error(`not a sample: ${line}`)
    const labels: Record<string, string> = {}
    let rest = sample[2] ?? ''
    while (rest) {
      const pair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)"(,|$)/.exec(rest)
      if (!pair) throw new Error(`bad labels in: ${line}`)
      labels[pair[1]!] = pair[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c))
      rest = rest.slice(pair[0].length)
    }
    const value = sample[3] === '+Inf' ? Infinity : Number(sample[3])
    if (Number.isNaN(value)) throw new Error(`bad value in: ${line}`)
    const family = sample[1]!.replace(/_(bucket|sum|count)$/, '')
    if (!types[sample[1]!] && !types[family]) throw new Error(`${sample[1]} has no TYPE`)
    samples.push({ name: sample[1]!, labels, value })
  }
  return { samples, types }
}
