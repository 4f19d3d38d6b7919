// Times in a workflow's views are ms to the microsecond, PostgreSQL's precision. Epoch times in ms
// are doubles near 1.8e12, a quarter of a microsecond apart: the difference of two of them came out
// as 0.80322265625 for 0.803, noise that was a third of a big timeline's JSON.

/** `ms` rounded to the microsecond. */
export const toMicrosecond = (ms: number) => Math.round(ms * 1000) / 1000
