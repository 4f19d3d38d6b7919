'use client'
// Retry of a workflow's failures: its failed and aborted jobs and everything finished after
// them, previewed first.
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useAllowed } from './actor.tsx'
import { api, ApiError } from '../lib/api/client.ts'
import type { RetryTarget } from '../lib/queue/job-manager.ts'
import { RetryDialog } from './RetryDialog.tsx'

export function WorkflowRetry({ workflowId, failures }: { workflowId: number; failures: number }) {
  const queryClient = useQueryClient()
  const mayAct = useAllowed('operator')
  const [preview, setPreview] = useState<RetryTarget[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  async function act(action: () => Promise<unknown>) {
    setBusy(true)
    setError(null)
    try {
      await action()
    } catch (failure) {
      setError(failure instanceof ApiError ? `${failure.code}: ${failure.message}` : String(failure))
    } finally {
      setBusy(false)
    }
  }
  if (!mayAct || (failures === 0 && !preview)) return null
  return (
    <>
      <button type="button" disabled={busy} onClick={() => act(async () => setPreview((await api.workflowRetryPreview(workflowId)).jobs))}>
        Retry {failures} failure(s) with downstream…
      </button>
      {error && <span className="error" role="alert">{error}</span>}
      {preview && (
        <RetryDialog
          jobs={preview}
          what=": the workflow's failed and aborted jobs, then everything after them that has finished, in dependency order:"
          busy={busy}
          onRun={() => act(async () => {
            await api.retryWorkflow(workflowId)
            setPreview(null)
            await queryClient.invalidateQueries()
          })}
          onBack={() => setPreview(null)}
        />
      )}
    </>
  )
}
