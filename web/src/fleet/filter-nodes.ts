import type { NodeState, RenderNode } from '@cloudexport/shared';
import { aeMajors, gpuSummary, maxVramMb, successRate } from './node-facts.js';
import { STATE_RANK } from './node-state.js';

/**
 * Sorting, filtering and search of the fleet table, client-side over the live set: a `node`
 * event moves a row at once, with no round trip. Pure, so it runs under Node in tests.
 */

/** The tier filter's value for nodes whose GPU no tier lists. */
export const NO_TIER = '(none)';

export interface NodeFilter {
  /** Part of the name or a GPU model, any case. */
  q: string;
  state: NodeState | '';
  /** A tier id, NO_TIER, or '' for any. */
  tierId: string;
  /** Has this After Effects major installed; null for any. */
  aeMajor: number | null;
  ownerId: string;
}

export const NO_FILTER: NodeFilter = { q: '', state: '', tierId: '', aeMajor: null, ownerId: '' };

export function isFiltered(filter: NodeFilter): boolean {
  return filter.q.trim() !== '' || filter.state !== '' || filter.tierId !== '' || filter.aeMajor !== null || filter.ownerId !== '';
}

export const SORT_KEYS = ['name', 'owner', 'state', 'gpu', 'vram', 'tier', 'ae', 'chunk', 'heartbeat', 'success', 'earnings'] as const;
export type NodeSortKey = (typeof SORT_KEYS)[number];
export interface NodeSort {
  key: NodeSortKey;
  dir: 'asc' | 'desc';
}

/** What sorting needs besides the node: names of owners and tiers as shown. */
export interface SortContext {
  ownerLabel(ownerId: string): string;
  tierLabel?(tierId: string): string;
}

export function filterNodes(nodes: readonly RenderNode[], filter: NodeFilter): RenderNode[] {
  const q = filter.q.trim().toLowerCase();
  return nodes.filter(
    (node) =>
      (!filter.state || node.state === filter.state) &&
      (!filter.tierId || (filter.tierId === NO_TIER ? node.tierId === null : node.tierId === filter.tierId)) &&
      (filter.aeMajor === null || node.aeInstalls.some((ae) => ae.major === filter.aeMajor)) &&
      (!filter.ownerId || node.ownerId === filter.ownerId) &&
      (!q || node.name.toLowerCase().includes(q) || node.gpus.some((gpu) => gpu.model.toLowerCase().includes(q))),
  );
}

type SortValue = string | number | null;

function sortValue(node: RenderNode, key: NodeSortKey, ctx: SortContext): SortValue {
  switch (key) {
    case 'name':
      return node.name.toLowerCase();
    case 'owner':
      return ctx.ownerLabel(node.ownerId).toLowerCase();
    case 'state':
      return STATE_RANK[node.state];
    case 'gpu':
      return node.gpus.length ? gpuSummary(node).toLowerCase() : null;
    case 'vram':
      return node.gpus.length ? maxVramMb(node) : null;
    case 'tier':
      return node.tierId === null ? null : (ctx.tierLabel?.(node.tierId) ?? node.tierId).toLowerCase();
    case 'ae':
      return aeMajors(node)[0] ?? null;
    case 'chunk': {
      const chunk = node.currentChunk;
      return chunk ? chunk.framesDone / Math.max(1, chunk.frameEnd - chunk.frameStart + 1) : null;
    }
    case 'heartbeat':
      return node.lastHeartbeatAt ? Date.parse(node.lastHeartbeatAt) : null;
    case 'success':
      return successRate(node);
    case 'earnings':
      return node.earningsUsd;
  }
}

/**
 * Sorted copy. Nodes without a value (no heartbeat yet, no finished chunk) go last either way;
 * ties fall back to the name, then the id, so rows never swap places between renders.
 */
export function sortNodes(nodes: readonly RenderNode[], sort: NodeSort, ctx: SortContext): RenderNode[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = nodes.map((node) => ({ node, value: sortValue(node, sort.key, ctx) }));
  keyed.sort((a, b) => {
    if (a.value !== b.value) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      const cmp = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : String(a.value).localeCompare(String(b.value));
      if (cmp !== 0) return sign * cmp;
    }
    return a.node.name.localeCompare(b.node.name) || (a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0);
  });
  return keyed.map((k) => k.node);
}

/** The next sort when a column header is clicked: the same column flips, a new one starts ascending (numbers: descending). */
export function nextSort(current: NodeSort, key: NodeSortKey): NodeSort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  const biggestFirst: NodeSortKey[] = ['vram', 'ae', 'chunk', 'heartbeat', 'success', 'earnings'];
  return { key, dir: biggestFirst.includes(key) ? 'desc' : 'asc' };
}

/** The choices the filter menus offer: what the live set holds. */
export function filterChoices(nodes: readonly RenderNode[]): { tierIds: string[]; hasNoTier: boolean; aeMajors: number[]; ownerIds: string[] } {
  const tiers = new Set<string>();
  const majors = new Set<number>();
  const owners = new Set<string>();
  let hasNoTier = false;
  for (const node of nodes) {
    if (node.tierId === null) hasNoTier = true;
    else tiers.add(node.tierId);
    for (const ae of node.aeInstalls) majors.add(ae.major);
    owners.add(node.ownerId);
  }
  return { tierIds: [...tiers].sort(), hasNoTier, aeMajors: [...majors].sort((a, b) => b - a), ownerIds: [...owners] };
}
