import { describe, expect, it } from 'vitest'
import { collapseSiblings } from './collapse.ts'
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
    const drawn = collapseSiblings(fan(5000), 1)
    expect(drawn.nodes.map((node) => node.kind)).toEqual(['job', 'group', 'job'])
    const group = drawn.nodes[1]!
    expect(group.kind === 'group' && group.members.length).toBe(5000)
    expect(drawn.edges).toEqual([['1', group.key], [group.key, '5002']])
  })

  it('draws an expanded group one job at a time', () => {
    const key = collapseSiblings(fan(100), 1).nodes[1]!.key
    const drawn = collapseSiblings(fan(100), 1, new Set([key]))
    expect(drawn.nodes.every((node) => node.kind === 'job')).toBe(true)
    expect(drawn.nodes).toHaveLength(102)
    expect(drawn.edges).toHaveLength(200)
  })

  it('keeps the focused job out of its group, and small sibling sets as they are', () => {
    const drawn = collapseSiblings(fan(5000), 77)
    expect(drawn.nodes.find((node) => node.key === '77')).toBeDefined()
    const group = drawn.nodes.find((node) => node.kind === 'group')!
    expect(group.kind === 'group' && group.members.length).toBe(4999)
    expect(drawn.edges).toContainEqual(['1', '77'])
    expect(collapseSiblings(fan(25), 1).nodes).toHaveLength(27)
  })

  it('does not group siblings whose children or tasks differ', () => {
    const tree: Graph = { workflowId: 1, workflowName: null, nodes: [job(1)], edges: [] }
    for (let id = 2; id <= 100; id++) {
      tree.nodes.push(job(id), job(id + 1000))
      tree.edges.push([1, id], [id, id + 1000])
    }
    expect(collapseSiblings(tree, 1).nodes).toHaveLength(199)
    const mixed = fan(60)
    mixed.nodes = mixed.nodes.map((node) => (node.id % 2 ? { ...node, task: 'other' } : node))
    const groups = collapseSiblings(mixed, 1).nodes.filter((node) => node.kind === 'group')
    expect(groups.map((group) => group.kind === 'group' && group.members.length)).toEqual([30, 30])
  })
})
