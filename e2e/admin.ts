/** The e2e server's admin password: e2e/serve.ts passes it as MANANA_ADMIN_PASSWORD. */
export const adminPassword = 'e2e-admin-password'
