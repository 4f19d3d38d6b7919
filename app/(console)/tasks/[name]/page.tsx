import { Suspense } from 'react'
import { TaskActivityView } from '@/components/TaskActivityView.tsx'

export default async function TaskPage({ params }: { params: Promise<{ name: string }> }) {
  return (
    <Suspense>
      <TaskActivityView task={decodeURIComponent((await params).name)} />
    </Suspense>
  )
}
