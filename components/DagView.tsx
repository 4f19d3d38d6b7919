'use client'
// A job's workflow in React Flow: laid out once per shape (statuses only recolour), coloured by
// status, live, with the selected job's detail and actions on the side. Every node's size is
// given up front and only visible nodes render, so thousands of nodes pan smoothly. The same
// page shows the workflow's timeline instead of the graph (?view=timeline), sharing the selection.
import { Background, Controls, MiniMap, ReactFlow, type Edge, type Node, type NodeProps, type NodeHandle, type ReactFlowInstance, Handle, Position } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import Link from './Link.tsx'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { memo, useEffect, useMemo, useRef, useState } from 'react'
import { collapseGraph, jobKey } from '../lib/dag/collapse.ts'
import { isActive, matches, noQuery, type FindQuery } from '../lib/dag/find.ts'
import type { GraphNode } from '../lib/dag/graph.ts'
import { layeredLayout, nodeHeight, nodeWidth } from '../lib/dag/layout.ts'
import { stepAndTask, stepName, taskBeside } from '../lib/dag/step-name.ts'
import { formatDuration } from '../lib/console/time.ts'
import { jobStatuses, type JobStatus } from '../lib/queue/job.ts'
import { ActionButtons } from './ActionButtons.tsx'
import { FindBar } from './FindBar.tsx'
import { GraphOverview, type GraphOverviewHandle, type Viewport } from './GraphOverview.tsx'
import { useGraph, useJob } from './queries.ts'
import { QueryError } from './QueryError.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import { TimesIn } from './Time.tsx'
import { TimeAgo } from './TimeAgo.tsx'
import { TimelineView } from './TimelineView.tsx'
import { WorkflowRetry } from './WorkflowRetry.tsx'

type JobNodeData = { kind: 'job'; job: GraphNode; selected: boolean; dim: boolean }
type GroupNodeData = { kind: 'group'; members: GraphNode[]; label: string; selected: boolean; dim: boolean }
type DrawnData = JobNodeData | GroupNodeData

const JobNode = memo(function JobNode({ data }: NodeProps<Node<JobNodeData>>) {
  const { job } = data
  return (
    <div
      className={`dag-node${data.selected ? ' selected' : ''}${data.dim ? ' dim' : ''}`}
      style={{ borderColor: `var(--${job.status})`, borderStyle: job.external ? 'dashed' : 'solid' }}
      data-testid={`node-${job.id}`}
      data-status={job.status}
    >
      <Handle type="target" position={Position.Top} />
      {/* One line, cut short if need be (whole on hover): a long name must not push the status out of the node. */}
      <div className="node-title" title={`${job.id} ${stepAndTask(job)}`}>
        <strong>{job.id}</strong> {stepName(job)}{taskBeside(job) && <span className="muted"> {taskBeside(job)}</span>}
      </div>
      <div>
        <span style={{ color: `var(--${job.status})` }}>{job.status}</span>
        {job.ranMs !== null && job.status !== 'doing' && <> · {formatDuration(job.ranMs)}</>}
        {job.status === 'doing' && job.startedAt && <> · <TimeAgo at={job.startedAt} since /></>}
        {job.attempts > 1 && <> · {job.attempts} attempts</>}
      </div>
      <Handle type="source" position={Position.Bottom} />
    </div>
  )
})

const GroupNode = memo(function GroupNode({ data }: NodeProps<Node<GroupNodeData>>) {
  const counts = countByStatus(data.members)
  return (
    <div className={`dag-node group${data.selected ? ' selected' : ''}${data.dim ? ' dim' : ''}`} data-testid={`group-${data.members[0]!.id}`}>
      <Handle type="target" position={Position.Top} />
      <div className="group-label"><strong>{data.label}</strong></div>
      <div className="status-bar" role="img" aria-label={describeCounts(counts)}>
        {jobStatuses.filter((status) => counts[status]).map((status) => (
          <span key={status} style={{ flexGrow: counts[status], background: `var(--${status})` }} />
        ))}
      </div>
      <Handle type="source" position={Position.Bottom} />
    </div>
  )
})
// Not 'group': React Flow styles its own built-in group type.
const nodeTypes = { job: JobNode, jobs: GroupNode }
const handles: NodeHandle[] = [
  { type: 'target', position: Position.Top, x: nodeWidth / 2, y: 0 },
  { type: 'source', position: Position.Bottom, x: nodeWidth / 2, y: nodeHeight },
]

