'use client'
// Live updates from /api/events: each change invalidates the caches it touches; a switch pauses
// them; pages poll while the stream is down (components/queries.ts).
import { useQueryClient, type Query } from '@tanstack/react-query'
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
    // all of it is read again: on each change (the server coalesces a burst into one message), and
    // on each (re)connection, for the changes made while no stream was open (a page's first data
    // is read before its stream opens: a job that finished in between would show running). Not
    // what no job changes: the tasks, and a workflow run's preview (each one a worker's work).
    // A read under way is not thrown away: it may have begun before the change, so it is read
    // again once it ends. (Cancelled and begun again at each change, a read slower than the
    // changes came, a big graph on a busy queue, never ended: its page stayed "Loading…".)
    const cache = queryClient.getQueryCache()
    const readAfterThis = new Set<Query>()
    const readAgain = (query: Query) => void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true })
    const refresh = () => {
      for (const query of cache.getAll()) {
        if (notLive.has(query.queryKey[0])) continue
        if (query.state.fetchStatus === 'fetching') readAfterThis.add(query)
        else readAgain(query)
      }
    }
    const unsubscribe = cache.subscribe((event) => {
      if (event.type === 'removed') readAfterThis.delete(event.query)
      else if (event.type === 'updated' && event.query.state.fetchStatus !== 'fetching' && readAfterThis.delete(event.query)) readAgain(event.query)
    })
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
      unsubscribe()
      source.close()
      onConnected(false)
    }
  }, [paused, queryClient, onConnected])
  return null
}
