/** One line per event, readable by a person: time, who, what. */
export function createLog(name: string, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
  return (message: string) => write(`${new Date().toISOString()} ${name} ${message}`)
}
export type Log = ReturnType<typeof createLog>