const countByStatus = (jobs: GraphNode[]) => {
  const counts: Partial<Record<JobStatus, number>> = {}
  for (const job of jobs) counts[job.status] = (counts[job.status] ?? 0) + 1
  return counts
}
const describeCounts = (counts: Partial<Record<JobStatus, number>>) =>
  jobStatuses.filter((status) => counts[status]).map((status) => `${counts[status]} ${status}`).join(', ')

/** Below this zoom no label can be read (and a whole graph is fitted above it): a graph of more than overviewNodes nodes is painted on a canvas. */
const farZoom = 0.3
const overviewNodes = 150

/** What the side panel shows: one job, or the members of a group. */
type Selection = { kind: 'job'; id: number } | { kind: 'group'; key: string }

export function DagView({ jobId }: { jobId: number }) {
  const { data: graph, error, dataUpdatedAt } = useGraph(jobId)
  const [selection, setSelection] = useState<Selection>({ kind: 'job', id: jobId })
  const view = useSearchParams().get('view') === 'timeline' ? 'timeline' : 'graph'
  const router = useRouter()
  const pathname = usePathname()
  const show = (next: 'graph' | 'timeline') => router.replace(next === 'graph' ? pathname : `${pathname}?view=timeline`)
  const [query, setQuery] = useState<FindQuery>(noQuery)
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set())
  /** The job to bring into view, each time one is chosen from the find bar. */
  const [focus, setFocus] = useState<{ id: number; seq: number } | null>(null)
  const flow = useRef<ReactFlowInstance<Node<DrawnData>> | null>(null)
  const overview = useRef<GraphOverviewHandle>(null)
  const viewport = useRef<Viewport>({ x: 0, y: 0, zoom: 1 })
  const [far, setFar] = useState(false)
  /** The view moved: the canvas follows at once, and the mode changes when the zoom crosses farZoom. */
  const moved = (next: Viewport) => {
    viewport.current = next
    overview.current?.draw(next)
    if (next.zoom < farZoom !== far) setFar(next.zoom < farZoom)
  }
  // The job chosen from the find bar is drawn itself (its group opened around it), else the page's job.
  const focusId = focus?.id ?? jobId
  const drawn = useMemo(() => (graph ? collapseGraph(graph, focusId, expanded) : undefined), [graph, focusId, expanded])
  const findable = useMemo(() => (graph?.nodes ?? []).filter((node) => !node.external), [graph])
  const searching = isActive(query)
  /** Selects a job and brings it into view. */
  const choose = (id: number) => {
    setSelection({ kind: 'job', id })
    setFocus((previous) => ({ id, seq: (previous?.seq ?? 0) + 1 }))
  }
  const shape = drawn ? `${drawn.nodes.map((n) => n.key).join(',')}|${drawn.edges.length}` : ''
  const positions = useMemo(
    () => (drawn ? layeredLayout(drawn.nodes.map((n) => n.key), drawn.edges) : new Map<string, { x: number; y: number }>()),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [shape],
  )
  const selectedKey = selection.kind === 'group' ? selection.key : drawn?.keyOf.get(selection.id)
  const nodes: Array<Node<DrawnData>> = useMemo(
    () =>
      (drawn?.nodes ?? []).map((node) => ({
        id: node.key,
        type: node.kind === 'job' ? 'job' : 'jobs',
        position: positions.get(node.key) ?? { x: 0, y: 0 },
        width: nodeWidth,
        height: nodeHeight,
        // Size and handles known up front: React Flow then draws only the nodes on screen from
        // the first frame, instead of mounting every node once to measure it.
        measured: { width: nodeWidth, height: nodeHeight },
        handles,
        selected: node.key === selectedKey,
        ariaLabel: node.kind === 'job'
          ? `Job ${node.job.id} ${stepAndTask(node.job)}, ${node.job.status}`
          : `${node.label}: ${describeCounts(countByStatus(node.members))}`,
        data: node.kind === 'job'
          ? { kind: 'job', job: node.job, selected: node.key === selectedKey, dim: searching && !matches(node.job, query) }
          : { kind: 'group', members: node.members, label: node.label, selected: node.key === selectedKey, dim: searching && !node.members.some((member) => matches(member, query)) },
      })),
    [drawn, positions, selectedKey, searching, query],
  )
  // A job chosen from the find bar: centred in the graph once (live updates redraw the graph
  // without taking the view back to it); the timeline scrolls to it itself.
  const centred = useRef(0)
  useEffect(() => {
    const key = focus && focus.seq !== centred.current && drawn?.keyOf.get(focus.id)
    const position = key && positions.get(key)
    if (!position || !flow.current) return
    centred.current = focus.seq
    void flow.current.setCenter(position.x + nodeWidth / 2, position.y + nodeHeight / 2, { zoom: Math.max(flow.current.getZoom(), 0.8), duration: 300 })
  }, [focus, drawn, positions])
  const edges: Edge[] = useMemo(
    () => (drawn?.edges ?? []).map(([parent, child]) => ({ id: `${parent}>${child}`, source: parent, target: child })),
    [drawn],
  )
  if (!graph || !drawn) return error ? <QueryError error={error} /> : <p className="muted">Loading the graph…</p>
  const counts = countByStatus(graph.nodes)
  const big = drawn.nodes.length > 500
  const painted = far && drawn.nodes.length > overviewNodes
  const selectDrawn = (key: string) => {
    const node = drawn.nodes.find((n) => n.key === key)
    if (node) setSelection(node.kind === 'job' ? { kind: 'job', id: node.job.id } : { kind: 'group', key: node.key })
  }
  const selectedGroup = selection.kind === 'group' ? drawn.nodes.find((n) => n.key === selection.key) : undefined
  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between', marginBottom: 8 }}>
        <h1 style={{ margin: 0 }}>
          {graph.workflowId === null ? `Job ${jobId}` : `${graph.workflowName ? `${graph.workflowName} · ` : ''}Workflow ${graph.workflowId}`} · {graph.nodes.length} jobs
        </h1>
        <span className="tabs" role="group" aria-label="View">
          <button type="button" aria-pressed={view === 'graph'} onClick={() => show('graph')}>Graph</button>
          <button type="button" aria-pressed={view === 'timeline'} onClick={() => show('timeline')}>Timeline</button>
        </span>
        <span className="row" aria-label="Jobs by status">
          {jobStatuses.filter((status) => counts[status]).map((status) => (
            <span key={status}><StatusBadge status={status} /> {counts[status]}</span>
          ))}
        </span>
        {graph.workflowId !== null && <WorkflowRetry workflowId={graph.workflowId} failures={(counts.failed ?? 0) + (counts.aborted ?? 0)} />}
      </div>
      {error && <QueryError error={error} readAt={dataUpdatedAt} />}
      <FindBar
        jobs={findable}
        query={query}
        onQuery={setQuery}
        selectedId={selection.kind === 'job' ? selection.id : undefined}
        onJump={choose}
      />
      <div className="graph">
        {view === 'timeline' ? (
          <TimelineView jobId={jobId} selectedId={selection.kind === 'job' ? selection.id : jobId} onSelect={(id) => setSelection({ kind: 'job', id })} query={query} focus={focus} />
        ) : (
          <div className="canvas" aria-label="Workflow graph" data-far={painted || undefined}>
            <ReactFlow
              nodes={painted ? noNodes : nodes}
              edges={painted ? noEdges : edges}
              onMove={(_event, next) => moved(next)}
              // From afar, a click on a painted node selects it.
              onPaneClick={(event) => {
                if (!painted || !flow.current) return
                const at = flow.current.screenToFlowPosition({ x: event.clientX, y: event.clientY })
                const hit = drawn.nodes.find((node) => {
                  const corner = positions.get(node.key)
                  return corner && at.x >= corner.x && at.x <= corner.x + nodeWidth && at.y >= corner.y && at.y <= corner.y + nodeHeight
                })
                if (hit) selectDrawn(hit.key)
              }}
              nodeTypes={nodeTypes}
              onlyRenderVisibleElements
              nodesDraggable={false}
              nodesConnectable={false}
              // Fit small graphs whole; never zoom out so far that jobs cannot be read (or, on a
              // big graph, that thousands of nodes must be drawn at once): center the job instead.
              minZoom={0.1}
              // Not the fitView prop: with pre-measured nodes it fires before the viewport exists.
              onInit={(instance) => {
                flow.current = instance
                void instance.fitView({ minZoom: big ? 0.5 : 0.35, maxZoom: 1.2, nodes: big ? [{ id: jobKey(jobId) }] : undefined }).then(() => moved(instance.getViewport()))
              }}
              // A click or Enter on a focused node asks to select it: show it in the side panel.
              onNodesChange={(changes) => {
                const chosen = changes.find((change) => change.type === 'select' && change.selected)
                if (chosen?.type === 'select') selectDrawn(chosen.id)
              }}
              // Also a click on the node already selected: a group whose member the panel shows
              // lists its members again.
              onNodeClick={(_event, node) => selectDrawn(node.id)}
              proOptions={{ hideAttribution: true }}
            >
              <Background />
              <Controls />
              {!big && !painted && <MiniMap pannable zoomable nodeColor={minimapColor} />}
            </ReactFlow>
            {painted && <GraphOverview ref={overview} drawn={drawn} positions={positions} selectedKey={selectedKey} viewport={viewport.current} />}
          </div>
        )}
        <aside className="panel" aria-label={selectedGroup ? 'Selected group' : 'Selected job'}>
          {selectedGroup?.kind === 'group'
            ? <GroupMembers
                members={selectedGroup.members}
                label={selectedGroup.label}
                why={selectedGroup.why}
                onSelect={(id) => setSelection({ kind: 'job', id })}
                onExpand={() => {
                  setExpanded((previous) => new Set([...previous, selectedGroup.key]))
                  choose(selectedGroup.members[0]!.id)
                }}
              />
            : <SelectedJob id={selection.kind === 'job' ? selection.id : jobId} />}
        </aside>
      </div>
    </>
  )
}

