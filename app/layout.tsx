import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { Nav } from '../components/Nav.tsx'
import './globals.css'
import { Providers } from './providers.tsx'

export const metadata: Metadata = { title: 'Mañana', description: 'Jobs and workflows on PostgreSQL' }

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <body>
        <Providers>
          <Nav />
          <main>{children}</main>
        </Providers>
      </body>
    </html>
  )
}
