// Big graphs drawn one node per job are unreadable and slow. Three kinds of group node stand for
// many jobs, whose members the side panel lists (and can expand):
// - siblings: jobs that share exactly the same parents and children are interchangeable in the
//   picture, so a large set of them is one node ("5,000 jobs"), however small the graph; jobs
//   spawned together (keys process[0], process[1], …: a map step's items) from a handful on,
//   named by their key ("process ×37");
// - chains: when more than `drawBudget` nodes would be drawn, a run of three or more jobs each with
//   one parent and one child is one node;
// - subtrees: when still more, the jobs below a job that only it leads to (a subtree of a tree)
//   hang below it as one node, at the deepest level that keeps the picture within the budget.
// The focused job always stays visible.
import type { Graph, GraphNode } from './graph.ts'
import { spawnedAs } from './step-name.ts'

/** Siblings drawn one by one up to this many; more become a group. */
export const groupThreshold = 25

/** Jobs spawned together drawn one by one up to this many. */
export const spawnedThreshold = 3


/** Beyond this many nodes, chains and then subtrees are collapsed too. */
export const drawBudget = 400

export type DrawnNode =
  | { kind: 'job'; key: string; job: GraphNode }
  /** `label` names the group on its node, `why` says what holds it together. */
  | { kind: 'group'; key: string; members: GraphNode[]; label: string; why: string }

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
export function collapseGraph(graph: Graph, focusId: number, expanded: ReadonlySet<string> = new Set(), { threshold = groupThreshold, budget = drawBudget } = {}): DrawnGraph {
  let drawn = collapseSiblings(graph, focusId, expanded, threshold)
  if (drawn.nodes.length > budget) drawn = collapseChains(drawn, focusId, expanded)
  if (drawn.nodes.length > budget) drawn = collapseSubtrees(drawn, focusId, expanded, budget)
  return drawn
}

