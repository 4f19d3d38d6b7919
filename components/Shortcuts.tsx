'use client'
// Keyboard shortcuts on every page: / search, g the graph of this job, ? their help.
import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'

export function Shortcuts() {
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
