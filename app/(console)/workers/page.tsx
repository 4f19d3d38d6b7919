'use client'
import { useWorkers } from '@/components/queries.ts'
import { WorkerTable } from '@/components/WorkerTable.tsx'

export default function WorkersPage() {
  const { data } = useWorkers()
  return (
    <>
      <h1>Workers</h1>
      <p className="muted">Stop asks a worker to finish its running jobs, put back those claimed ahead, and exit; it reads the request with its next heartbeat.</p>
      {data ? <WorkerTable workers={data.workers} actions /> : <p className="muted">Loading…</p>}
    </>
  )
}
