'use client'
// Live updates from /api/events: each change invalidates the caches it touches; a switch pauses
// them; pages poll while the stream is down (components/queries.ts).
import { useQueryClient } from '@tanstack/react-query'
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'
import { signInAgain } from '../lib/api/client.ts'
import { notLive } from './query-keys.ts'

interface Live {
  paused: boolean
  setPaused(paused: boolean): void
  /** Whether the event stream is connected (otherwise pages poll). */
  connected: boolean
}

const LiveContext = createContext<Live>({ paused: false, setPaused: () => {}, connected: false })
export const useLive = () => useContext(LiveContext)

/** Listens for changes (unless paused) and gives its pages the live state. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const [paused, setPaused] = useState(false)
  const [connected, setConnected] = useState(false)
  return (
    <LiveContext.Provider value={{ paused, setPaused, connected }}>
      <LiveUpdates paused={paused} onConnected={setConnected} />
      {children}
    </LiveContext.Provider>
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
    const live = { predicate: ({ queryKey: [kind] }: { queryKey: readonly unknown[] }) => !notLive.has(kind) }
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
