import { describe, expect, it } from 'vitest'
import { layeredLayout, nodeHeight } from './layout.ts'

describe('layered layout', () => {
  it('puts every child below its deepest parent', () => {
    const edges: Array<[number, number]> = [[1, 2], [1, 3], [2, 4], [3, 4], [4, 5], [1, 5]]
    const points = layeredLayout([1, 2, 3, 4, 5], edges)
    for (const [parent, child] of edges) expect(points.get(child)!.y).toBeGreaterThan(points.get(parent)!.y)
    expect(points.get(5)!.y).toBe(3 * (nodeHeight + 60))
    const xs = [2, 3].map((id) => points.get(id)!.x)
    expect(new Set(xs).size).toBe(2) // side by side, not on top of each other
  })

  it('lays out 5,000 nodes quickly enough to draw at once', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => i + 1)
    const edges: Array<[number, number]> = ids.slice(1).map((id) => [Math.ceil(id / 3), id + 0])
    const points = layeredLayout(ids, edges)
    expect(points.size).toBe(5000)
    const taken = new Set([...points.values()].map((p) => `${p.x},${p.y}`))
    expect(taken.size).toBe(5000) // no two nodes in one place
  })
})
