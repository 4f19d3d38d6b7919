// A workflow defined once, in TypeScript: a function of its input that composes steps (each a
// task with its arguments) and says which steps come after which. The compiler checks that each
// step's `after` gives its task the parents it declared (a wrong or missing parent does not
// compile); deferring it is one atomic call, under the definition's name.
import { deferWorkflowRun, maxWorkflowJobs, type DeferOptions, type JobToDefer, type WorkflowRun } from './defer.ts'
import { ManaError } from './errors.ts'
import type { ParentSpec } from './parents.ts'
import type { Queryable } from './queryable.ts'
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

/** What a definition needs of its app: jobs given their tasks' defaults and checked arguments, and a database. */
export interface WorkflowHost {
  prepare(jobs: JobToDefer[]): Promise<JobToDefer[]>
  readonly db: Queryable
}

export class WorkflowDefinition<Input extends TaskArgs = TaskArgs, Steps extends Record<string, Step> | void = void, Parsed extends TaskArgs = Input> {
  constructor(
    readonly name: string,
    readonly options: { input?: StandardSchemaV1<any, TaskArgs> },
    private readonly build: (w: WorkflowBuilder, input: Parsed) => Steps,
    private readonly host: WorkflowHost,
  ) {}

  /** What workers announce of its input: its validator's JSON Schema, or null. */
  inputSchema(): Record<string, unknown> | null {
    return this.options.input ? jsonSchemaOf(this.options.input) : null
  }

  /**
   * The jobs `input` makes, keyed, in the order their steps were added, each with its task's
   * defaults and checked arguments (invalid_args for the input or a step's arguments), and the
   * steps the definition returned.
   */
  async plan(input: Input): Promise<{ jobs: JobToDefer[]; returned: Steps }> {
    const parsed = (this.options.input ? await validateArgs(this.options.input, input, `workflow ${this.name}`) : input) as Parsed
    const jobs = new Map<string, JobToDefer>()
    const builder: WorkflowBuilder = {
      step: (key, task, args, ...rest) => {
        if (jobs.has(key)) throw new ManaError('duplicate_key', `workflow ${this.name}: two steps are called ${key}`)
        if (jobs.size === maxWorkflowJobs) {
          throw new ManaError('invalid_job', `workflow ${this.name}: a workflow has at most ${maxWorkflowJobs.toLocaleString('en')} jobs, and step ${key} would be one more`)
        }
        const { after, dependsOn, ...options } = (rest[0] ?? {}) as StepOptions<AnyTask> & { after?: unknown }
        const afterSteps = Object.values(Array.isArray(after) ? { after } : (after ?? {})).flat() as Step[]
        for (const step of afterSteps) {
          if (!jobs.has(step.key)) throw new ManaError('unknown_parent_key', `workflow ${this.name}: step ${key} comes after ${step.key}, which is not a step of it`)
        }
        jobs.set(key, { key, task: task.name, args, ...options, dependsOn: [...afterSteps.map((step) => step.key), ...(dependsOn ?? [])] })
        return { key, task }
      },
    }
    const returned = this.build(builder, parsed)
    return { jobs: await this.host.prepare([...jobs.values()]), returned }
  }

  /** Defers a run atomically, in a new workflow that records its input; `db` may be a transaction's. */
  async run(input: Input, db: Queryable = this.host.db): Promise<WorkflowRun & { returned: Steps }> {
    const { jobs, returned } = await this.plan(input)
    return { ...(await deferWorkflowRun(db, this.name, input, jobs)), returned }
  }

  /** Defers a run atomically; the ids of the steps the definition returned, by their names there. */
  async defer(input: Input): Promise<WorkflowIds<Steps>> {
    const { ids, returned } = await this.run(input)
    return Object.fromEntries(Object.entries((returned ?? {}) as Record<string, Step>).map(([name, step]) => [name, ids[step.key]!])) as WorkflowIds<Steps>
  }
}
