'use client'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { api, ApiError } from '@/lib/api/client.ts'
import { useActor } from '@/components/actor.tsx'

export default function AccountPage() {
  const actor = useActor()
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    if (form.get('password') !== form.get('repeat')) return setError('the two new passwords differ')
    try {
      await api.changePassword(String(form.get('current')), String(form.get('password')))
      router.replace('/sign-in?changed=1') // every session of this user has ended
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure))
    }
  }

  return (
    <>
      <h1>Account</h1>
      <p>Signed in as <strong>{actor.name}</strong> ({actor.role}).</p>
      {actor.mustChangePassword && <p role="alert">You signed in with a one-time password: choose your own to go on.</p>}
      <form className="panel stack" style={{ maxWidth: 420 }} onSubmit={submit} aria-label="Change password">
        <h2 style={{ marginTop: 0 }}>Change password</h2>
        <label>Current password <input name="current" type="password" autoComplete="current-password" required /></label>
        <label>New password (12 characters or more) <input name="password" type="password" autoComplete="new-password" minLength={12} required /></label>
        <label>New password again <input name="repeat" type="password" autoComplete="new-password" minLength={12} required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" className="primary">Change password</button>
      </form>
    </>
  )
}