const noNodes: Array<Node<DrawnData>> = []
const noEdges: Edge[] = []

const minimapColor = (node: Node) => {
  const data = node.data as DrawnData
  return data.kind === 'job' ? `var(--${data.job.status})` : 'var(--muted)'
}

/** Members of a group, the ones that need attention first; choosing one shows it. */
function GroupMembers({ members, label, why, onSelect, onExpand }: { members: GraphNode[]; label: string; why: string; onSelect: (id: number) => void; onExpand: () => void }) {
  const shown = 200
  const rank = (status: JobStatus) => ['failed', 'aborted', 'doing', 'aborting', 'todo', 'cancelled', 'succeeded'].indexOf(status)
  const sorted = useMemo(() => members.slice().sort((a, b) => rank(a.status) - rank(b.status) || a.id - b.id), [members])
  return (
    <>
      <h2 style={{ marginTop: 0 }}>{label}</h2>
      <p>{describeCounts(countByStatus(members))}. {why}</p>
      <button type="button" onClick={onExpand}>Open this group</button>
      <ul className="member-list">
        {sorted.slice(0, shown).map((job) => (
          <li key={job.id}>
            <button type="button" className="link" onClick={() => onSelect(job.id)}>Job {job.id}</button> <StatusBadge status={job.status} />
          </li>
        ))}
      </ul>
      {members.length > shown && <p className="muted">and {members.length - shown} more: see them on the Jobs page.</p>}
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
        <Link href={`/jobs/${job.id}`}>Job {job.id}</Link> {stepAndTask(job)} <StatusBadge status={job.status} waiting={job.unfinishedParents > 0} />
      </h2>
      <ul>
        {explanation.sentences.map((sentence) => <li key={sentence}><TimesIn text={sentence} /></li>)}
      </ul>
      {attempts.length > 0 &&
        (job.status === 'failed' ? (
          <p className="error">Last error: {attempts.at(-1)!.message}</p>
        ) : (
          <p className="muted">Attempt {attempts.at(-1)!.attempt} failed ({attempts.at(-1)!.message}) and was retried.</p>
        ))}
      <ActionButtons job={job} />
      <h2>Result</h2>
      <pre>{job.result === null ? '—' : JSON.stringify(job.result, null, 2)}</pre>
    </>
  )
}
