import type { FrameProgress, RenderNode } from '@cloudexport/shared';

/**
 * Live fleet events gathered between two animation frames. Only the newest of each counts: a
 * node's latest state, a chunk's highest frame count. So a hidden tab (no animation frames)
 * holds at most one entry per node and per chunk, never a backlog.
 */
export class LiveBatch {
  readonly nodes = new Map<string, RenderNode>();
  /** chunkId → frames done in it. */
  readonly progress = new Map<string, number>();

  addNode(node: RenderNode): void {
    this.nodes.set(node.id, node);
  }

  addProgress(p: Pick<FrameProgress, 'chunkId' | 'chunkFramesDone'>): void {
    this.progress.set(p.chunkId, Math.max(this.progress.get(p.chunkId) ?? 0, p.chunkFramesDone));
  }

  get empty(): boolean {
    return this.nodes.size === 0 && this.progress.size === 0;
  }

  clear(): void {
    this.nodes.clear();
    this.progress.clear();
  }
}

/**
 * The list with a batch applied: a `node` event replaces the row with its id, or adds it (a node
 * just enrolled) when `accept` takes it; `progress` moves framesDone of the node holding the
 * chunk. Frames only go forward: a progress event may be older than the node event beside it.
 * Unchanged rows keep their object, so memoized rows skip rendering; no change returns `nodes`.
 */
export function applyLive(nodes: readonly RenderNode[], batch: LiveBatch, accept: (node: RenderNode) => boolean = () => true): readonly RenderNode[] {
  if (batch.empty) return nodes;
  let next: RenderNode[] | null = null;
  const edit = () => (next ??= nodes.slice());
  const seen = new Set<string>();
  nodes.forEach((node, i) => {
    const fresh = batch.nodes.get(node.id);
    if (fresh) {
      seen.add(node.id);
      edit()[i] = fresh;
    }
  });
  for (const [id, node] of batch.nodes) if (!seen.has(id) && accept(node)) edit().push(node);
  if (batch.progress.size > 0) {
    const rows = next ?? nodes;
    rows.forEach((node, i) => {
      const chunk = node.currentChunk;
      const frames = chunk ? batch.progress.get(chunk.id) : undefined;
      if (chunk && frames !== undefined && frames > chunk.framesDone) edit()[i] = { ...node, currentChunk: { ...chunk, framesDone: frames } };
    });
  }
  return next ?? nodes;
}
