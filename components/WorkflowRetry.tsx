'use client'
// Retry of a workflow's failures: its failed and aborted jobs and everything finished after
// them, previewed first.
import { useState } from 'react'
import { useAllowed } from './actor.tsx'
import { useAction } from './mutations.ts'
import { api } from '../lib/api/client.ts'
import type { RetryTarget } from '../lib/queue/job-manager.ts'
import { RetryDialog } from './RetryDialog.tsx'

export function WorkflowRetry({ workflowId, failures }: { workflowId: number; failures: number }) {
  const mayAct = useAllowed('operator')
  const [preview, setPreview] = useState<RetryTarget[] | null>(null)
  const { run: act, busy, error } = useAction()
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
          })}
          onBack={() => setPreview(null)}
        />
      )}
    </>
  )
}
