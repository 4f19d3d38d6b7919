'use client'
import { DeferForm } from '@/components/DeferForm.tsx'
import { useAllowed } from '@/components/actor.tsx'

export default function DeferPage() {
  const mayDefer = useAllowed('operator')
  return (
    <>
      <h1>Defer a job</h1>
      {mayDefer ? <DeferForm /> : <p>Deferring jobs needs the operator role.</p>}
    </>
  )
}
