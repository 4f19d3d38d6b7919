'use client'
// Deleting old jobs from the Admin page: count what a rule matches, then delete exactly that rule's
// jobs, batch by batch (POST /api/jobs/prune; audited). The same as `manana prune`.
import { useMutation } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api } from '../lib/api/client.ts'
import { finishedStatuses } from '../lib/queue/prune.ts'
import { failureText } from './mutations.ts'

type Rule = { olderThan: string; statuses: string[]; queue?: string }

export function DeleteOldJobs() {
  // The rule counted: deleting uses it, not whatever the form says since.
  const [counted, setCounted] = useState<{ rule: Rule; matching: number } | null>(null)
  const count = useMutation({
    mutationFn: (rule: Rule) => api.prune(rule, true),
    onSuccess: ({ deleted }, rule) => setCounted({ rule, matching: deleted }),
  })
  const remove = useMutation({
    mutationFn: (rule: Rule) => api.prune(rule, false),
    onSuccess: () => setCounted(null),
  })
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const queue = String(form.get('queue') ?? '').trim()
    remove.reset()
    count.mutate({ olderThan: String(form.get('olderThan')).trim(), statuses: form.getAll('status').map(String), ...(queue && { queue }) })
  }
  const error = count.error ?? remove.error
  return (
    <section>
      <h2>Delete old jobs</h2>
      <p className="muted">
        Finished jobs that ended longer ago than the age, with their events, errors and logs; never a job an unfinished child still needs.
        Workers can do it on a schedule: <code>app.retention(&#123; olderThan: &apos;7d&apos; &#125;)</code>.
      </p>
      {error && <p className="error" role="alert">{failureText(error)}</p>}
      <form className="filters" onSubmit={submit} onChange={() => setCounted(null)} aria-label="Delete old jobs">
        <label>Ended more than<input name="olderThan" required defaultValue="30d" size={6} pattern="\d+(\.\d+)?[smhdw]?" title="an age such as 7d, 12h, 30m or 45s" /></label>
        <fieldset className="row" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="sr-only">Statuses</legend>
          {finishedStatuses.map((status) => (
            <label key={status} style={{ flexDirection: 'row', alignItems: 'center' }}>
              <input type="checkbox" name="status" value={status} defaultChecked />
              {status}
            </label>
          ))}
        </fieldset>
        <label>Queue<input name="queue" placeholder="every queue" maxLength={128} /></label>
        <button type="submit" disabled={count.isPending}>{count.isPending ? 'Counting…' : 'Count'}</button>
      </form>
      {counted && (
        <p role="status" className="row" style={{ alignItems: 'center', marginTop: 8 }}>
          <span>{counted.matching} job(s) match.</span>
          {counted.matching > 0 && (
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => window.confirm(`Delete ${counted.matching} job(s) for good?`) && remove.mutate(counted.rule)}
            >
              {remove.isPending ? 'Deleting…' : `Delete ${counted.matching} job(s)`}
            </button>
          )}
        </p>
      )}
      {remove.isSuccess && <p role="status">Deleted {remove.data.deleted} job(s).</p>}
    </section>
  )
}
