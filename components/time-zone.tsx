'use client'
// The zone the console shows times in: the browser's own, or UTC when the user says so. The
// choice is kept in this browser for each user who signs in here.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'
import { useActor } from './actor.tsx'
import type { TimeZoneChoice } from '../lib/console/time.ts'

const TimeZoneContext = createContext<{ zone: TimeZoneChoice; setZone: (zone: TimeZoneChoice) => void }>({ zone: 'local', setZone: () => {} })
export const useTimeZone = () => useContext(TimeZoneContext)

export function TimeZoneProvider({ children }: { children: ReactNode }) {
  const key = `manana.time-zone:${useActor().name}`
  const [zone, setZoneState] = useState<TimeZoneChoice>('local')
  useEffect(() => setZoneState(localStorage.getItem(key) === 'utc' ? 'utc' : 'local'), [key])
  const setZone = (next: TimeZoneChoice) => {
    localStorage.setItem(key, next)
    setZoneState(next)
  }
  return <TimeZoneContext.Provider value={{ zone, setZone }}>{children}</TimeZoneContext.Provider>
}
