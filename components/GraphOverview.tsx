'use client'
// A big graph seen from afar, drawn on a canvas instead of a DOM element per node: at a zoom
// where no label can be read, thousands of nodes and edges are a few thousand rectangles and
// lines, drawn in milliseconds each time the view moves. The graph's own pane (React Flow's)
// still takes the pans, zooms and clicks through it; this only paints.
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef } from 'react'
import type { DrawnGraph } from '../lib/dag/collapse.ts'
import { nodeHeight, nodeWidth, type Point } from '../lib/dag/layout.ts'

export interface Viewport {
  x: number
  y: number
  zoom: number
}

export interface GraphOverviewHandle {
  /** Paints the graph as the view now is (called as it moves: no React render). */
  draw(viewport: Viewport): void
}

/** The colour of each status, read from the page's theme. */
function palette(): (name: string) => string {
  const style = getComputedStyle(document.documentElement)
  const cache = new Map<string, string>()
  return (name) => {
    if (!cache.has(name)) cache.set(name, style.getPropertyValue(`--${name}`).trim() || '#888')
    return cache.get(name)!
  }
}

export const GraphOverview = forwardRef<GraphOverviewHandle, { drawn: DrawnGraph; positions: Map<string, Point>; selectedKey: string | undefined; viewport: Viewport }>(
  function GraphOverview({ drawn, positions, selectedKey, viewport }, handle) {
    const canvas = useRef<HTMLCanvasElement>(null)
    const last = useRef(viewport)
    const draw = useCallback(
      (view: Viewport) => {
        last.current = view
        const element = canvas.current
        if (!element) return
        const ratio = window.devicePixelRatio || 1
        const { clientWidth: width, clientHeight: height } = element
        if (element.width !== Math.round(width * ratio) || element.height !== Math.round(height * ratio)) {
          element.width = Math.round(width * ratio)
          element.height = Math.round(height * ratio)
        }
        const context = element.getContext('2d')!
        const color = palette()
        context.setTransform(ratio, 0, 0, ratio, 0, 0)
        context.clearRect(0, 0, width, height)
        context.setTransform(ratio * view.zoom, 0, 0, ratio * view.zoom, ratio * view.x, ratio * view.y)
        // Only what is in view (with a margin of a node).
        const left = -view.x / view.zoom - nodeWidth
        const top = -view.y / view.zoom - nodeHeight
        const right = left + width / view.zoom + 2 * nodeWidth
        const bottom = top + height / view.zoom + 2 * nodeHeight
        const visible = (point: Point) => point.x <= right && point.x + nodeWidth >= left && point.y <= bottom && point.y + nodeHeight >= top
        context.beginPath()
        for (const [parent, child] of drawn.edges) {
          const from = positions.get(parent)
          const to = positions.get(child)
          if (!from || !to || (!visible(from) && !visible(to))) continue
          context.moveTo(from.x + nodeWidth / 2, from.y + nodeHeight)
          context.lineTo(to.x + nodeWidth / 2, to.y)
        }
        context.strokeStyle = color('border')
        context.lineWidth = 1 / view.zoom
        context.stroke()
        for (const node of drawn.nodes) {
          const at = positions.get(node.key)
          if (!at || !visible(at)) continue
          context.fillStyle = node.kind === 'job' ? color(node.job.status) : color('muted')
          context.fillRect(at.x, at.y, nodeWidth, nodeHeight)
          if (node.key === selectedKey) {
            context.strokeStyle = color('accent')
            context.lineWidth = 4 / view.zoom
            context.strokeRect(at.x - 4, at.y - 4, nodeWidth + 8, nodeHeight + 8)
          }
        }
      },
      [drawn, positions, selectedKey],
    )
    useImperativeHandle(handle, () => ({ draw }), [draw])
    useEffect(() => draw(last.current), [draw])
    return <canvas ref={canvas} className="graph-overview" data-testid="graph-overview" aria-hidden="true" />
  },
)
