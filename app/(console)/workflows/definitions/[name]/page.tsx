import { RunsGridView } from '@/components/RunsGridView.tsx'

export default async function DefinitionRunsPage({ params }: { params: Promise<{ name: string }> }) {
  return <RunsGridView definition={decodeURIComponent((await params).name)} />
}
