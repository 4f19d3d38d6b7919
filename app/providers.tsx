'use client'
// Shared by every page: TanStack Query, who is signed in, the time zone, live updates and keyboard shortcuts
// (each in components/, where the components that use them import them from).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { ActorContext } from '@/components/actor.tsx'
import { LiveProvider } from '@/components/live.tsx'
import { Shortcuts } from '@/components/Shortcuts.tsx'
import { TimeZoneProvider } from '@/components/time-zone.tsx'
import type { Actor } from '@/lib/auth/roles.ts'

export function Providers({ actor, children }: { actor: Actor; children: ReactNode }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 2000, retry: 1 } } }))
  return (
    <QueryClientProvider client={client}>
      <ActorContext.Provider value={actor}>
        <TimeZoneProvider>
          <LiveProvider>
            <Shortcuts />
            {children}
          </LiveProvider>
        </TimeZoneProvider>
      </ActorContext.Provider>
    </QueryClientProvider>
  )
}
