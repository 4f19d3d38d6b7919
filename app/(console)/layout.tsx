// Every console page needs a signed-in user; without one the browser goes to the sign-in page
// and comes back afterwards. A user with a generated password must choose their own first.
import { cookies, headers } from 'next/headers'
import { redirect } from 'next/navigation'
import type { ReactNode } from 'react'
import { Nav } from '@/components/Nav.tsx'
import { sessionCookie } from '@/lib/api/auth.ts'
import { sessionActor } from '@/lib/auth/sessions.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { Providers } from '../providers.tsx'

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const token = (await cookies()).get(sessionCookie)?.value
  const actor = token ? await sessionActor((await consoleContext()).db, token) : undefined
  const path = (await headers()).get('x-pathname') ?? '/'
  if (!actor) redirect(`/sign-in?next=${encodeURIComponent(path)}`)
  if (actor.mustChangePassword && !path.startsWith('/account')) redirect('/account')
  return (
    <Providers actor={actor}>
      <Nav />
      <main>{children}</main>
    </Providers>
  )
}
