// Next's Link, never prefetched: every console page is rendered per request, so a prefetch is a
// server render (and a session check) for each link in view at every page load, 73 on the
// overview, competing with the page's own reads and drawing (a 5,000-job graph's page, drawn and
// panned: 1.35–1.40 s with them, 1.19–1.21 s without). A link is fetched when followed, still as
// a client-side navigation.
import NextLink from 'next/link'
import type { ComponentProps } from 'react'

export default function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />
}
