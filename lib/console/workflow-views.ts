// The graph and the timeline of a workflow, computed once however many viewers ask for them: a
// computation in flight is shared, and its answer kept, as the JSON text every viewer is sent
// with its ETag (made once: a 10,000-job timeline is megabytes), until one of the workflow's jobs
// changes (the live stream says so). The view of a workflow that has ended is kept until then;
// one that runs (its "now" moves) for at most 5 s, as any view while changes are not heard (the
// pages then poll every 5 s). A 10,000-job timeline takes a few hundred ms of database and server
// time: twenty viewers each computing their own slowed every other request to seconds.
// One view is computed once at a time: a change heard while it is computed (every 200 ms on a
// busy queue, and each one makes its viewers ask again) queues the next computation behind it,
// shared by every request that comes meanwhile, instead of starting one per request (they piled
// up until the viewer's own requests were refused, 429, and the graph page showed an error).
import { createHash } from 'node:crypto'
import { workflowGraph, type Graph } from '../dag/graph.ts'
import { workflowTimeline, type Timeline } from '../dag/timeline.ts'
import { finishedStatuses } from '../queue/prune.ts'
import type { ConsoleContext } from './context.ts'
import { liveHub, type Change } from './live.ts'

/** A value as JSON text, with an ETag of that text (a client that has it already is answered 304), typed by what it holds. */
export class Json<T> {
  declare readonly of?: T
  readonly etag: string

  constructor(readonly text: string) {
    this.etag = `"${createHash('sha1').update(text).digest('base64url')}"`
  }
}

interface Entry {
  /** When its computation started; undefined while it waits for the one before it to end. */
  startedAt?: number
  jobId: number
  /** The job's workflow once computed (null for a job alone); undefined while in flight. */
  workflowId?: number | null
  /** Every job of it has ended: the view changes only when a job does. */
  ended?: boolean
  json: Promise<Json<unknown> | undefined>
}

/** How a computation runs: as it is, or under the caller's limits (lib/api/heavy-requests.ts). */
export type Computing = <T>(compute: () => Promise<T>) => Promise<T>

const maxAgeMs = 5000
/** Views kept at once (a 10,000-job timeline is a few MB). */
const maxEntries = 16

class WorkflowViews {
  private readonly entries = new Map<string, Entry>()
  /** Each view's latest computation, until it ends (kept when a change drops its entry). */
  private readonly latest = new Map<string, Promise<unknown>>()
  private listening = false

  /**
   * The graph of job `jobId`'s workflow, or undefined when there is no such job. `computing` runs
   * the computation when this request starts one (not when it is served a shared one).
   */
  graph(context: Pick<ConsoleContext, 'db'>, jobId: number, computing: Computing): Promise<Json<Graph> | undefined> {
    return this.get(`graph:${jobId}`, jobId, () => computing(() => workflowGraph(context.db, jobId)), (graph) =>
      graph.nodes.every((node) => node.external || (finishedStatuses as readonly string[]).includes(node.status)),
    )
  }

  /** The timeline of job `jobId`'s workflow, or undefined when there is no such job; `computing` as for graph(). */
  timeline(context: Pick<ConsoleContext, 'db'>, jobId: number, computing: Computing): Promise<Json<Timeline> | undefined> {
    return this.get(`timeline:${jobId}`, jobId, () => computing(() => workflowTimeline(context.db, jobId)), (timeline) => timeline.end !== null)
  }

  private get<View extends { workflowId: number | null }>(
    key: string,
    jobId: number,
    compute: () => Promise<View | undefined>,
    ended: (view: View) => boolean,
  ): Promise<Json<View> | undefined> {
    if (!this.listening) {
      this.listening = true
      liveHub.subscribe((change) => this.forget(change))
    }
    const kept = this.entries.get(key)
    // Not started yet, it will see every change made so far.
    if (kept && (kept.startedAt === undefined || (kept.ended && liveHub.hearing) || Date.now() - kept.startedAt < maxAgeMs)) {
      return kept.json as Promise<Json<View> | undefined>
    }
    const start = async (entry: Entry) => {
      entry.startedAt = Date.now()
      const view = await compute()
      entry.workflowId = view?.workflowId ?? null
      entry.ended = view !== undefined && ended(view)
      return view && new Json<View>(JSON.stringify(view))
    }
    // After the computation before it, whether that one succeeded or not.
    const before = this.latest.get(key) ?? Promise.resolve()
    const entry: Entry = { jobId, json: before.then(() => start(entry), () => start(entry)) }
    this.latest.set(key, entry.json)
    // Its requests get the error; the next computes again.
    entry.json.catch(() => this.entries.get(key) === entry && this.entries.delete(key))
    void entry.json.finally(() => this.latest.get(key) === entry.json && this.latest.delete(key)).catch(() => {})
    this.entries.delete(key)
    this.entries.set(key, entry)
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= maxEntries) break
      this.entries.delete(oldest)
    }
    return entry.json as Promise<Json<View> | undefined>
  }

  /** Drops the views a change may have made wrong (those being computed too: they may have missed it; not those still waiting to start). */
  private forget(change: Change): void {
    for (const [key, entry] of this.entries) {
      if (entry.startedAt === undefined) continue
      const touched =
        change.refresh ||
        entry.workflowId === undefined ||
        (entry.workflowId === null ? change.jobIds.includes(entry.jobId) : change.workflowIds.includes(entry.workflowId))
      if (touched) this.entries.delete(key)
    }
  }
}

const shared = globalThis as { mananaWorkflowViews?: WorkflowViews }
/** One per console server, shared by every request. */
export const workflowViews = (shared.mananaWorkflowViews ??= new WorkflowViews())
