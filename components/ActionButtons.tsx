'use client'
// Cancel, abort, retry (this job only / with everything downstream, previewed first), mark
// succeeded with a result (fixing a run by hand), delete.
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { useAllowed } from './actor.tsx'
import { useAction } from './mutations.ts'
import { api } from '../lib/api/client.ts'
import type { Job } from '../lib/queue/job.ts'
import type { RetryTarget } from '../lib/queue/job-manager.ts'
import { RetryDialog } from './RetryDialog.tsx'

const finished = ['succeeded', 'failed', 'cancelled', 'aborted']
const markable = ['failed', 'cancelled', 'aborted']

export function ActionButtons({ job, onDone }: { job: Pick<Job, 'id' | 'status'>; onDone?: () => void }) {
  const router = useRouter()
  const { run: act, busy, error } = useAction({ onSuccess: onDone })
  const [preview, setPreview] = useState<{ downstream: boolean; jobs: RetryTarget[] } | null>(null)
  const [marking, setMarking] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const mayAct = useAllowed('operator')
  const mayDelete = useAllowed('admin')

  const showPreview = (downstream: boolean) =>
    act(async () => setPreview({ downstream, jobs: (await api.retryPreview(job.id, downstream)).jobs }))

  if (!mayAct) return null
  return (
    <div>
      <div className="row">
        {job.status === 'todo' && <button type="button" disabled={busy} onClick={() => act(() => api.cancel(job.id))}>Cancel</button>}
        {job.status === 'doing' && <button type="button" className="danger" disabled={busy} onClick={() => act(() => api.abort(job.id))}>Abort</button>}
        {finished.includes(job.status) && (
          <>
            <button type="button" disabled={busy} onClick={() => showPreview(false)}>Retry this job…</button>
            <button type="button" disabled={busy} onClick={() => showPreview(true)}>Retry with downstream…</button>
          </>
        )}
        {markable.includes(job.status) && <button type="button" disabled={busy} onClick={() => setMarking(true)}>Mark succeeded…</button>}
        {mayDelete && job.status !== 'doing' && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              if (window.confirm(`Delete job ${job.id}? Its edges go with it.`)) act(async () => {
                await api.remove(job.id)
                router.push('/jobs')
              })
            }}
          >
            Delete
          </button>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {notice && <p className="banner" role="status">{notice}</p>}
      {marking && (
        <MarkSucceededDialog
          id={job.id}
          busy={busy}
          onMark={(result) => act(async () => {
            const { reopened } = await api.markSucceeded(job.id, result)
            setMarking(false)
            setNotice(`Job ${job.id} marked succeeded.${reopened.length ? ` Running again for it: ${reopened.join(', ')}.` : ''}`)
          })}
          onBack={() => setMarking(false)}
        />
      )}
      {preview && (
        <RetryDialog
          jobs={preview.jobs}
          what={preview.downstream ? ', this one and everything after it that has finished, in dependency order:' : ':'}
          busy={busy}
          onRun={() => act(async () => {
            await api.retry(job.id, preview.downstream)
            setPreview(null)
          })}
          onBack={() => setPreview(null)}
        />
      )}
    </div>
  )
}

/** The result to mark a job succeeded with, as JSON, checked before it is sent. */
function MarkSucceededDialog({ id, busy, onMark, onBack }: { id: number; busy: boolean; onMark: (result: unknown) => void; onBack: () => void }) {
  const [text, setText] = useState('null')
  let problem: string | null = null
  let result: unknown = null
  try {
    result = JSON.parse(text)
  } catch (error) {
    problem = `not JSON: ${(error as Error).message}`
  }
  return (
    <dialog open aria-label={`Mark job ${id} succeeded`}>
      <p>
        Job {id} becomes <strong>succeeded</strong> with the result below, as if its task had returned it. Children that its
        failure cancelled (by their rule, all_succeeded) run again; children that ran already, having seen it fail, are left
        as they are (retry them with downstream). The change is audited and written in the job&apos;s log.
      </p>
      <label>
        Result (JSON)
        <textarea value={text} onChange={(event) => setText(event.target.value)} rows={5} aria-invalid={problem !== null} />
      </label>
      {problem && <p className="error" role="alert">{problem}</p>}
      <div className="row">
        <button type="button" className="primary" disabled={busy || problem !== null} onClick={() => onMark(result)}>Mark succeeded</button>
        <button type="button" onClick={onBack}>Back</button>
      </div>
    </dialog>
  )
}
