'use client'
// The jobs table: filters kept in the URL, keyset pages, live statuses without rows moving under
// the cursor (new jobs wait behind a banner), j/k to move, Enter to open, bulk actions on a selection.
import { useQueryClient } from '@tanstack/react-query'
import Link from './Link.tsx'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useEffect, useMemo, useState } from 'react'
import { useAllowed } from './actor.tsx'
import { failureText } from './mutations.ts'
import { api, ApiError } from '../lib/api/client.ts'
import { parseArgsFilter } from '../lib/api/schemas.ts'
import type { JobTimes } from '../lib/console/job-times.ts'
import { formatDuration } from '../lib/console/time.ts'
import { jobOrders, slowestAmong, type BulkAction, type BulkResult, type JobOrder } from '../lib/queue/job-manager.ts'
import { jobStatuses } from '../lib/queue/job.ts'
import { useJobs } from './queries.ts'
import { StatusBadge } from './StatusBadge.tsx'
import { TimeAgo } from './TimeAgo.tsx'
import { keepRange, rangeFields, TimeRangePicker, useRangeWords } from './TimeRangePicker.tsx'

const filterFields = ['status', 'queue', 'task', 'lock', 'id', 'args', 'order', 'rangeOf', ...rangeFields] as const
const orderNames: Record<JobOrder, string> = { newest: 'newest first', oldest: 'oldest first', slowest: 'slowest (of those that ran)' }

