import { DeferForm } from '../../components/DeferForm.tsx'

export default function DeferPage() {
  return (
    <>
      <h1>Defer a job</h1>
      <DeferForm />
    </>
  )
}
