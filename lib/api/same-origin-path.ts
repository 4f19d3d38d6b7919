/**
 * Where to go after signing in: `next` when it names a page of this console (same origin, by the
 * URL parser's own reading, which folds `\` into `/` and drops tabs and newlines), else `/`.
 */
export function sameOriginPath(next: string | null, origin: string): string {
  if (!next) return '/'
  try {
    const url = new URL(next, origin)
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/'
  } catch {
    return '/'
  }
}
