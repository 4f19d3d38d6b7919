// A workflow defined once, in TypeScript: a function of its input that composes steps (each a
// task with its arguments) and says which steps come after which. The compiler checks that each
// step's `after` gives its task the parents it declared (a wrong or missing parent does not
// compile); deferring it is one atomic call, under the definition's name.
import type { DeferOptions, Workflow, WorkflowOptions } from './defer.ts'
import { ManaError } from './errors.ts'
import type { ParentSpec } from './parents.ts'
import { jsonSchemaOf, validateArgs, type StandardSchemaV1 } from './standard-schema.ts'
import type { Task, TaskArgs } from './task.ts'

type AnyTask = Task<any, any, any, any>

/** A step of a workflow being defined: which task, under which key. */
export interface Step<T extends AnyTask = AnyTask> {
  readonly key: string
  readonly task: T
}

type ArgsOf<T> = T extends Task<infer Args, any, any, any> ? Args : never
type ParentsOfTask<T> = T extends Task<any, any, any, infer Parents> ? Parents : never

/** The steps a task's declared parents need: one step per key, or a list for [task]. */
export type AfterFor<Parents extends ParentSpec> = {
  [Key in keyof Parents]: Parents[Key] extends readonly [infer Each extends AnyTask] ? ReadonlyArray<Step<Each>> : Step<Parents[Key] & AnyTask>
}

/**
 * A step's options: the job's (queue, priority, locks, schedule, ids of existing jobs it waits
 * for) and `after`, the steps it comes after: those its task declared, by key, or any list of
 * steps when it declared none.
 */
export type StepOptions<T extends AnyTask> = Omit<DeferOptions, 'dependsOn'> & { dependsOn?: number[] } & ({} extends ParentsOfTask<T>
    ? { after?: ReadonlyArray<Step> }
    : { after: AfterFor<ParentsOfTask<T>> })

export interface WorkflowBuilder {
  /** Adds a step: `task` run with `args`, after the steps `options.after` names. */
  step<T extends AnyTask>(key: string, task: T, args: ArgsOf<T>, ...options: {} extends ParentsOfTask<T> ? [StepOptions<T>?] : [StepOptions<T>]): Step<T>
}

/** What deferring gives back: the ids of the steps the definition returned, by their names there. */
export type WorkflowIds<Steps> = { [Key in keyof Steps]: number }

export class WorkflowDefinition<Input extends TaskArgs = TaskArgs, Steps extends Record<string, Step> | void = void, Parsed extends TaskArgs = Input> {
  constructor(
    readonly name: string,
    readonly options: { input?: StandardSchemaV1<any, TaskArgs> },
    private readonly build: (w: WorkflowBuilder, input: Parsed) => Steps,
    private readonly deferWorkflow: (workflow: Workflow, options: WorkflowOptions) => Promise<Record<string, number>>,
  ) {}

  /** What workers announce of its input: its validator's JSON Schema, or null. */
  inputSchema(): Record<string, unknown> | null {
    return this.options.input ? jsonSchemaOf(this.options.input) : null
  }

  /** The jobs `input` makes, by step key (checks the input first: invalid_args). */
  async jobs(input: Input): Promise<{ workflow: Workflow; returned: Steps }> {
    const parsed = (this.options.input ? await validateArgs(this.options.input, input, `workflow ${this.name}`) : input) as Parsed
    const workflow: Workflow = {}
    const builder: WorkflowBuilder = {
      step: (key, task, args, ...rest) => {
        if (key in workflow) throw new ManaError('duplicate_key', `workflow ${this.name}: two steps are called ${key}`)
        const { after, dependsOn, ...options } = (rest[0] ?? {}) as StepOptions<AnyTask> & { after?: unknown }
        const afterSteps = Object.values(Array.isArray(after) ? { after } : (after ?? {})).flat() as Step[]
        for (const step of afterSteps) {
          if (!(step.key in workflow)) throw new ManaError('unknown_parent_key', `workflow ${this.name}: step ${key} comes after ${step.key}, which is not a step of it`)
        }
        workflow[key] = { task: task.name, args, ...options, dependsOn: [...afterSteps.map((step) => step.key), ...(dependsOn ?? [])] }
        return { key, task }
      },
    }
    const returned = this.build(builder, parsed)
    return { workflow, returned }
  }

  /** Defers the whole workflow atomically; the ids of the steps the definition returned, by name. */
  async defer(input: Input): Promise<WorkflowIds<Steps>> {
    const { workflow, returned } = await this.jobs(input)
    const ids = await this.deferWorkflow(workflow, { name: this.name })
    return Object.fromEntries(Object.entries((returned ?? {}) as Record<string, Step>).map(([name, step]) => [name, ids[step.key]!])) as WorkflowIds<Steps>
  }
}
