/** An error of the HTTP layer itself: who may ask, and what a request may look like. */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers the answer carries (Retry-After for a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** Checked by shape: each server bundle has its own copy of this class. */
export const isHttpError = (error: unknown): error is HttpError => (error as HttpError)?.name === 'HttpError'
