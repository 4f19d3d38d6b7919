// A workflow defined once, in TypeScript: a function of its input that composes steps (each a
// task with its arguments) and says which steps come after which. The compiler checks that each
// step's `after` gives its task the parents it declared (a wrong or missing parent does not
// compile); deferring it is one atomic call, under the definition's name.
import { deferWorkflowRun, maxWorkflowJobs, type DeferOptions, type JobToDefer, type WorkflowRun } from './defer.ts'
import { ManaError } from './errors.ts'
import { mapTaskName } from './map-task.ts'
import type { ParentSpec } from './parents.ts'
import type { Queryable } from './queryable.ts'
import { jsonSchemaOf, validateArgs, type StandardSchemaV1 } from './standard-schema.ts'
import type { JobContext, Task, TaskArgs } from './task.ts'

type AnyTask = Task<any, any, any, any>

/** A step of a workflow being defined: which task, under which key. */
export interface Step<T extends AnyTask = AnyTask> {
  readonly key: string
  readonly task: T
}

type ArgsOf<T> = T extends Task<infer Args, any, any, any> ? Args : never
type ResultOf<T> = T extends Task<any, infer Result, any, any> ? Result : never
type ParentsOfTask<T> = T extends Task<any, any, any, infer Parents> ? Parents : never

/**
 * A map step: a step of its own (its job spawns the items), and the list of its items' jobs, as
 * the steps after it see them: `after: { files: mapped }` gives a task that declared
 * `parents: { files: [processFile] }` their results, in item order.
 */
export type MapStep<T extends AnyTask = AnyTask> = Step<T> & ReadonlyArray<Step<T>> & { readonly mapped: true }

/** A map step's options: the step it maps over, how that step's result gives the items (each one job's arguments), and the job options of the step. */
export type MapOptions<T extends AnyTask, Over extends AnyTask> = Omit<DeferOptions, 'dependsOn'> & {
  over: Step<Over>
  items: (result: ResultOf<Over>) => ReadonlyArray<ArgsOf<T>>
}

const isMapStep = (value: unknown): value is MapStep => Array.isArray(value) && (value as Partial<MapStep>).mapped === true

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
  /**
   * Adds a map step: once `over` succeeds, one job of `task` per item `items` makes of its result
   * (none: the step is done at once). By default it runs only if `over` succeeded (runWhen
   * all_succeeded). Its job rebuilds the definition from the run's recorded input to find
   * `items`: a definition must compose the same steps from the same input.
   */
  map<T extends AnyTask, Over extends AnyTask>(key: string, task: T, options: MapOptions<T, Over>): MapStep<T>
}

interface PlannedMap {
  task: AnyTask
  items: (result: any) => ReadonlyArray<TaskArgs>
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
  async plan(input: Input): Promise<{ jobs: JobToDefer[]; returned: Steps; maps: Map<string, PlannedMap> }> {
    const parsed = (this.options.input ? await validateArgs(this.options.input, input, `workflow ${this.name}`) : input) as Parsed
    const jobs = new Map<string, JobToDefer>()
    const maps = new Map<string, PlannedMap>()
    const add = (key: string, job: Omit<JobToDefer, 'key' | 'dependsOn'>, after: unknown, dependsOn: number[] = []) => {
      if (jobs.has(key)) throw new ManaError('duplicate_key', `workflow ${this.name}: two steps are called ${key}`)
      if (jobs.size === maxWorkflowJobs) {
        throw new ManaError('invalid_job', `workflow ${this.name}: a workflow has at most ${maxWorkflowJobs.toLocaleString('en')} jobs, and step ${key} would be one more`)
      }
      // `after` is a list of steps, or steps (and lists of steps) by the keys the task declared; a
      // map step is a step (though a list of its items' steps to the type system).
      const values = isMapStep(after) ? [after] : Array.isArray(after) ? after : Object.values((after ?? {}) as Record<string, unknown>)
      const afterSteps = values.flatMap((value) => (isMapStep(value) || !Array.isArray(value) ? [value] : value)) as Step[]
      for (const step of afterSteps) {
        if (!jobs.has(step.key)) throw new ManaError('unknown_parent_key', `workflow ${this.name}: step ${key} comes after ${step.key}, which is not a step of it`)
      }
      jobs.set(key, { key, ...job, dependsOn: [...afterSteps.map((step) => step.key), ...dependsOn] })
    }
    const builder: WorkflowBuilder = {
      step: (key, task, args, ...rest) => {
        const { after, dependsOn, ...options } = (rest[0] ?? {}) as StepOptions<AnyTask> & { after?: unknown }
        add(key, { task: task.name, args, ...options }, after, dependsOn)
        return { key, task }
      },
      map: (key, task, { over, items, ...options }) => {
        add(key, { task: mapTaskName(this.name), args: { step: key }, runWhen: 'all_succeeded', ...options }, [over])
        maps.set(key, { task, items })
        return Object.freeze(Object.assign([], { key, task, mapped: true as const }))
      },
    }
    const returned = this.build(builder, parsed)
    return { jobs: await this.host.prepare([...jobs.values()]), returned, maps }
  }

  /**
   * Runs a map step's job: rebuilds the run from its recorded input, applies the step's `items`
   * to the result of the step it maps over, and spawns one job per item (ctx.spawnMany), keyed
   * `key[0]`, `key[1]`, …; how many.
   */
  async runMap(key: string, ctx: JobContext): Promise<{ items: number }> {
    const workflowId = ctx.job.workflowId
    const [run] = workflowId === null ? [] : await this.host.db.query<{ input: Input | null }>('SELECT input FROM manana_workflows WHERE id = $1', [workflowId])
    if (!run?.input) throw new ManaError('workflow_build_failed', `map step ${key}: its job is not in a run of workflow ${this.name}`)
    const map = (await this.plan(run.input)).maps.get(key)
    if (!map) throw new ManaError('workflow_build_failed', `workflow ${this.name} no longer has a map step ${key} for this run's input`)
    const [over, ...others] = Object.entries(await ctx.getParentStatuses())
    if (!over || others.length) throw new ManaError('parents_mismatch', `map step ${key}: its job has ${others.length + (over ? 1 : 0)} parents; it maps over one`)
    if (over[1] !== 'succeeded') throw new Error(`map step ${key}: the step it maps over is ${over[1]}: there are no items`)
    const items = map.items((await ctx.getParentResults())[Number(over[0])])
    if (!Array.isArray(items)) throw new ManaError('invalid_args', `map step ${key}: items gave ${items === null ? 'null' : typeof items}, not a list`)
    await ctx.spawnMany(map.task, items, { key })
    return { items: items.length }
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
