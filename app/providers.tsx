'use client'
// Shared by every page: TanStack Query, live updates from /api/events (invalidating the caches
// a change touches), the pause switch, and keyboard shortcuts.
import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { signInAgain } from '../lib/api/client.ts'
import { allows, type Actor, type Role } from '../lib/auth/roles.ts'
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'

interface Live {
  paused: boolean
  setPaused(paused: boolean): void
  /** Whether the event stream is connected (otherwise pages poll). */
  connected: boolean
}

const LiveContext = createContext<Live>({ paused: false, setPaused: () => {}, connected: false })

/** Queries whose data no job change alters, left out of the live refresh. */
const notLive = new Set(['tasks', 'workflow-preview'])
export const useLive = () => useContext(LiveContext)

const ActorContext = createContext<Actor>({ name: '', role: 'viewer' })
/** Who is signed in, to show only what they may do (the server checks again). */
export const useActor = () => useContext(ActorContext)
export const useAllowed = (need: Role) => allows(useActor().role, need)

export function Providers({ actor, children }: { actor: Actor; children: ReactNode }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 2000, retry: 1 } } }))
  const [paused, setPaused] = useState(false)
  const [connected, setConnected] = useState(false)
  return (
    <QueryClientProvider client={client}>
      <ActorContext.Provider value={actor}>
        <LiveContext.Provider value={{ paused, setPaused, connected }}>
          <LiveUpdates paused={paused} onConnected={setConnected} />
          <Shortcuts />
          {children}
        </LiveContext.Provider>
      </ActorContext.Provider>
    </QueryClientProvider>
  )
}

function LiveUpdates({ paused, onConnected }: { paused: boolean; onConnected(connected: boolean): void }) {
  const queryClient = useQueryClient()
  useEffect(() => {
    if (paused) return
    // Every page's data may show changed jobs (lists, counts, graphs, parents and children), so
    // all of it is refreshed: on each change (the server coalesces a burst into one message), and
    // on each (re)connection, for the changes made while no stream was open (a page's first data
    // is read before its stream opens: a job that finished in between would show running). Not
    // what no job changes: the tasks, and a workflow run's preview (each one a worker's work).
    // Reads under way are cancelled first: invalidating a query's first read (no data yet) does
    // not start another, so a change made while the page's first read was on the wire, and told
    // while it still was, would never be shown (CI once saw a finished job stay running).
    const live = { predicate: ({ queryKey: [kind] }: { queryKey: readonly unknown[] }) => !notLive.has(kind as string) }
    const refresh = () => void queryClient.cancelQueries(live).then(() => queryClient.invalidateQueries(live))
    const source = new EventSource('/api/events')
    source.onopen = () => {
      onConnected(true)
      refresh()
    }
    source.onerror = () => onConnected(false)
    source.addEventListener('ended', () => {
      source.close()
      signInAgain()
    })
    source.addEventListener('change', refresh)
    return () => {
      source.close()
      onConnected(false)
    }
  }, [paused, queryClient, onConnected])
  return null
}

function Shortcuts() {
  const router = useRouter()
  const [help, setHelp] = useState(false)
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement
      if (event.ctrlKey || event.metaKey || event.altKey || target.closest('input, textarea, select, [contenteditable]')) return
      if (event.key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-search]')
        if (search) {
          event.preventDefault()
          search.focus()
        }
      } else if (event.key === '?') setHelp((shown) => !shown)
      else if (event.key === 'g') {
        const graph = document.querySelector<HTMLAnchorElement>('[data-graph-link]')
        if (graph) router.push(graph.getAttribute('href')!)
      } else if (event.key === 'Escape') setHelp(false)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [router])
  if (!help) return null
  return (
    <div role="dialog" aria-label="Keyboard shortcuts" className="panel" style={{ position: 'fixed', right: 20, bottom: 20, zIndex: 20 }}>
      <strong>Keyboard shortcuts</strong>
      <ul>
        <li><span className="kbd">/</span> search jobs</li>
        <li><span className="kbd">j</span> / <span className="kbd">k</span> next / previous row</li>
        <li><span className="kbd">Enter</span> open the row</li>
        <li><span className="kbd">g</span> the graph of this job</li>
        <li><span className="kbd">?</span> this help</li>
      </ul>
    </div>
  )
}
