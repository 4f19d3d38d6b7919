'use client'
// Run a workflow definition from the console: its input as a form built from the schema its
// workers announced, the graph the run would defer (asked of a worker as the input changes),
// then the run, whose graph opens.
import { useQuery } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useEffect, useMemo, useRef, useState } from 'react'
import { api, ApiError } from '../lib/api/client.ts'
import { inputFields, inputFromFields, type InputField } from '../lib/console/input-fields.ts'
import { useAction } from './mutations.ts'
import { PlannedGraph } from './PlannedGraph.tsx'
import { queryKeys } from './query-keys.ts'

/** What went wrong, in words first; the code stays, small, for a search or a ticket. */
const headlines: Record<string, string> = {
  invalid_args: 'The input is not valid',
  invalid_job: 'The run would not be valid',
  workflow_unavailable: 'No worker that defines this workflow answered',
  workflow_build_failed: "The workflow's code failed while composing its steps",
  workflow_definition_not_found: 'No worker defines this workflow any more',
  database_busy: 'The console is busy; try again in a moment',
  forbidden: 'Your role may not run workflows',
}
const describe = (failure: unknown) =>
  failure instanceof ApiError ? `${headlines[failure.code] ?? 'The run was refused'}: ${failure.message} (${failure.code})` : String(failure)

function FieldInput({ field, value, onChange }: { field: InputField; value: string; onChange: (value: string) => void }) {
  const placeholder = field.default === undefined ? undefined : typeof field.default === 'string' ? field.default : JSON.stringify(field.default)
  const label = `${field.name}${field.required ? ' (required)' : ''}`
  if (field.kind === 'boolean') {
    return <label className="row"><input type="checkbox" name={field.name} checked={value === 'true'} onChange={(event) => onChange(String(event.target.checked))} />{label}</label>
  }
  if (field.choices) {
    return (
      <label>
        {label}
        <select name={field.name} value={value} onChange={(event) => onChange(event.target.value)}>
          <option value="">{placeholder === undefined ? 'choose…' : `default (${placeholder})`}</option>
          {field.choices.map((choice) => <option key={choice} value={choice}>{choice}</option>)}
        </select>
      </label>
    )
  }
  return (
    <label>
      {label}{field.kind === 'json' ? ' (JSON)' : ''}
      <input name={field.name} value={value} placeholder={placeholder} inputMode={field.kind === 'number' || field.kind === 'integer' ? 'decimal' : undefined} onChange={(event) => onChange(event.target.value)} />
      {field.description && <span className="muted">{field.description}</span>}
    </label>
  )
}

/** Waits for typing to pause before the preview is asked for again. */
function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled
}

export function RunWorkflowDialog({ name, inputSchema, onClose }: { name: string; inputSchema: Record<string, unknown> | null; onClose: () => void }) {
  const router = useRouter()
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => dialog.current?.showModal(), [])
  const fields = useMemo(() => inputFields(inputSchema), [inputSchema])
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.filter((field) => field.kind === 'boolean').map((field) => [field.name, String(field.default === true)])),
  )
  const { run: act, busy, failure } = useAction()
  const made = inputFromFields(fields, values)
  const input = 'input' in made ? JSON.stringify(made.input) : null
  const settledInput = useSettled(input)
  const preview = useQuery({
    queryKey: queryKeys.workflowPreview(name, settledInput),
    queryFn: () => api.previewWorkflow(name, JSON.parse(settledInput!)),
    enabled: settledInput !== null,
    retry: false,
    placeholderData: (previous) => previous,
  })

  const run = (input: string) =>
    act(async () => {
      const started = await api.runWorkflow(name, JSON.parse(input))
      // Its first step's graph (the first deferred: the smallest id; keys come back in no set order).
      const ids = Object.values(started.jobs)
      if (ids.length) router.push(`/jobs/${Math.min(...ids)}/graph`)
      else onClose()
    })

  return (
    <dialog ref={dialog} aria-label={`Run ${name}`} style={{ width: 640 }} onClose={onClose}>
      <h2>Run {name}</h2>
      <form
        style={{ display: 'grid', gap: 10 }}
        onSubmit={(event) => {
          event.preventDefault()
          if (input !== null) void run(input)
        }}
      >
        {fields.length === 0 && <p className="muted">This workflow takes no input.</p>}
        {fields.map((field) => (
          <FieldInput key={field.name} field={field} value={values[field.name] ?? ''} onChange={(value) => setValues((previous) => ({ ...previous, [field.name]: value }))} />
        ))}
        {'problem' in made && <p className="error" role="alert">{made.problem}</p>}
        {preview.error ? (
          <p className="error" role="alert">{describe(preview.error)}</p>
        ) : preview.data ? (
          <>
            <p className="muted" role="status">
              {preview.isFetching
                ? 'Updating the preview…'
                : `The run will defer ${preview.data.total.toLocaleString('en')} job(s)${preview.data.total > preview.data.jobs.length ? `; the first ${preview.data.jobs.length} are drawn` : ''}:`}
            </p>
            <PlannedGraph jobs={preview.data.jobs} />
          </>
        ) : (
          settledInput !== null && <p className="muted" role="status">Asking a worker for the graph…</p>
        )}
        {failure && <p className="error" role="alert">{describe(failure)}</p>}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || input === null || !!preview.error}>Run</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </dialog>
  )
}
