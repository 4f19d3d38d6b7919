import { describe, expect, it } from 'vitest'
import { collapseGraph, drawBudget } from './collapse.ts'
import type { Graph, GraphNode } from './graph.ts'

const job = (id: number, task = 'step', external = false): GraphNode => ({ id, task, step: null, status: 'todo', queue: 'default', external, attempts: 0, startedAt: null, ranMs: null })

function fan(width: number): Graph {
  // 1 → 2..width+1 → width+2
  const middle = Array.from({ length: width }, (_, i) => i + 2)
  const sink = width + 2
  return {
    workflowId: 1,
    workflowName: null,
    nodes: [job(1), ...middle.map((id) => job(id)), job(sink)],
    edges: [...middle.map((id): [number, number] => [1, id]), ...middle.map((id): [number, number] => [id, sink])],
  }
}

describe('collapsing wide fan-outs', () => {
  it('draws 5,000 interchangeable siblings as one group with one edge in and one out', () => {
    const drawn = collapseGraph(fan(5000), 1)
    expect(drawn.nodes.map((node) => node.kind)).toEqual(['job', 'group', 'job'])
    const group = drawn.nodes[1]!
    expect(group.kind === 'group' && group.members.length).toBe(5000)
    expect(drawn.edges).toEqual([['1', group.key], [group.key, '5002']])
  })

  it("names jobs spawned together by their key and count (a map step's items), from four on, apart from other siblings", () => {
    const spawned = (width: number) => {
      const graph = fan(width)
      graph.nodes = graph.nodes.map((node, i) => (i > 0 && i <= width ? { ...node, task: 'process_file', step: `process[${i - 1}]` } : node))
      return graph
    }
    const drawn = collapseGraph(spawned(37), 1)
    expect(drawn.nodes.map((node) => (node.kind === 'group' ? node.label : node.key))).toEqual(['1', 'process ×37', '39'])
    expect(collapseGraph(spawned(3), 1).nodes.every((node) => node.kind === 'job')).toBe(true)
    // Other siblings of the same task and neighbours are not mixed in.
    const mixed = spawned(10)
    mixed.nodes.push({ ...job(100), task: 'process_file' })
    mixed.edges.push([1, 100], [100, 12])
    const groups = collapseGraph(mixed, 1).nodes.filter((node) => node.kind === 'group')
    expect(groups.map((group) => group.kind === 'group' && [group.label, group.members.length])).toEqual([['process ×10', 10]])
  })

  it('draws an expanded group one job at a time', () => {
    const key = collapseGraph(fan(100), 1).nodes[1]!.key
    const drawn = collapseGraph(fan(100), 1, new Set([key]))
    expect(drawn.nodes.every((node) => node.kind === 'job')).toBe(true)
    expect(drawn.nodes).toHaveLength(102)
    expect(drawn.edges).toHaveLength(200)
  })

  it('keeps the focused job out of its group, and small sibling sets as they are', () => {
    const drawn = collapseGraph(fan(5000), 77)
    expect(drawn.nodes.find((node) => node.key === '77')).toBeDefined()
    const group = drawn.nodes.find((node) => node.kind === 'group')!
    expect(group.kind === 'group' && group.members.length).toBe(4999)
    expect(drawn.edges).toContainEqual(['1', '77'])
    expect(collapseGraph(fan(25), 1).nodes).toHaveLength(27)
  })

  it('does not group siblings whose children or tasks differ', () => {
    const tree: Graph = { workflowId: 1, workflowName: null, nodes: [job(1)], edges: [] }
    for (let id = 2; id <= 100; id++) {
      tree.nodes.push(job(id), job(id + 1000))
      tree.edges.push([1, id], [id, id + 1000])
    }
    expect(collapseGraph(tree, 1).nodes).toHaveLength(199)
    const mixed = fan(60)
    mixed.nodes = mixed.nodes.map((node) => (node.id % 2 ? { ...node, task: 'other' } : node))
    const groups = collapseGraph(mixed, 1).nodes.filter((node) => node.kind === 'group')
    expect(groups.map((group) => group.kind === 'group' && group.members.length)).toEqual([30, 30])
  })

})

/** A binary tree of `size` jobs, as the console bench's: job n's parent is job (n - 1) / 2 (ids from 1). */
function tree(size: number): Graph {
  const nodes = Array.from({ length: size }, (_, i) => job(i + 1))
  const edges = Array.from({ length: size - 1 }, (_, i): [number, number] => [Math.floor(i / 2) + 1, i + 2])
  return { workflowId: 1, workflowName: null, nodes, edges }
}
const drawnJobs = (drawn: ReturnType<typeof collapseGraph>) => drawn.nodes.reduce((sum, node) => sum + (node.kind === 'job' ? 1 : node.members.length), 0)

