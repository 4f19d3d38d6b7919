'use client'
// A query's failure, where its data would be. When a refresh fails, the data last read stays on
// the page (a graph keeps its zoom and what was opened) under this line, until a refresh succeeds.
import { Time } from './Time.tsx'

export function QueryError({ error, readAt }: { error: unknown; readAt?: number }) {
  const message = error instanceof Error ? error.message : String(error)
  return (
    <p className="error" role="alert">
      {readAt ? <>Could not refresh: {message}. Shown as read at <Time at={new Date(readAt)} />.</> : message}
    </p>
  )
}
