'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { Suspense, useEffect, useState } from 'react'
import { AuditTable } from '@/components/AuditTable.tsx'
import { useAudit } from '@/components/queries.ts'
import { keepRange, TimeRangePicker } from '@/components/TimeRangePicker.tsx'

const fields = [
  ['actor', 'Who', 'alice or token:ci'],
  ['action', 'Action', 'job.cancel'],
  ['outcome', 'Outcome', 'ok'],
  ['jobId', 'Job id', '42'],
] as const

function AuditLog() {
  const filters = useSearchParams()
  const router = useRouter()
  const pathname = usePathname()
  const [cursors, setCursors] = useState<number[]>([])
  useEffect(() => setCursors([]), [filters])
  const search = new URLSearchParams(filters)
  if (cursors.length) search.set('after', String(cursors.at(-1)))
  const { data, error } = useAudit(search.toString())
  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Filter the audit log"
        key={filters.toString()}
        onSubmit={(event) => {
          event.preventDefault()
          const next = keepRange(new URLSearchParams(), filters)
          for (const [name, value] of new FormData(event.currentTarget)) if (String(value).trim()) next.set(name, String(value).trim())
          setCursors([])
          router.replace(`${pathname}?${next}`)
        }}
      >
        {fields.map(([name, label, placeholder]) => (
          <label key={name}>{label}<input name={name} defaultValue={filters.get(name) ?? ''} placeholder={placeholder} size={14} /></label>
        ))}
        <button type="submit" className="primary">Filter</button>
      </form>
      <TimeRangePicker label="At" />
      {error && <p className="error" role="alert">{(error as Error).message}</p>}
      <AuditTable entries={data?.entries ?? []} label="Audit log" />
      <div className="row" style={{ marginTop: 8 }}>
        {cursors.length > 0 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>}
        {data?.next && <button type="button" onClick={() => setCursors([...cursors, data.next!])}>Older</button>}
      </div>
    </>
  )
}

export default function AuditPage() {
  return (
    <>
      <h1>Audit</h1>
      <Suspense>
        <AuditLog />
      </Suspense>
    </>
  )
}
