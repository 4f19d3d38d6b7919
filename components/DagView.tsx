'use client'
// A job's workflow in React Flow: laid out once per shape (statuses only recolour), coloured by
// status, live, with the selected job's detail and actions on the side. Every node's size is
// given up front and only visible nodes render, so thousands of nodes pan smoothly.
import { Background, Controls, MiniMap, ReactFlow, type Edge, type Node, type NodeProps, Handle, Position } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import Link from 'next/link'
import { memo, useMemo, useState } from 'react'
import { layeredLayout, nodeHeight, nodeWidth } from '../lib/dag/layout.ts'
import type { JobStatus } from '../lib/queue/job.ts'
import { ActionButtons } from './ActionButtons.tsx'
import { useGraph, useJob } from './queries.ts'
import { StatusBadge } from './StatusBadge.tsx'

type JobNodeData = { id: number; task: string; status: JobStatus; external: boolean; selected: boolean }

const JobNode = memo(function JobNode({ data }: NodeProps<Node<JobNodeData>>) {
  return (
    <div
      className={`dag-node${data.selected ? ' selected' : ''}`}
      style={{ borderColor: `var(--${data.status})`, borderStyle: data.external ? 'dashed' : 'solid' }}
      data-testid={`node-${data.id}`}
      data-status={data.status}
    >
      <Handle type="target" position={Position.Top} />
      <div><strong>{data.id}</strong> {data.task}</div>
      <div style={{ color: `var(--${data.status})` }}>{data.status}</div>
      <Handle type="source" position={Position.Bottom} />
    </div>
  )
})
const nodeTypes = { job: JobNode }

export function DagView({ jobId }: { jobId: number }) {
  const { data: graph, error } = useGraph(jobId)
  const [selectedId, setSelectedId] = useState(jobId)
  const shape = graph ? `${graph.nodes.map((n) => n.id).join(',')}|${graph.edges.length}` : ''
  const positions = useMemo(
    () => (graph ? layeredLayout(graph.nodes.map((n) => n.id), graph.edges) : new Map()),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [shape],
  )
  const nodes: Array<Node<JobNodeData>> = useMemo(
    () =>
      (graph?.nodes ?? []).map((node) => ({
        id: String(node.id),
        type: 'job',
        position: positions.get(node.id) ?? { x: 0, y: 0 },
        width: nodeWidth,
        height: nodeHeight,
        data: { ...node, selected: node.id === selectedId },
      })),
    [graph, positions, selectedId],
  )
  const edges: Edge[] = useMemo(
    () =>
      (graph?.edges ?? []).map(([parent, child]) => ({
        id: `${parent}-${child}`,
        source: String(parent),
        target: String(child),
      })),
    [graph],
  )
  if (error) return <p className="error" role="alert">{(error as Error).message}</p>
  if (!graph) return <p className="muted">Loading the graph…</p>
  const counts = graph.nodes.reduce<Record<string, number>>((all, node) => ({ ...all, [node.status]: (all[node.status] ?? 0) + 1 }), {})
  const big = graph.nodes.length > 500
  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between', marginBottom: 8 }}>
        <h1 style={{ margin: 0 }}>
          {graph.workflowId === null ? `Job ${jobId}` : `Workflow ${graph.workflowId}`} · {graph.nodes.length} jobs
        </h1>
        <span className="row" aria-label="Jobs by status">
          {Object.entries(counts).map(([status, count]) => (
            <span key={status}><StatusBadge status={status as JobStatus} /> {count}</span>
          ))}
        </span>
      </div>
      <div className="graph">
        <div className="canvas" aria-label="Workflow graph">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onlyRenderVisibleElements
            nodesDraggable={false}
            nodesConnectable={false}
            // Fit small graphs whole; never zoom out so far that jobs cannot be read (or, on a
            // big graph, that thousands of nodes must be drawn at once).
            minZoom={0.1}
            fitView
            fitViewOptions={{ minZoom: big ? 0.5 : 0.35, maxZoom: 1.2, nodes: big ? [{ id: String(jobId) }] : undefined }}
            onNodeClick={(_, node) => setSelectedId(Number(node.id))}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
            {!big && <MiniMap pannable zoomable nodeColor={(node) => `var(--${(node.data as JobNodeData).status})`} />}
          </ReactFlow>
        </div>
        <aside className="panel" aria-label="Selected job">
          <SelectedJob id={selectedId} />
        </aside>
      </div>
    </>
  )
}

function SelectedJob({ id }: { id: number }) {
  const { data } = useJob(id)
  if (!data) return <p className="muted">Loading job {id}…</p>
  const { job, explanation, attempts } = data
  return (
    <>
      <h2 style={{ marginTop: 0 }}>
        <Link href={`/jobs/${job.id}`}>Job {job.id}</Link> {job.task} <StatusBadge status={job.status} waiting={job.unfinishedParents > 0} />
      </h2>
      <ul>
        {explanation.sentences.map((sentence) => <li key={sentence}>{sentence}</li>)}
      </ul>
      {attempts.length > 0 && <p className="error">Last error: {attempts.at(-1)!.message}</p>}
      <ActionButtons job={job} />
      <h2>Result</h2>
      <pre>{job.result === null ? '—' : JSON.stringify(job.result, null, 2)}</pre>
    </>
  )
}
