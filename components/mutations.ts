'use client'
// Changes made through the API, as TanStack Query mutations: one at a time per component, the
// data they change refreshed after, and why one failed said in the API's words.
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query'
import { ApiError } from '../lib/api/client.ts'

/** A failure as the console shows it: the API's stable code and its sentence. */
export const failureText = (failure: unknown) =>
  failure instanceof ApiError ? `${failure.code}: ${failure.message}` : failure instanceof Error ? failure.message : String(failure)

/**
 * `run(action)` runs a change through the API (never throwing), `busy` while it does; `onSuccess`
 * hears when it succeeded. Then the queries under `refreshes` (every query by default) are read
 * again, failed or not (a refused change often means the data moved on). `error` says why the
 * last one failed.
 */
export function useAction({ refreshes, onSuccess }: { refreshes?: QueryKey; onSuccess?: () => void } = {}) {
  const queryClient = useQueryClient()
  const mutation = useMutation({
    mutationFn: (action: () => Promise<unknown>) => action(),
    onSuccess,
    onSettled: () => queryClient.invalidateQueries(refreshes ? { queryKey: refreshes } : undefined),
  })
  return {
    run: (action: () => Promise<unknown>) => mutation.mutateAsync(action).then(() => {}, () => {}),
    busy: mutation.isPending,
    error: mutation.error ? failureText(mutation.error) : null,
    /** The last failure itself, for a component that words it its own way. */
    failure: mutation.error,
  }
}
