'use client'
// The jobs a workflow run would defer, drawn as the run's graph will be: a preview, before anything exists.
import { Background, ReactFlow, type Edge, type Node, type ReactFlowInstance } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { useEffect, useMemo, useRef } from 'react'
import { layeredLayout, nodeHeight, nodeWidth } from '../lib/dag/layout.ts'
import type { PlannedJob } from '../lib/console/workflow-runs.ts'

export function PlannedGraph({ jobs }: { jobs: PlannedJob[] }) {
  const { nodes, edges } = useMemo(() => {
    const keys = new Set(jobs.map((job) => job.key))
    const edges: Array<[string, string]> = jobs.flatMap((job) => job.dependsOn.filter((parent): parent is string => typeof parent === 'string' && keys.has(parent)).map((parent): [string, string] => [parent, job.key]))
    const positions = layeredLayout(jobs.map((job) => job.key), edges)
    return {
      nodes: jobs.map((job): Node => ({
        id: job.key,
        position: positions.get(job.key)!,
        width: nodeWidth,
        height: nodeHeight,
        data: {
          label: (
            <div data-testid={`planned-${job.key}`}>
              <strong>{job.key}</strong>
              {job.task !== job.key && <div className="muted">{job.task}</div>}
            </div>
          ),
        },
        className: 'dag-node',
        style: { padding: '4px 6px', textAlign: 'left' },
      })),
      edges: edges.map(([parent, child]): Edge => ({ id: `${parent}>${child}`, source: parent, target: child })),
    }
  }, [jobs])
  const flow = useRef<ReactFlowInstance | null>(null)
  useEffect(() => void flow.current?.fitView({ maxZoom: 1 }), [nodes])
  return (
    <div style={{ height: 260, border: '1px solid var(--border)', borderRadius: 8 }} aria-label={`Preview: ${jobs.length} job(s)`}>
      {/* Fitted once it exists, and again as the planned jobs change (not the fitView prop: with pre-measured nodes it fires too early). */}
      <ReactFlow nodes={nodes} edges={edges} nodesDraggable={false} nodesConnectable={false} onInit={(instance) => {
        flow.current = instance
        void instance.fitView({ maxZoom: 1 })
      }} proOptions={{ hideAttribution: true }}>
        <Background />
      </ReactFlow>
    </div>
  )
}
