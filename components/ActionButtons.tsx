'use client'
// Cancel, abort, retry (this job only / with everything downstream, previewed first), delete.
import { useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { useAllowed } from './actor.tsx'
import { api, ApiError } from '../lib/api/client.ts'
import type { Job } from '../lib/queue/job.ts'
import type { RetryTarget } from '../lib/queue/job-manager.ts'
import { RetryDialog } from './RetryDialog.tsx'

const finished = ['succeeded', 'failed', 'cancelled', 'aborted']

export function ActionButtons({ job, onDone }: { job: Pick<Job, 'id' | 'status'>; onDone?: () => void }) {
  const queryClient = useQueryClient()
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)
  const [preview, setPreview] = useState<{ downstream: boolean; jobs: RetryTarget[] } | null>(null)
  const [busy, setBusy] = useState(false)
  const mayAct = useAllowed('operator')
  const mayDelete = useAllowed('admin')

  async function act(action: () => Promise<unknown>) {
    setBusy(true)
    setError(null)
    try {
      await action()
      await queryClient.invalidateQueries()
      onDone?.()
    } catch (failure) {
      setError(failure instanceof ApiError ? `${failure.code}: ${failure.message}` : String(failure))
    } finally {
      setBusy(false)
    }
  }

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
