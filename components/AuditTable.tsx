'use client'
// Rows of the audit log: who did what, to which jobs, from where, and how it ended.
import Link from './Link.tsx'
import type { AuditEntry } from '../lib/console/audit-log.ts'
import { Time } from './Time.tsx'

export function AuditTable({ entries, label }: { entries: AuditEntry[]; label: string }) {
  if (!entries.length) return <p className="muted">Nothing recorded.</p>
  return (
    <table aria-label={label}>
      <thead>
        <tr><th>At</th><th>Who</th><th>Action</th><th>Jobs</th><th>Details</th><th>From</th><th>Outcome</th></tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td><Time at={entry.at} /></td>
            <td>{entry.actor}{entry.role && <span className="muted"> ({entry.role})</span>}</td>
            <td>{entry.action}</td>
            <td>
              {entry.jobIds.slice(0, 5).map((id) => <Link key={id} href={`/jobs/${id}`} style={{ marginRight: 6 }}>{id}</Link>)}
              {entry.jobIds.length > 5 && <span className="muted">+{entry.jobIds.length - 5}</span>}
            </td>
            <td className="args">{JSON.stringify(entry.details)}</td>
            <td>{entry.source ?? ''}</td>
            <td className={entry.outcome === 'ok' ? undefined : 'error'}>{entry.outcome}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
