'use client'
import { useWorkers } from '../../../components/queries.ts'
import { WorkerTable } from '../../../components/WorkerTable.tsx'

export default function WorkersPage() {
  const { data } = useWorkers()
  return (
    <>
      <h1>Workers</h1>
      {data ? <WorkerTable workers={data.workers} /> : <p className="muted">Loading…</p>}
    </>
  )
}
