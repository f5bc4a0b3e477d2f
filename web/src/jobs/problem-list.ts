import type { Chunk, ChunkAttempt, LiveWarning } from '@cloudexport/shared';

export interface Problem {
  key: string;
  kind: 'error' | 'warning';
  where: string;
  message: string;
}

/**
 * Every error and aerender warning the job met, errors first, each once: failed or lost attempts,
 * chunk errors, the warnings stored with chunks and attempts, and those that came in live.
 */
export function jobProblems(chunks: readonly Chunk[], attempts: readonly ChunkAttempt[], live: readonly LiveWarning[], nodeNames: ReadonlyMap<string, string>): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  // the same warning comes stored and live: one entry per (kind, chunk, message)
  const add = (kind: Problem['kind'], chunk: number | string, where: string, message: string) => {
    const key = `${kind}|${chunk}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ key, kind, where, message });
  };
  // a chunk's error is its last failed attempt's message: listed with the node that met it
  const attemptErrors = new Set<string>();
  for (const a of attempts) {
    const message = a.message ?? a.reason;
    if ((a.outcome !== 'failed' && a.outcome !== 'lost') || !message) continue;
    attemptErrors.add(`${a.chunkIndex}|${message}`);
    add('error', `${a.chunkIndex}@${a.nodeId}`, `Chunk ${a.chunkIndex} on ${a.nodeName} (${a.outcome})`, message);
  }
  for (const c of chunks) if (c.error && !attemptErrors.has(`${c.index}|${c.error}`)) add('error', c.index, `Chunk ${c.index}`, c.error);
  for (const w of live) {
    const chunk = chunks.find((c) => c.id === w.chunkId);
    add('warning', chunk?.index ?? w.chunkId, `Chunk ${chunk?.index ?? '?'} on ${nodeNames.get(w.nodeId) ?? w.nodeId.slice(0, 8)}`, w.message);
  }
  for (const a of attempts) for (const w of a.warnings) add('warning', a.chunkIndex, `Chunk ${a.chunkIndex} on ${a.nodeName}`, w);
  for (const c of chunks) for (const w of c.warnings) add('warning', c.index, `Chunk ${c.index}`, w);
  // errors were added first, warnings after: the order the page lists them in
  return out;
}
