// Which Host a request may name. A page on another site can make a browser send requests to the
// console under that site's own name, by pointing the name at the console's address (DNS
// rebinding); refusing names the console does not answer to stops it. Addresses (127.0.0.1,
// [::1], 192.0.2.2) and localhost are always allowed; other names only when MANANA_ALLOWED_HOSTS
// (comma-separated) lists them.

export function allowedHostNames(setting = process.env.MANANA_ALLOWED_HOSTS ?? ''): string[] {
  return setting.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean)
}

/** Whether a Host header (name or address, with or without a port) is one the console answers to. */
export function hostAllowed(host: string | null, allowed: string[] = allowedHostNames()): boolean {
  if (!host) return false
  const name = host.toLowerCase().replace(/:\d+$/, '')
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || /^\[[0-9a-f:.]+\]$/.test(name)) return true
  return name === 'localhost' || name.endsWith('.localhost') || allowed.includes(name)
}
