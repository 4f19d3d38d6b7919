import { OverviewView } from '@/components/Overview.tsx'

export default function OverviewPage() {
  return <OverviewView />
}
