// The graph and the timeline of a workflow, computed once however many viewers ask for them: a
// computation in flight is shared, and its answer kept until one of the workflow's jobs changes
// (the live stream says so) or for at most 5 s (long enough for the viewers polling one page,
// short enough for a running workflow's "now" and for when no notification arrives: the pages
// then poll every 5 s). A 10,000-job timeline takes a few hundred ms of database and server
// time: twenty viewers each computing their own slowed every other request to seconds.
import { workflowGraph, type Graph } from '../dag/graph.ts'
import { workflowTimeline, type Timeline } from '../dag/timeline.ts'
import type { ConsoleContext } from './context.ts'
import { liveHub, type Change } from './live.ts'

interface Entry {
  startedAt: number
  jobId: number
  /** The job's workflow once computed (null for a job alone); undefined while in flight. */
  workflowId?: number | null
  value: Promise<{ workflowId: number | null } | undefined>
}

/** How a computation runs: as it is, or under the caller's limits (lib/api/heavy-requests.ts). */
export type Computing = <T>(compute: () => Promise<T>) => Promise<T>

const maxAgeMs = 5000
/** Views kept at once (a 10,000-job timeline is a few MB). */
const maxEntries = 16

class WorkflowViews {
  private readonly entries = new Map<string, Entry>()
  private listening = false

  /**
   * The graph of job `jobId`'s workflow, or undefined when there is no such job. `computing` runs
   * the computation when this request starts one (not when it is served a shared one).
   */
  graph(context: Pick<ConsoleContext, 'db'>, jobId: number, computing: Computing): Promise<Graph | undefined> {
    return this.get(`graph:${jobId}`, jobId, () => computing(() => workflowGraph(context.db, jobId))) as Promise<Graph | undefined>
  }

  /** The timeline of job `jobId`'s workflow, or undefined when there is no such job; `computing` as for graph(). */
  timeline(context: Pick<ConsoleContext, 'db'>, jobId: number, computing: Computing): Promise<Timeline | undefined> {
    return this.get(`timeline:${jobId}`, jobId, () => computing(() => workflowTimeline(context.db, jobId))) as Promise<Timeline | undefined>
  }

  private get(key: string, jobId: number, compute: () => Promise<{ workflowId: number | null } | undefined>): Entry['value'] {
    if (!this.listening) {
      this.listening = true
      liveHub.subscribe((change) => this.forget(change))
    }
    const kept = this.entries.get(key)
    if (kept && Date.now() - kept.startedAt < maxAgeMs) return kept.value
    const entry: Entry = { startedAt: Date.now(), jobId, value: compute() }
    entry.value.then(
      (view) => (entry.workflowId = view?.workflowId ?? null),
      () => this.entries.get(key) === entry && this.entries.delete(key), // its requests get the error; the next computes again
    )
    this.entries.delete(key)
    this.entries.set(key, entry)
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= maxEntries) break
      this.entries.delete(oldest)
    }
    return entry.value
  }

  /** Drops the views a change may have made wrong (those still in flight too: they may have missed it). */
  private forget(change: Change): void {
    for (const [key, entry] of this.entries) {
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
