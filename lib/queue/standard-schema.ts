// Tasks declare their arguments with any validator that implements Standard Schema
// (https://standardschema.dev: zod, valibot, arktype…): Mañana checks arguments with it when
// they are deferred and before a task runs, and announces the JSON Schema the validator can give
// (Standard JSON Schema) so that the console's forms use it. The interfaces below are the parts
// of those specifications Mañana relies on.
import { ManaError } from './errors.ts'

export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
    /** Standard JSON Schema: the schema of what is accepted; may throw when it cannot be expressed. */
    readonly jsonSchema?: { readonly input: (options: { readonly target: string }) => Record<string, unknown> } | undefined
  }
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> }

export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input']
export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output']

/** `items[2].name`: where in the arguments an issue is. */
function pathOf(path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string {
  return (path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`))
    .join('')
}

/** The arguments as the schema makes them (defaults filled in), or invalid_args naming `what` (a task, a workflow) and each field at fault. */
export async function validateArgs<Output>(schema: StandardSchemaV1<unknown, Output>, args: unknown, what: string): Promise<Output> {
  const result = await schema['~standard'].validate(args)
  if (!result.issues) return result.value
  const problems = result.issues.map((issue) => {
    const at = pathOf(issue.path)
    return at ? `${at}: ${issue.message}` : issue.message
  })
  throw new ManaError('invalid_args', `${what}: invalid arguments: ${problems.join('; ')}`)
}

/** The JSON Schema of what the validator accepts, when it can say (Standard JSON Schema); null otherwise. */
export function jsonSchemaOf(schema: StandardSchemaV1): Record<string, unknown> | null {
  try {
    return schema['~standard'].jsonSchema?.input({ target: 'draft-2020-12' }) ?? null
  } catch {
    return null
  }
}
