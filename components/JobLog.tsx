'use client'
// The lines a job's task logged, one attempt at a time, live while it runs: the view follows
// new lines while it is scrolled to the bottom.
import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { useJobLogs } from './queries.ts'
import { Time } from './Time.tsx'

/** Attempt 0 holds what Mañana itself recorded before any run (a cancellation by a step's rule). */
const attemptName = (attempt: number) => (attempt === 0 ? 'before any run' : `attempt ${attempt}`)

export function JobLog({ jobId }: { jobId: number }) {
  const [chosen, setChosen] = useState<number | undefined>()
  const { data } = useJobLogs(jobId, chosen)
  const box = useRef<HTMLOListElement>(null)
  const following = useRef(true)
  const lineCount = data?.lines.length ?? 0
  useLayoutEffect(() => {
    if (box.current && following.current) box.current.scrollTop = box.current.scrollHeight
  }, [lineCount])
  useEffect(() => setChosen(undefined), [jobId])
  if (!data || data.attempts.length === 0) return null
  const total = data.attempts.find((attempt) => attempt.attempt === data.attempt)?.lines ?? 0
  return (
    <section aria-label="Log">
      <div className="row">
        <h2>Log <span className="muted">{data.attempts.length === 1 && `${attemptName(data.attempt!)}, `}{total} line{total === 1 ? '' : 's'}</span></h2>
        {data.attempts.length > 1 && (
          <label className="inline">
            Attempt
            <select value={data.attempt ?? ''} onChange={(event) => setChosen(Number(event.target.value))}>
              {data.attempts.map((attempt) => (
                <option key={attempt.attempt} value={attempt.attempt}>{attempt.attempt === 0 ? 'before any run' : attempt.attempt} ({attempt.lines} lines)</option>
              ))}
            </select>
          </label>
        )}
      </div>
      {data.valuesHidden ? <p className="muted">Log lines are hidden from viewers by an admin's setting.</p> : (
        <ol
          className="log panel"
          ref={box}
          tabIndex={0}
          aria-label={data.attempt === 0 ? 'Log lines recorded before any run' : `Log lines of attempt ${data.attempt}`}
          onScroll={(event) => {
            const element = event.currentTarget
            following.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 4
          }}
        >
          {data.lines.map((line) => (
            <li key={line.id} className={`level-${line.level}`}>
              <Time at={line.at} ms date={false} />
              <span className="level">{line.level}</span>
              <span className="message">{line.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
