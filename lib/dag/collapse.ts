// Wide fan-outs drawn one node per job are unreadable and slow: one parent with 5,000 children
// means 5,000 edges crossing the screen. Jobs that share exactly the same parents and the same
// children are interchangeable in the picture, so a large set of them is drawn as one group
// node ("5,000 jobs") whose members the side panel lists. The focused job always stays visible.
import type { Graph, GraphNode } from './graph.ts'

/** Siblings drawn one by one up to this many; more become a group. */
export const groupThreshold = 25

export type DrawnNode =
  | { kind: 'job'; key: string; job: GraphNode }
  | { kind: 'group'; key: string; members: GraphNode[] }

export interface DrawnGraph {
  nodes: DrawnNode[]
  /** [parent key, child key] */
  edges: Array<[string, string]>
  /** The key of the node each job is drawn in. */
  keyOf: Map<number, string>
}

export const jobKey = (id: number) => String(id)

/** A group's key: its first member's. */
const groupKey = (members: GraphNode[]) => `group-${members[0]!.id}`

/** `expanded`: the keys of groups to draw one job at a time. */
export function collapseSiblings(graph: Graph, focusId: number, expanded: ReadonlySet<string> = new Set(), threshold = groupThreshold): DrawnGraph {
  const parents = new Map<number, number[]>()
  const children = new Map<number, number[]>()
  for (const [parent, child] of graph.edges) {
    ;(parents.get(child) ?? parents.set(child, []).get(child)!).push(parent)
    ;(children.get(parent) ?? children.set(parent, []).get(parent)!).push(child)
  }
  const signature = (node: GraphNode) => {
    const ids = (list: number[] | undefined) => (list ?? []).slice().sort((a, b) => a - b).join(',')
    return `${node.task}|${ids(parents.get(node.id))}|${ids(children.get(node.id))}`
  }
  const bySignature = new Map<string, GraphNode[]>()
  for (const node of graph.nodes) {
    // A job with neither parents nor children is alone, not a sibling; external jobs and the
    // focused job are always drawn themselves.
    if (node.external || node.id === focusId || (!parents.has(node.id) && !children.has(node.id))) continue
    const key = signature(node)
    ;(bySignature.get(key) ?? bySignature.set(key, []).get(key)!).push(node)
  }
  const groupOf = new Map<number, { key: string; members: GraphNode[] }>()
  for (const members of bySignature.values()) {
    if (members.length <= threshold || expanded.has(groupKey(members))) continue
    const group = { key: groupKey(members), members }
    for (const member of members) groupOf.set(member.id, group)
  }
  // In the graph's own order, a group where its first member was.
  const keyOf = new Map<number, string>()
  const nodes: DrawnNode[] = []
  for (const job of graph.nodes) {
    const group = groupOf.get(job.id)
    if (!group) nodes.push({ kind: 'job', key: jobKey(job.id), job })
    else if (group.members[0] === job) nodes.push({ kind: 'group', ...group })
    keyOf.set(job.id, group?.key ?? jobKey(job.id))
  }
  const seen = new Set<string>()
  const edges: Array<[string, string]> = []
  for (const [parent, child] of graph.edges) {
    const edge: [string, string] = [keyOf.get(parent)!, keyOf.get(child)!]
    const id = edge.join('>')
    if (seen.has(id)) continue
    seen.add(id)
    edges.push(edge)
  }
  return { nodes, edges, keyOf }
}
