'use client'
// Who is signed in, for every page and component: to show only what they may do (the server
// checks again).
import { createContext, useContext } from 'react'
import { allows, type Actor, type Role } from '../lib/auth/roles.ts'

export const ActorContext = createContext<Actor>({ name: '', role: 'viewer' })
export const useActor = () => useContext(ActorContext)
export const useAllowed = (need: Role) => allows(useActor().role, need)