function collapseSiblings(graph: Graph, focusId: number, expanded: ReadonlySet<string>, threshold: number): DrawnGraph {
  const parents = new Map<number, number[]>()
  const children = new Map<number, number[]>()
  for (const [parent, child] of graph.edges) {
    ;(parents.get(child) ?? parents.set(child, []).get(child)!).push(parent)
    ;(children.get(parent) ?? children.set(parent, []).get(parent)!).push(child)
  }
  // Most jobs have one parent or none: no copy and sort for those (a 10,000-job tree's pass took 20–40 ms).
  const ids = (list: number[] | undefined) => (list === undefined ? '' : list.length === 1 ? String(list[0]) : list.slice().sort((a, b) => a - b).join(','))
  // Siblings share their task, how they were spawned, their parents and their children: grouped by
  // the first three, then by children only where enough share those (in a tree, none do).
  const byParents = new Map<string, GraphNode[]>()
  for (const node of graph.nodes) {
    // A job with neither parents nor children is alone, not a sibling; external jobs and the
    // focused job are always drawn themselves.
    if (node.external || node.id === focusId || (!parents.has(node.id) && !children.has(node.id))) continue
    const key = `${node.task}|${spawnedAs(node.step) ?? ''}|${ids(parents.get(node.id))}`
    ;(byParents.get(key) ?? byParents.set(key, []).get(key)!).push(node)
  }
  const groupOf = new Map<number, { key: string; members: GraphNode[]; label: string; why: string }>()
  for (const sharingParents of byParents.values()) {
    const spawned = spawnedAs(sharingParents[0]!.step)
    const drawnAlone = spawned === null ? threshold : Math.min(threshold, spawnedThreshold)
    if (sharingParents.length <= drawnAlone) continue
    const byChildren = new Map<string, GraphNode[]>()
    for (const node of sharingParents) {
      const key = ids(children.get(node.id))
      ;(byChildren.get(key) ?? byChildren.set(key, []).get(key)!).push(node)
    }
    for (const members of byChildren.values()) {
      if (members.length <= drawnAlone || expanded.has(groupKey(members))) continue
      const group = {
        key: groupKey(members),
        members,
        ...(spawned === null
          ? { label: `${members.length} jobs ${members[0]!.task}`, why: 'They share the same parents and children.' }
          : { label: `${spawned} ×${members.length.toLocaleString('en')}`, why: `Spawned together as ${spawned}[0] … ${spawned}[${members.length - 1}] (a map step's items, or a task's spawnMany), with the same parents and children.` }),
      }
      for (const member of members) groupOf.set(member.id, group)
    }
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

/** The jobs a drawn node stands for. */
const jobsOf = (node: DrawnNode) => (node.kind === 'job' ? [node.job] : node.members)

/** A drawn graph's parents and children, by key. */
function neighbours(drawn: DrawnGraph) {
  const parents = new Map<string, string[]>(drawn.nodes.map((node) => [node.key, []]))
  const children = new Map<string, string[]>(drawn.nodes.map((node) => [node.key, []]))
  for (const [parent, child] of drawn.edges) {
    parents.get(child)!.push(parent)
    children.get(parent)!.push(child)
  }
  return { parents, children }
}

/**
 * Replaces `groups` (sets of drawn nodes, each drawn as one node) in a drawn graph: each group
 * node where its first node was, edges between what remains, once each.
 */
type Regrouping = { key: string; keys: string[]; label: (members: GraphNode[]) => string; why: string }

function regroup(drawn: DrawnGraph, groups: Regrouping[]): DrawnGraph {
  const into = new Map<string, Regrouping>()
  for (const group of groups) for (const key of group.keys) into.set(key, group)
  const byKey = new Map(drawn.nodes.map((node) => [node.key, node]))
  const nodes: DrawnNode[] = []
  for (const node of drawn.nodes) {
    const group = into.get(node.key)
    if (group === undefined) nodes.push(node)
    else {
      if (group.keys[0] !== node.key) continue
      const members = group.keys.flatMap((key) => jobsOf(byKey.get(key)!))
      nodes.push({ kind: 'group', key: group.key, members, label: group.label(members), why: group.why })
    }
  }
  const keyOf = new Map([...drawn.keyOf].map(([id, key]) => [id, into.get(key)?.key ?? key]))
  const seen = new Set<string>()
  const edges: Array<[string, string]> = []
  for (const [parent, child] of drawn.edges) {
    const edge: [string, string] = [into.get(parent)?.key ?? parent, into.get(child)?.key ?? child]
    const id = edge.join('>')
    if (edge[0] === edge[1] || seen.has(id)) continue
    seen.add(id)
    edges.push(edge)
  }
  return { nodes, edges, keyOf }
}

/** Runs of three or more nodes, each with one parent and one child, as one node each. */
function collapseChains(drawn: DrawnGraph, focusId: number, expanded: ReadonlySet<string>): DrawnGraph {
  const { parents, children } = neighbours(drawn)
  const focusKey = drawn.keyOf.get(focusId)
  const inner = (key: string) => key !== focusKey && parents.get(key)!.length === 1 && children.get(key)!.length === 1
  const groups: Regrouping[] = []
  for (const node of drawn.nodes) {
    // A chain starts at an inner node whose parent is not inner.
    if (!inner(node.key) || inner(parents.get(node.key)![0]!)) continue
    const keys = [node.key]
    for (let next = children.get(node.key)![0]!; inner(next); next = children.get(next)![0]!) keys.push(next)
    const key = `chain-${node.key}`
    if (keys.length < 3 || expanded.has(key)) continue
    groups.push({ key, keys, label: (members) => `chain of ${members.length} jobs: ${members[0]!.task} … ${members.at(-1)!.task}`, why: 'Each has one parent and one child: they run one after the other.' })
  }
  return groups.length ? regroup(drawn, groups) : drawn
}

/**
 * What hangs below each node only through it: its descendants, if every one of them has all its
 * parents among them or the node itself (null otherwise, or when the focus is among them).
 */
function subtreeBelow(key: string, parents: Map<string, string[]>, children: Map<string, string[]>, focusKey: string | undefined): string[] | null {
  const inside = new Set<string>([key])
  const below: string[] = []
  for (let i = -1; i < below.length; i++) {
    for (const child of children.get(i < 0 ? key : below[i]!)!) {
      if (inside.has(child)) continue
      if (child === focusKey || !parents.get(child)!.every((parent) => inside.has(parent))) return null
      inside.add(child)
      below.push(child)
    }
  }
  return below
}

/** Levels looked at for subtrees: enough for any tree that fits a workflow (2^20 jobs). */
const deepestLevelTried = 20

/**
 * Subtrees as one node each, below the node they hang from: from the deepest level (longest path
 * from a root) whose collapse keeps the picture within `budget` nodes, else the level that draws
 * fewest. Along the way to the focused job, which stays drawn, the subtrees beside the way are
 * collapsed at every level below that one.
 */
function collapseSubtrees(drawn: DrawnGraph, focusId: number, expanded: ReadonlySet<string>, budget: number): DrawnGraph {
  const { parents, children } = neighbours(drawn)
  const focusKey = drawn.keyOf.get(focusId)
  const depth = new Map<string, number>()
  for (const node of drawn.nodes) depthOf(node.key, parents, depth)
  const atDepth: string[][] = []
  for (const node of drawn.nodes) (atDepth[depth.get(node.key)!] ??= []).push(node.key)
  const onTheWay = new Set<string>()
  for (let i = -1, way = focusKey === undefined ? [] : [focusKey]; i < way.length - 1; ) {
    const key = way[++i]!
    if (onTheWay.has(key)) continue
    onTheWay.add(key)
    way.push(...parents.get(key)!)
  }
  // Beside the way: off it, every parent on it; by depth.
  const besideTheWay = atDepth.flat().filter((key) => !onTheWay.has(key) && parents.get(key)!.length > 0 && parents.get(key)!.every((parent) => onTheWay.has(parent)))
  // How many jobs hang below each node (null: not a subtree), known at once where its children
  // have it as their only parent (a tree's, in one pass from the deepest level up), else walked
  // when asked (subtreeBelow). Each level was walked whole: a 10,000-job tree's took 60–90 ms.
  // (The focus is below no node off the way, and the way is never collapsed.)
  const sizes = new Map<string, number | null>()
  for (let level = atDepth.length - 1; level >= 0; level--) {
    for (const key of atDepth[level] ?? []) {
      let size: number | undefined = 0
      for (const child of children.get(key)!) {
        const below = sizes.get(child)
        if (parents.get(child)!.length !== 1 || below === undefined || below === null) {
          size = undefined
          break
        }
        size += 1 + below
      }
      if (size !== undefined) sizes.set(key, size)
    }
  }
  const sizeBelow = (key: string) => {
    if (!sizes.has(key)) sizes.set(key, subtreeBelow(key, parents, children, focusKey)?.length ?? null)
    return sizes.get(key)!
  }
  // From the deepest level up, until one keeps the picture within the budget. The subtrees of
  // one level are apart, and none holds a node beside the way (it would hold the focus).
  let best: { roots: string[]; count: number } | undefined
  const deepest = Math.min(deepestLevelTried, atDepth.length - 1)
  for (let level = deepest - 1; level >= 0 && !(best && best.count <= budget); level--) {
    let hidden = 0
    const roots: string[] = []
    for (const key of [...(atDepth[level] ?? []), ...besideTheWay.filter((key) => depth.get(key)! > level)]) {
      if (onTheWay.has(key) || expanded.has(`subtree-${key}`)) continue
      const size = sizeBelow(key)
      if (size === null || size < 2) continue
      hidden += size
      roots.push(key)
    }
    const count = drawn.nodes.length - hidden + roots.length
    if (roots.length && (!best || count <= best.count)) best = { roots, count } // ties: the shallower, as before
  }
  const byKey = new Map(drawn.nodes.map((node) => [node.key, node]))
  return best
    ? regroup(drawn, best.roots.map((key) => {
        const root = byKey.get(key)!
        const name = root.kind === 'job' ? `${root.job.id} (${root.job.task})` : root.label
        return { key: `subtree-${key}`, keys: subtreeBelow(key, parents, children, focusKey)!, label: (members: GraphNode[]) => `${members.length} jobs under ${name}`, why: `Only ${name} leads to them: they hang below it.` }
      }))
    : drawn
}

/** A node's longest path from a root, memoised (iteratively: chains may be thousands long). */
function depthOf(key: string, parents: Map<string, string[]>, depth: Map<string, number>): number {
  const stack = [key]
  while (stack.length) {
    const top = stack.at(-1)!
    if (depth.has(top)) {
      stack.pop()
      continue
    }
    const pending = parents.get(top)!.filter((parent) => !depth.has(parent))
    if (pending.length) stack.push(...pending)
    else {
      depth.set(top, Math.max(-1, ...parents.get(top)!.map((parent) => depth.get(parent)!)) + 1)
      stack.pop()
    }
  }
  return depth.get(key)!
}
