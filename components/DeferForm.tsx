'use client'
import Link from './Link.tsx'
import { useState } from 'react'
import { api } from '../lib/api/client.ts'
import { useAction } from './mutations.ts'
import { useTasks } from './queries.ts'

/** Checks arguments against the simple JSON Schemas tasks declare: required keys and property types. */
function schemaProblems(args: Record<string, unknown>, schema: Record<string, any> | null): string[] {
  if (!schema) return []
  const problems: string[] = []
  for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in args)) problems.push(`"${key}" is required`)
  for (const [key, property] of Object.entries((schema.properties as Record<string, any>) ?? {})) {
    if (!(key in args) || !property?.type) continue
    const value = args[key]
    const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value
    const allowed = [property.type].flat()
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) problems.push(`"${key}" should be ${allowed.join(' or ')}`)
  }
  return problems
}

export function DeferForm() {
  const { data } = useTasks()
  const tasks = data?.tasks ?? []
  const [taskName, setTaskName] = useState('')
  const [argsText, setArgsText] = useState('{}')
  const [created, setCreated] = useState<number | null>(null)
  const { run, error } = useAction()
  const task = tasks.find((t) => t.name === taskName)

  let args: Record<string, unknown> | null = null
  let argsProblem: string | null = null
  try {
    const parsed = JSON.parse(argsText)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) argsProblem = 'Arguments must be a JSON object.'
    else {
      args = parsed
      const problems = schemaProblems(parsed, task?.argsSchema ?? null)
      if (problems.length) argsProblem = `Does not match the task's schema: ${problems.join('; ')}.`
    }
  } catch (failure) {
    argsProblem = `Not JSON: ${(failure as Error).message}`
  }

  async function submit(form: FormData) {
    setCreated(null)
    const text = (name: string) => String(form.get(name) ?? '').trim()
    const parents = text('dependsOn')
    const scheduledAt = text('scheduledAt')
    await run(async () => {
      const body = {
        task: taskName,
        args: args ?? {},
        queue: text('queue') || undefined,
        priority: text('priority') ? Number(text('priority')) : undefined,
        lock: text('lock') || undefined,
        queueingLock: text('queueingLock') || undefined,
        dependsOn: parents ? parents.split(',').map((id) => Number(id.trim())) : undefined,
        scheduledAt: scheduledAt ? new Date(scheduledAt).toISOString() : undefined,
      }
      const deferred = await api.defer(body)
      if ('id' in deferred) setCreated(deferred.id)
    })
  }

  return (
    <form
      className="panel"
      style={{ display: 'grid', gap: 12, maxWidth: 720 }}
      onSubmit={(event) => {
        event.preventDefault()
        void submit(new FormData(event.currentTarget))
      }}
    >
      <label>
        Task
        <select name="task" value={taskName} onChange={(event) => setTaskName(event.target.value)} required>
          <option value="">Choose a task the workers announced…</option>
          {tasks.map((t) => (
            <option key={t.name} value={t.name}>{t.name} (queue {t.queue})</option>
          ))}
        </select>
      </label>
      {task?.argsSchema && <pre aria-label="Argument schema">{JSON.stringify(task.argsSchema, null, 2)}</pre>}
      <label>
        Arguments (JSON object)
        <textarea name="args" rows={6} value={argsText} onChange={(event) => setArgsText(event.target.value)} aria-invalid={argsProblem !== null} />
      </label>
      {argsProblem && <p className="error" role="alert">{argsProblem}</p>}
      <div className="row">
        <label>Parents (job ids)<input name="dependsOn" placeholder="12, 13" /></label>
        <label>Queue<input name="queue" placeholder={task?.queue ?? 'default'} /></label>
        <label>Priority<input name="priority" type="number" placeholder={String(task?.priority ?? 0)} /></label>
      </div>
      <div className="row">
        <label>Lock<input name="lock" placeholder={task?.lock ?? ''} /></label>
        <label>Queueing lock<input name="queueingLock" placeholder={task?.queueingLock ?? ''} /></label>
        <label>Run at (your time)<input name="scheduledAt" type="datetime-local" /></label>
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={!taskName || argsProblem !== null}>Defer</button>
        {created !== null && <span role="status">Deferred <Link href={`/jobs/${created}`}>job {created}</Link>.</span>}
        {error && <span className="error" role="alert">{error}</span>}
      </div>
    </form>
  )
}
