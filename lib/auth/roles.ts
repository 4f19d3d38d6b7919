// Who is acting, and what each role may do: viewers read, operators also act on jobs, admins
// also manage users, tokens, settings and delete jobs.
export const roles = ['viewer', 'operator', 'admin'] as const
export type Role = (typeof roles)[number]

export const isRole = (value: unknown): value is Role => roles.includes(value as Role)

/** Whether someone with role `have` may do what needs role `need`. */
export const allows = (have: Role, need: Role) => roles.indexOf(have) >= roles.indexOf(need)

export interface Actor {
  /** How the audit log names them: a username, or `token:<name>`. */
  name: string
  role: Role
  /** Set for a signed-in user (not for an API token). */
  userId?: number
  /** A user signed in with a generated password, who must choose their own first. */
  mustChangePassword?: boolean
}
