// What e2e/serve.ts and the tests share.
import path from 'node:path'

/** The e2e server's admin password: e2e/serve.ts passes it as MANANA_ADMIN_PASSWORD. */
export const adminPassword = 'e2e-admin-password'

/** Where e2e/serve.ts writes its database's URL, for tests that look into it. */
export const serverFile = path.resolve('.manana/e2e-server.json')