export function JobList() {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const queryClient = useQueryClient()
  const filters = useMemo(() => {
    const kept = new URLSearchParams()
    for (const field of filterFields) if (params.get(field)) kept.set(field, params.get(field)!)
    return kept
  }, [params])
  const after = params.get('after')
  const rangeWords = useRangeWords()
  const rangeOf = params.get('rangeOf') === 'ended' ? 'ended' : 'deferred'
  const within = rangeOf === 'ended' ? `with an attempt that ended ${rangeWords}` : `deferred ${rangeWords}`
  const order = (filters.get('order') ?? 'newest') as JobOrder
  // Newest first, the newest id when the first page was opened: later jobs are announced, not slipped in.
  const [anchor, setAnchor] = useState<number | null>(null)
  const pageSearch = new URLSearchParams(filters)
  if (after) pageSearch.set('after', after)
  else if (anchor !== null && order === 'newest') pageSearch.set('after', String(anchor + 1))
  const page = useJobs(pageSearch.toString())
  const newestSearch = new URLSearchParams(filters)
  newestSearch.delete('order')
  newestSearch.set('limit', '1')
  const newest = useJobs(newestSearch.toString())
  const newestId = newest.data?.jobs[0]?.id ?? null
  useEffect(() => setAnchor(null), [filters])
  useEffect(() => {
    if (anchor === null && !after && newestId !== null) setAnchor(newestId)
  }, [anchor, after, newestId])
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [cursor, setCursor] = useState(0)
  const mayAct = useAllowed('operator')
  const [bulk, setBulk] = useState<{ action: 'cancel' | 'retry'; ids: number[] } | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const [matchingPreview, setMatchingPreview] = useState<BulkResult | null>(null)

  /** The URL's filters as the bulk API takes them. */
  const bulkFilter = () => {
    const filter: Record<string, unknown> = {}
    if (filters.get('status')) filter.status = filters.get('status')!.split(',')
    for (const field of ['queue', 'task', 'lock'] as const) if (filters.get(field)) filter[field] = filters.get(field)
    if (filters.get('id')) filter.ids = [Number(filters.get('id'))]
    if (filters.get('args')) filter.args = parseArgsFilter(filters.get('args')!)
    // The range as the list read it: a relative one ("the last hour") moves on while one looks.
    const range = page.data?.range
    if (range?.from) filter.from = range.from
    if (range?.before) filter.to = range.before
    if (range && (range.from || range.before)) filter.rangeOf = range.of
    return filter
  }
  async function previewMatching(action: BulkAction) {
    try {
      setMatchingPreview(await api.bulk(bulkFilter(), action, true))
    } catch (error) {
      setMessage(failureText(error))
    }
  }
  async function actOnMatching(action: BulkAction) {
    try {
      const result = await api.bulk(bulkFilter(), action, false)
      setMessage(`${action === 'cancel' ? 'Cancelled' : 'Retried'} ${result.done} job(s); ${result.skipped} matching job(s) left alone.`)
    } catch (error) {
      setMessage(failureText(error))
    }
    setMatchingPreview(null)
    await queryClient.invalidateQueries()
  }
  const rows = page.data?.jobs ?? []

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.target as HTMLElement).closest('input, textarea, select, dialog')) return
      if (event.key === 'j') setCursor((c) => Math.min(c + 1, rows.length - 1))
      else if (event.key === 'k') setCursor((c) => Math.max(c - 1, 0))
      else if (event.key === 'Enter' && rows[cursor]) router.push(`/jobs/${rows[cursor]!.id}`)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [rows, cursor, router])

  const setFilters = (form: FormData) => {
    const next = keepRange(new URLSearchParams(), params)
    if (params.get('rangeOf')) next.set('rangeOf', params.get('rangeOf')!)
    for (const field of filterFields) {
      const value = String(form.get(field) ?? '').trim()
      if (value) next.set(field, value)
    }
    router.replace(`${pathname}?${next}`)
  }

  async function runBulk(action: 'cancel' | 'retry', ids: number[]) {
    const failures: string[] = []
    for (const id of ids) {
      try {
        if (action === 'cancel') await api.cancel(id)
        else await api.retry(id, false)
      } catch (error) {
        failures.push(`${id}: ${error instanceof ApiError ? error.code : String(error)}`)
      }
    }
    setMessage(`${action === 'cancel' ? 'Cancelled' : 'Retried'} ${ids.length - failures.length} of ${ids.length}.${failures.length ? ` Refused: ${failures.join(', ')}` : ''}`)
    setSelected(new Set())
    setBulk(null)
    await queryClient.invalidateQueries()
  }

  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Filter jobs"
        onSubmit={(event) => {
          event.preventDefault()
          setFilters(new FormData(event.currentTarget))
        }}
        key={filters.toString()}
      >
        <label>
          Status
          <select name="status" defaultValue={filters.get('status') ?? ''}>
            <option value="">any</option>
            {jobStatuses.filter((s) => s !== 'aborting').map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
        <label>Queue<input name="queue" defaultValue={filters.get('queue') ?? ''} size={10} /></label>
        <label>Task<input name="task" defaultValue={filters.get('task') ?? ''} size={14} /></label>
        <label>Lock<input name="lock" defaultValue={filters.get('lock') ?? ''} size={10} /></label>
        <label>Id<input name="id" defaultValue={filters.get('id') ?? ''} size={7} inputMode="numeric" /></label>
        <label>
          Arguments (key:value)
          <input name="args" defaultValue={filters.get('args') ?? ''} placeholder="user_id:42" data-search size={22} />
        </label>
        <label>
          Sort
          <select name="order" defaultValue={order === 'newest' ? '' : order}>
            {jobOrders.map((choice) => <option key={choice} value={choice === 'newest' ? '' : choice}>{orderNames[choice]}</option>)}
          </select>
        </label>
        <button type="submit" className="primary">Filter</button>
        {filters.size > 0 && <button type="button" onClick={() => router.replace(pathname)}>Clear</button>}
      </form>
      <div className="row">
        <TimeRangePicker label={rangeOf === 'ended' ? 'Ended' : 'Deferred'} />
        {rangeWords && (
          <label>
            Range of
            <select aria-label="Range of" value={rangeOf} onChange={(event) => {
              const next = new URLSearchParams(params)
              next.delete('after')
              if (event.target.value === 'ended') next.set('rangeOf', 'ended')
              else next.delete('rangeOf')
              router.replace(`${pathname}?${next}`)
            }}>
              <option value="deferred">their deferral</option>
              <option value="ended">an attempt's end</option>
            </select>
          </label>
        )}
      </div>
      <p className="muted" aria-label="What the list covers">
        {order === 'slowest'
          ? `The slowest latest attempts of the ${page.data?.among?.toLocaleString('en-US') ?? '…'} matching jobs ${rangeWords ? `${within} ` : ''}that ran${page.data?.among === slowestAmong ? ` (the newest ${slowestAmong.toLocaleString('en-US')} of them)` : ''}, one page.`
          : `Jobs ${rangeWords ? within : 'of any time'}, ${order === 'oldest' ? 'oldest' : 'newest'} first.`}
      </p>

      {page.error && <p className="error" role="alert">{(page.error as Error).message}</p>}
      {order === 'newest' && !after && anchor !== null && newestId !== null && newestId > anchor && (
        <p className="banner" role="status">
          New jobs arrived. <button type="button" onClick={() => setAnchor(null)}>Show them</button>
        </p>
      )}
      {message && <p className="banner" role="status">{message}</p>}
      {mayAct && <div className="row" style={{ marginBottom: 8 }}>
        <span className="muted">{selected.size} selected</span>
        <button type="button" disabled={!selected.size} onClick={() => setBulk({ action: 'cancel', ids: [...selected] })}>Cancel selected…</button>
        <button type="button" disabled={!selected.size} onClick={() => setBulk({ action: 'retry', ids: [...selected] })}>Retry selected…</button>
        <span className="muted">·</span>
        <button type="button" onClick={() => previewMatching('cancel')}>Cancel all matching…</button>
        <button type="button" onClick={() => previewMatching('retry')}>Retry all matching…</button>
      </div>}

      <table aria-label="Jobs">
        <thead>
          <tr>
            <th><span className="sr-only">Select</span></th>
            <th>Id</th><th>Status</th><th>Task</th><th>Queue</th><th>Deferred</th><th>Ran</th><th>Attempts</th><th>Lock</th><th>Arguments</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((job, index) => (
            <tr key={job.id} className={index === cursor ? 'selected' : undefined} aria-selected={index === cursor}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select job ${job.id}`}
                  checked={selected.has(job.id)}
                  onChange={(event) => {
                    const next = new Set(selected)
                    if (event.target.checked) next.add(job.id)
                    else next.delete(job.id)
                    setSelected(next)
                  }}
                />
              </td>
              <td><Link href={`/jobs/${job.id}`}>{job.id}</Link></td>
              <td><StatusBadge status={job.status} waiting={job.unfinishedParents > 0} /></td>
              <td>{job.task}</td>
              <td>{job.queue}</td>
              <JobTimeCells times={page.data?.times[job.id]} running={job.status === 'doing' || job.status === 'aborting'} />
              <td>{job.attempts}</td>
              <td>{job.lock ?? ''}</td>
              <td className="args" title={JSON.stringify(job.args)}>{JSON.stringify(job.args)}</td>
            </tr>
          ))}
          {!rows.length && !page.isLoading && (
            <tr><td colSpan={10} className="muted">No jobs match.</td></tr>
          )}
        </tbody>
      </table>
      <div className="row" style={{ marginTop: 10 }}>
        {after && <Link href={`${pathname}?${filters}`}>{order === 'newest' ? '« Newest' : '« Oldest'}</Link>}
        {page.data?.next && (
          <Link href={`${pathname}?${new URLSearchParams([...filters, ['after', String(page.data.next)]])}`}>{order === 'newest' ? 'Older »' : 'Newer »'}</Link>
        )}
      </div>

      {matchingPreview && (
        <dialog open aria-label="Confirm action on all matching jobs">
          <p>
            <strong>{matchingPreview.matched}{matchingPreview.tooMany ? '+' : ''} job(s) match</strong> {filters.size ? `the filter ${decodeURIComponent(filters.toString())}` : '(no filter: every job)'}.
          </p>
          <p>
            {matchingPreview.action === 'cancel'
              ? `${matchingPreview.applicable} todo job(s) will be cancelled (their children then run and see it); ${matchingPreview.skipped} in other statuses are left alone.`
              : `${matchingPreview.applicable} finished job(s) will run again (this job only); ${matchingPreview.skipped} not finished are left alone.`}
          </p>
          {matchingPreview.tooMany && <p className="error">More jobs match than one action may touch ({matchingPreview.matched}): only the oldest are included. Narrow the filter.</p>}
          <p className="muted">Newest matching: {matchingPreview.sample.map((job) => `${job.id} ${job.task} (${job.status})`).join(', ') || 'none'}</p>
          <div className="row">
            <button type="button" className="primary" disabled={!matchingPreview.applicable} onClick={() => actOnMatching(matchingPreview.action)}>
              {matchingPreview.action === 'cancel' ? 'Cancel' : 'Retry'} {matchingPreview.applicable} job(s)
            </button>
            <button type="button" onClick={() => setMatchingPreview(null)}>Back</button>
          </div>
        </dialog>
      )}

      {bulk && (
        <dialog open aria-label="Confirm bulk action">
          <p>
            {bulk.action === 'cancel' ? 'Cancel' : 'Retry (this job only)'} {bulk.ids.length} job(s):{' '}
            {bulk.ids.slice(0, 10).join(', ')}{bulk.ids.length > 10 ? '…' : ''}
          </p>
          <p className="muted">
            {bulk.action === 'cancel'
              ? 'Todo jobs become cancelled; their children then run and see it. Jobs in other statuses are refused.'
              : 'Finished jobs return to todo; jobs that have not finished are refused.'}
          </p>
          <div className="row">
            <button type="button" className="primary" onClick={() => runBulk(bulk.action, bulk.ids)}>Confirm</button>
            <button type="button" onClick={() => setBulk(null)}>Back</button>
          </div>
        </dialog>
      )}
    </>
  )
}

/** When a job was deferred (relative; exact on hover), and how long its last attempt ran (or runs). */
function JobTimeCells({ times, running }: { times: JobTimes | undefined; running: boolean }) {
  const started = times?.startedAt ? Date.parse(times.startedAt) : null
  const ended = times?.endedAt ? Date.parse(times.endedAt) : null
  return (
    <>
      <td className="time">{times?.deferredAt ? <TimeAgo at={times.deferredAt} /> : ''}</td>
      <td className="time">
        {started !== null && ended !== null && ended >= started && formatDuration(ended - started)}
        {started !== null && running && <span className="muted">running <TimeAgo at={times!.startedAt!} since /></span>}
      </td>
    </>
  )
}
