// Values a job's arguments (or a filter on them) may not hold: NUL characters and lone UTF-16
// surrogates, which PostgreSQL's text and jsonb cannot store, and the key __proto__, which
// JavaScript objects turn into a prototype instead of a key (so it would vanish, or make a
// filter match everything). One rule for every way in: the API, the CLI and TypeScript.

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** What is wrong with a string, or undefined. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'holds a NUL character'
  if (loneSurrogate.test(text)) return 'holds a lone UTF-16 surrogate (not Unicode text)'
  return undefined
}

/** The first problem in a JSON value, with its path (`where.a.b`), or undefined. */
export function jsonProblem(value: unknown, where: string): string | undefined {
  const stack: Array<[unknown, string]> = [[value, where]]
  while (stack.length) {
    const [item, path] = stack.pop()!
    if (typeof item === 'string') {
      const problem = textProblem(item)
      if (problem) return `${path} ${problem}`
    } else if (Array.isArray(item)) {
      item.forEach((element, i) => stack.push([element, `${path}[${i}]`]))
    } else if (item !== null && typeof item === 'object') {
      for (const key of Object.keys(item)) {
        const keyPath = `${path}.${key}`
        if (key === '__proto__') return `${keyPath}: the key __proto__ is not allowed`
        const problem = textProblem(key)
        if (problem) return `a key in ${path} ${problem}`
        stack.push([(item as Record<string, unknown>)[key], keyPath])
      }
    }
  }
  return undefined
}
