/** Polls `probe` every 25 ms until it gives a value, or fails after `seconds` naming `what`. */
export async function until<T>(probe: () => Promise<T | undefined | false>, what: string, seconds = 20): Promise<T> {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
