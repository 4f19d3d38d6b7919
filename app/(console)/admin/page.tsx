'use client'
// Users, API tokens and settings (admins only; the API checks again).
import { useQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api } from '@/lib/api/client.ts'
import { roles, type Role } from '@/lib/auth/roles.ts'
import { DeleteOldJobs } from '@/components/DeleteOldJobs.tsx'
import { useAllowed } from '@/components/actor.tsx'
import { useAction } from '@/components/mutations.ts'
import { queryKeys } from '@/components/query-keys.ts'
import { Time } from '@/components/Time.tsx'

/** Runs an admin action, refreshes the page's data, and reports failures. */
const useAdminAction = () => useAction({ refreshes: queryKeys.admin.all })

/** A secret shown once: a new user's password, or a new API token. */
function Secret({ secret }: { secret: { label: string; value: string } | null }) {
  if (!secret) return null
  return (
    <div role="status" className="panel" style={{ marginBottom: 12 }}>
      <p style={{ marginTop: 0 }}>{secret.label} It is shown this once:</p>
      <p className="secret">{secret.value}</p>
    </div>
  )
}

const RoleSelect = ({ name, value, onChange, label }: { name?: string; value?: Role; onChange?: (role: Role) => void; label: string }) => (
  <select name={name} value={value} defaultValue={value ? undefined : 'viewer'} onChange={(event) => onChange?.(event.target.value as Role)} aria-label={label}>
    {roles.map((role) => <option key={role}>{role}</option>)}
  </select>
)

function Users() {
  const users = useQuery({ queryKey: queryKeys.admin.users, queryFn: api.users })
  const { error, run } = useAdminAction()
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null)
  const add = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const username = String(form.get('username'))
    void run(async () => {
      const { password } = await api.addUser(username, form.get('role') as Role)
      if (password) setSecret({ label: `${username} signs in with this one-time password.`, value: password })
    })
  }
  return (
    <section>
      <h2>Users</h2>
      <Secret secret={secret} />
      {error && <p className="error" role="alert">{error}</p>}
      <table aria-label="Users">
        <thead><tr><th>User</th><th>Role</th><th>Since</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {users.data?.users.map((user) => (
            <tr key={user.id}>
              <td>{user.username}{user.mustChangePassword && <span className="muted"> (one-time password)</span>}</td>
              <td><RoleSelect label={`Role of ${user.username}`} value={user.role} onChange={(role) => run(async () => void (await api.changeUser(user.username, { role })))} /></td>
              <td><Time at={user.createdAt} /></td>
              <td className="row">
                <button type="button" onClick={() => run(async () => {
                  const { password } = await api.changeUser(user.username, { resetPassword: true })
                  setSecret({ label: `${user.username}'s new one-time password.`, value: password! })
                })}>Reset password</button>
                <button type="button" className="danger" onClick={() => window.confirm(`Remove ${user.username}?`) && run(async () => void (await api.removeUser(user.username)))}>Remove</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="filters" onSubmit={add} aria-label="Add a user" style={{ marginTop: 8 }}>
        <label>Username<input name="username" required pattern="[a-z0-9][a-z0-9._@\-]{0,63}" /></label>
        <label>Role<RoleSelect name="role" label="Role of the new user" /></label>
        <button type="submit" className="primary">Add user</button>
      </form>
    </section>
  )
}

function Tokens() {
  const tokens = useQuery({ queryKey: queryKeys.admin.tokens, queryFn: api.tokens })
  const { error, run } = useAdminAction()
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null)
  const add = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    void run(async () => {
      const { token, apiToken } = await api.addToken(String(form.get('name')), form.get('role') as Role)
      setSecret({ label: `Token "${apiToken.name}" (${apiToken.role}): send it as "Authorization: Bearer …".`, value: token })
    })
  }
  return (
    <section>
      <h2>API tokens</h2>
      <Secret secret={secret} />
      {error && <p className="error" role="alert">{error}</p>}
      <table aria-label="API tokens">
        <thead><tr><th>Name</th><th>Role</th><th>Created by</th><th>Last used</th><th>State</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {tokens.data?.tokens.map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td>
              <td>{token.role}</td>
              <td>{token.createdBy}</td>
              <td>{token.lastUsedAt ? <Time at={token.lastUsedAt} /> : 'never'}</td>
              <td>{token.revokedAt ? 'revoked' : 'active'}</td>
              <td>{!token.revokedAt && <button type="button" className="danger" onClick={() => run(async () => void (await api.revokeToken(token.id)))}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="filters" onSubmit={add} aria-label="Create an API token" style={{ marginTop: 8 }}>
        <label>Token name<input name="name" required maxLength={64} /></label>
        <label>Role<RoleSelect name="role" label="Role of the new token" /></label>
        <button type="submit" className="primary">Create token</button>
      </form>
    </section>
  )
}

function SettingsForm() {
  const settings = useQuery({ queryKey: queryKeys.admin.settings, queryFn: api.settings })
  const { error, run } = useAdminAction()
  return (
    <section>
      <h2>Settings</h2>
      {error && <p className="error" role="alert">{error}</p>}
      <label style={{ flexDirection: 'row', alignItems: 'center', fontSize: 14, color: 'var(--text)' }}>
        <input
          type="checkbox"
          checked={settings.data?.hideValuesFromViewers ?? false}
          disabled={!settings.data}
          onChange={(event) => run(async () => void (await api.updateSettings({ hideValuesFromViewers: event.target.checked })))}
        />
        Hide job arguments and results from viewers
      </label>
    </section>
  )
}

export default function AdminPage() {
  const isAdmin = useAllowed('admin')
  return (
    <>
      <h1>Admin</h1>
      {isAdmin ? <><Users /><Tokens /><SettingsForm /><DeleteOldJobs /></> : <p>This page needs the admin role.</p>}
    </>
  )
}
