import { JobDetailView } from '@/components/JobDetail.tsx'

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  return <JobDetailView id={Number((await params).id)} />
}
