import type { AuditEntry } from '@cloudexport/shared';

/** Who did it, in words: the user's name and email, the node's name, or "system". */
export function actorLabel(entry: Pick<AuditEntry, 'actorKind' | 'actorId'>, users: ReadonlyMap<string, { name: string; email: string }>, nodes: ReadonlyMap<string, { name: string }>): string {
  if (entry.actorKind === 'system') return 'system';
  const id = entry.actorId ?? '';
  if (entry.actorKind === 'user') {
    const user = users.get(id);
    return user ? `${user.name} <${user.email}>` : `user ${shortId(id)}`;
  }
  const node = nodes.get(id);
  return node ? `node ${node.name}` : `node ${shortId(id)}`;
}

export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id || '?';
}

/**
 * Where the target lives in the console, if it has a page: jobs and nodes do; a chunk's page is
 * its job's (the entry's details carry the job id).
 */
export function targetHref(entry: Pick<AuditEntry, 'targetType' | 'targetId' | 'details'>): string | null {
  if (!entry.targetId) return null;
  if (entry.targetType === 'job') return `/jobs/${encodeURIComponent(entry.targetId)}`;
  if (entry.targetType === 'node') return `/nodes/${encodeURIComponent(entry.targetId)}`;
  const jobId = entry.details['jobId'];
  if (entry.targetType === 'chunk' && typeof jobId === 'string') return `/jobs/${encodeURIComponent(jobId)}`;
  return null;
}

/** The details on one line, cut at `max` characters; the full JSON is a click away. */
export function compactDetails(details: Record<string, unknown>, max = 80): { short: string; full: string; cut: boolean } {
  const short = JSON.stringify(details);
  const full = JSON.stringify(details, null, 2);
  if (short === '{}') return { short: '', full: '', cut: false };
  return short.length > max ? { short: `${short.slice(0, max - 1)}…`, full, cut: true } : { short, full, cut: false };
}