describe('collapsing big graphs: chains and subtrees', () => {
  it('draws a 10,000-job tree within the budget: the upper levels job by job, the subtrees below them as one node each', () => {
    const drawn = collapseGraph(tree(10_000), 1)
    expect(drawn.nodes.length).toBeLessThanOrEqual(drawBudget)
    expect(drawn.nodes.length).toBeGreaterThan(drawBudget / 4) // as deep as the budget allows
    expect(drawnJobs(drawn)).toBe(10_000) // every job in exactly one node
    const groups = drawn.nodes.filter((node) => node.kind === 'group')
    expect(groups.length).toBeGreaterThan(50)
    expect(groups[0]).toMatchObject({ label: expect.stringMatching(/^\d+ jobs under \d+ \(step\)$/) })
    // Each subtree hangs from its root by one edge, and leads nowhere.
    for (const group of groups) {
      expect(drawn.edges.filter(([, child]) => child === group.key)).toEqual([[group.key.replace('subtree-', ''), group.key]])
      expect(drawn.edges.filter(([parent]) => parent === group.key)).toEqual([])
    }
  })

  it('keeps the focused job drawn, and draws an expanded subtree one level further down', () => {
    const focused = collapseGraph(tree(10_000), 9_999)
    expect(focused.keyOf.get(9_999)).toBe('9999')
    expect(focused.nodes.length).toBeLessThanOrEqual(drawBudget)
    expect(drawnJobs(focused)).toBe(10_000)
    const first = collapseGraph(tree(10_000), 1)
    const group = first.nodes.find((node) => node.kind === 'group')!
    const opened = collapseGraph(tree(10_000), 1, new Set([group.key]))
    expect(opened.nodes.find((node) => node.key === group.key)).toBeUndefined()
    expect(drawnJobs(opened)).toBe(10_000)
  })

  it('draws a long chain as one node between its ends, once the graph is over the budget', () => {
    const chain = (length: number): Graph => ({
      workflowId: 1,
      workflowName: null,
      nodes: Array.from({ length }, (_, i) => job(i + 1, i === 0 ? 'start' : i === length - 1 ? 'finish' : 'step')),
      edges: Array.from({ length: length - 1 }, (_, i): [number, number] => [i + 1, i + 2]),
    })
    expect(collapseGraph(chain(100), 1).nodes).toHaveLength(100) // within the budget: as it is
    const drawn = collapseGraph(chain(1_000), 1)
    expect(drawn.nodes.map((node) => (node.kind === 'job' ? node.key : node.label))).toEqual(['1', 'chain of 998 jobs: step … step', '1000'])
    expect(drawn.edges).toEqual([['1', 'chain-2'], ['chain-2', '1000']])
    // The focus inside it splits it.
    expect(collapseGraph(chain(1_000), 500).nodes.map((node) => node.key)).toEqual(['1', 'chain-2', '500', 'chain-501', '1000'])
  })

  it('draws a subtree whose jobs join inside it as one node too', () => {
    // 1 → 199 jobs, each → two jobs → one job that waits on both: 797 jobs, each diamond hangs from one job.
    const nodes = [job(1)]
    const edges: Array<[number, number]> = []
    for (let k = 0; k < 199; k++) {
      const [head, left, right, join] = [2 + 4 * k, 3 + 4 * k, 4 + 4 * k, 5 + 4 * k]
      nodes.push(job(head, 'head'), job(left, `left${k}`), job(right, `right${k}`), job(join, `join${k}`))
      edges.push([1, head], [head, left], [head, right], [left, join], [right, join])
    }
    const drawn = collapseGraph({ workflowId: 1, workflowName: null, nodes, edges }, 1)
    expect(drawnJobs(drawn)).toBe(797)
    const groups = drawn.nodes.filter((node) => node.kind === 'group')
    expect(groups).toHaveLength(199)
    expect(groups[0]).toMatchObject({ key: 'subtree-2', label: '3 jobs under 2 (head)', members: [job(3, 'left0'), job(4, 'right0'), job(5, 'join0')] })
    expect(drawn.nodes).toHaveLength(1 + 199 * 2)
  })

  it('leaves a graph whose jobs join from many places as it is when nothing hangs from one job alone', () => {
    // Two rows of 300 fully connected to the next job: no subtree, no chain.
    const nodes = Array.from({ length: 601 }, (_, i) => job(i + 1, i < 300 ? 'a' : i < 600 ? `b${i}` : 'c'))
    const edges: Array<[number, number]> = []
    for (let a = 1; a <= 300; a++) edges.push([a, 301 + ((a - 1) % 300)], [a, 301 + (a % 300)])
    for (let b = 301; b <= 600; b++) edges.push([b, 601])
    const drawn = collapseGraph({ workflowId: 1, workflowName: null, nodes, edges }, 1)
    expect(drawnJobs(drawn)).toBe(601)
    expect(drawn.nodes.every((node) => node.kind === 'job' || !node.key.startsWith('subtree-'))).toBe(true)
  })
})
