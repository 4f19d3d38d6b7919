import { Suspense } from 'react'
import { JobList } from '@/components/JobList.tsx'

export default function JobsPage() {
  return (
    <>
      <h1>Jobs</h1>
      <Suspense>
        <JobList />
      </Suspense>
    </>
  )
}
