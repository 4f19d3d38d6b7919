import { isRole, roles } from '../../../lib/auth/roles.ts'
import { listUsers } from '../../../lib/auth/users.ts'
import { addConsoleUser, changePassword, removeConsoleUser } from '../../../lib/console/actions.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema, cliActor } from '../session.ts'

export default command({
  usage: `manana user add NAME [--role viewer|operator|admin] [--password-stdin]
       manana user passwd NAME [--password-stdin]
       manana user remove NAME
       manana user list
  --role R               the new user's role (default viewer)
  --password-stdin       read the password from the first line of standard input; without it a
                         one-time password is generated, printed, and must be changed at sign-in`,
  summary: "manage the console's users (each change is in the audit log, by cli:$USER)",
  options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  positionals: 2,
  async run(values, [verb, username]) {
    if (verb !== 'list' && !username) throw new UsageError('NAME is required')
    const role = values.role ?? 'viewer'
    if (!isRole(role)) throw new UsageError(`--role is one of ${roles.join(', ')}`)
    const app = await appWithSchema()
    const who = cliActor(await app.pool())
    const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined
    const printPassword = (generated: string) =>
      password === undefined && console.log(`one-time password for ${username}: ${generated}\n(to be changed at the first sign-in)`)
    if (verb === 'add') {
      const { user, password: generated } = await addConsoleUser(who, username!, role, password)
      console.log(`added ${user.username} (${user.role})`)
      printPassword(generated)
    } else if (verb === 'passwd') {
      const { password: generated } = await changePassword(who, username!, password)
      console.log(`password of ${username} changed; their sessions have ended`)
      printPassword(generated)
    } else if (verb === 'remove') {
      await removeConsoleUser(who, username!)
      console.log(`removed ${username}`)
    } else if (verb === 'list') {
      for (const user of await listUsers(fromPg(who.pool))) {
        console.log(`${user.username.padEnd(24)} ${user.role.padEnd(9)} ${user.mustChangePassword ? 'must change password' : ''}`)
      }
    } else throw new UsageError(`unknown: user ${verb ?? ''}; use add, passwd, remove or list`)
    return 0
  },
})

async function readPasswordFromStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  const password = text.split(/\r?\n/)[0] ?? ''
  if (!password) throw new UsageError('--password-stdin: standard input held no password')
  return password
}
