'use client'
import { useRouter, useSearchParams } from 'next/navigation'
import { Suspense, useState, type FormEvent } from 'react'
import { api, ApiError } from '@/lib/api/client.ts'
import { sameOriginPath } from '@/lib/api/same-origin-path.ts'

function SignInForm() {
  const router = useRouter()
  const search = useSearchParams()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setBusy(true)
    setError(null)
    try {
      const { user } = await api.signIn(String(form.get('username')), String(form.get('password')))
      router.replace(user.mustChangePassword ? '/account' : sameOriginPath(search.get('next'), window.location.origin))
      router.refresh()
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure))
      setBusy(false)
    }
  }

  return (
    <form className="panel sign-in" onSubmit={submit} aria-label="Sign in">
      <h1>Sign in to Mañana</h1>
      {search.get('changed') && <p role="status">Your password is changed: sign in with the new one.</p>}
      <label>Username <input name="username" autoComplete="username" required autoFocus /></label>
      <label>Password <input name="password" type="password" autoComplete="current-password" required /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" className="primary" disabled={busy}>Sign in</button>
    </form>
  )
}

export default function SignInPage() {
  return (
    <main>
      <Suspense>
        <SignInForm />
      </Suspense>
    </main>
  )
}
