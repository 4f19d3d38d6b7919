import { listTokens } from '../../../lib/auth/api-tokens.ts'
import { isRole, roles } from '../../../lib/auth/roles.ts'
import { addApiToken, revokeApiToken } from '../../../lib/console/actions.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { integer } from '../args.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema, cliActor } from '../session.ts'

export default command({
  usage: `manana token create NAME [--role viewer|operator|admin]
       manana token list
       manana token revoke ID
  --role R               what the token may do (default viewer)`,
  summary: 'API tokens for the REST API (Authorization: Bearer …); each change is in the audit log',
  options: { role: { type: 'string' } },
  positionals: 2,
  async run(values, [verb, name]) {
    const role = values.role ?? 'viewer'
    if (!isRole(role)) throw new UsageError(`--role is one of ${roles.join(', ')}`)
    if ((verb === 'create' || verb === 'revoke') && !name) throw new UsageError(verb === 'create' ? 'NAME is required' : 'ID is required')
    const app = await appWithSchema()
    const pool = await app.pool()
    if (verb === 'create') {
      const { token, apiToken } = await addApiToken(cliActor(pool), name!, role)
      console.log(`token ${apiToken.id} "${apiToken.name}" (${apiToken.role}), shown this once:\n${token}`)
    } else if (verb === 'list') {
      for (const token of await listTokens(fromPg(pool))) {
        const state = token.revokedAt ? `revoked ${token.revokedAt.toISOString()}` : `last used ${token.lastUsedAt?.toISOString() ?? 'never'}`
        console.log(`${String(token.id).padEnd(6)} ${token.name.padEnd(24)} ${token.role.padEnd(9)} ${state}`)
      }
    } else if (verb === 'revoke') {
      const revoked = await revokeApiToken(cliActor(pool), integer(name, 'ID'))
      console.log(`token ${revoked.id} "${revoked.name}" is revoked`)
    } else throw new UsageError(`unknown: token ${verb ?? ''}; use create, list or revoke`)
    return 0
  },
})
