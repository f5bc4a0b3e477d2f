import type { RenderNode } from '@cloudexport/shared';

// One-line summaries of a node's hardware for tables; pure, so the fleet filter and tests share them.

/** "RTX 4090", "2× RTX 4090", "RTX 4090 + RTX 3080", or "no GPU". */
export function gpuSummary(node: Pick<RenderNode, 'gpus'>): string {
  if (node.gpus.length === 0) return 'no GPU';
  const counts = new Map<string, number>();
  for (const gpu of node.gpus) counts.set(gpu.model, (counts.get(gpu.model) ?? 0) + 1);
  return [...counts].map(([model, n]) => (n > 1 ? `${n}× ${model}` : model)).join(' + ');
}

/** A model as a table cell shows it: `NVIDIA GeForce RTX 4090` → `RTX 4090` (the full name is in its title). */
export function shortGpuModel(model: string): string {
  const short = model
    .replace(/\((TM|R)\)/gi, '')
    .replace(/^\s*(NVIDIA|AMD|Intel)\s+/i, '')
    .replace(/^(GeForce|Radeon(?= (RX|Pro|VII))|Arc(?= A))\s+/i, '')
    .trim();
  return short || model;
}

/** Like gpuSummary, with short model names. */
export function gpuShortSummary(node: Pick<RenderNode, 'gpus'>): string {
  return node.gpus.length === 0 ? 'no GPU' : gpuSummary({ gpus: node.gpus.map((gpu) => ({ ...gpu, model: shortGpuModel(gpu.model) })) });
}

/** The largest GPU memory in MB (what decides which comps fit), 0 without a GPU. */
export function maxVramMb(node: Pick<RenderNode, 'gpus'>): number {
  return node.gpus.reduce((max, gpu) => Math.max(max, gpu.vramMb), 0);
}

/** The installed After Effects major versions, newest first, without repeats. */
export function aeMajors(node: Pick<RenderNode, 'aeInstalls'>): number[] {
  return [...new Set(node.aeInstalls.map((ae) => ae.major))].sort((a, b) => b - a);
}

/** "25.1, 24.6" (newest first), or "none" when the node cannot render After Effects. */
export function aeSummary(node: Pick<RenderNode, 'aeInstalls'>): string {
  if (node.aeInstalls.length === 0) return 'none';
  const versions = [...node.aeInstalls].sort((a, b) => b.major - a.major || b.version.localeCompare(a.version)).map((ae) => ae.version);
  return [...new Set(versions)].join(', ');
}

/** Done chunks over finished ones (done + failed), 0..1; null before it finished any. */
export function successRate(node: Pick<RenderNode, 'chunksDone' | 'chunksFailed'>): number | null {
  const finished = node.chunksDone + node.chunksFailed;
  return finished > 0 ? node.chunksDone / finished : null;
}

/** Frames in the chunk the node holds (the range is inclusive). */
export function chunkFrames(chunk: NonNullable<RenderNode['currentChunk']>): number {
  return chunk.frameEnd - chunk.frameStart + 1;
}
