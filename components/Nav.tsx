'use client'
import Link from './Link.tsx'
import { usePathname, useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'
import { useActor } from './actor.tsx'
import { useLive } from './live.tsx'
import { useTimeZone } from './time-zone.tsx'
import { api } from '../lib/api/client.ts'
import { allows, type Role } from '../lib/auth/roles.ts'

/** Pages, and the role that may use each. */
const links: Array<[href: string, label: string, need: Role]> = [
  ['/', 'Overview', 'viewer'],
  ['/jobs', 'Jobs', 'viewer'],
  ['/workflows', 'Workflows', 'viewer'],
  ['/defer', 'Defer', 'operator'],
  ['/tasks', 'Tasks', 'viewer'],
  ['/queues', 'Queues', 'viewer'],
  ['/schedules', 'Schedules', 'viewer'],
  ['/workers', 'Workers', 'viewer'],
  ['/audit', 'Audit', 'operator'],
  ['/admin', 'Admin', 'admin'],
]

type Theme = 'system' | 'light' | 'dark'

export function Nav() {
  const pathname = usePathname()
  const { paused, setPaused, connected } = useLive()
  const actor = useActor()
  const { zone, setZone } = useTimeZone()
  const router = useRouter()
  const [theme, setTheme] = useState<Theme>('system')
  // On a phone the links and controls fold behind a Menu button, closed again on each page.
  const [open, setOpen] = useState(false)
  useEffect(() => setOpen(false), [pathname])
  useEffect(() => setTheme((localStorage.getItem('theme') as Theme) ?? 'system'), [])
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme
    else document.documentElement.dataset.theme = theme
    localStorage.setItem('theme', theme)
  }, [theme])
  return (
    <header className="top" data-open={open || undefined}>
      <Link href="/" className="brand">Mañana</Link>
      <button type="button" className="menu-button" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>
        Menu
      </button>
      <nav aria-label="Main" id="main-nav">
        {links.filter(([, , need]) => allows(actor.role, need)).map(([href, label]) => {
          const current = href === '/' ? pathname === '/' : pathname.startsWith(href)
          return (
            <Link key={href} href={href} aria-current={current ? 'page' : undefined}>
              {label}
            </Link>
          )
        })}
      </nav>
      <span className="muted" aria-live="polite">{paused ? 'paused' : connected ? '● live' : 'polling'}</span>
      <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
        {paused ? 'Resume live updates' : 'Pause live updates'}
      </button>
      <button type="button" onClick={() => setZone(zone === 'utc' ? 'local' : 'utc')} aria-pressed={zone === 'utc'} title="Show every time in UTC instead of this browser's zone">
        UTC
      </button>
      <label className="row" style={{ flexDirection: 'row' }}>
        <span className="sr-only">Theme</span>
        <select value={theme} onChange={(event) => setTheme(event.target.value as Theme)} aria-label="Theme">
          <option value="system">System theme</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
      <Link href="/account" aria-label={`Account: ${actor.name}, ${actor.role}`}>{actor.name}</Link>
      <button
        type="button"
        onClick={async () => {
          await api.signOut().catch(() => {})
          router.replace('/sign-in')
        }}
      >
        Sign out
      </button>
    </header>
  )
}
