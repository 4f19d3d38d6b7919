import { DagView } from '@/components/DagView.tsx'

export default async function GraphPage({ params }: { params: Promise<{ id: string }> }) {
  return <DagView jobId={Number((await params).id)} />
}
