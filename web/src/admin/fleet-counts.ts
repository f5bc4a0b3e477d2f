import type { JobState, NodeState, RenderNode } from '@cloudexport/shared';

/** Jobs waiting for their first node, or for a new round after a failure. */
export const WAITING_JOB_STATES: readonly JobState[] = ['CREATED', 'QUEUED', 'RETRY'];
/** Jobs with work on nodes or being assembled. */
export const RUNNING_JOB_STATES: readonly JobState[] = ['DOWNLOADING', 'RENDERING', 'UPLOADING', 'ASSEMBLING'];

export function jobBucket(state: JobState): 'waiting' | 'running' | 'ended' {
  if (WAITING_JOB_STATES.includes(state)) return 'waiting';
  if (RUNNING_JOB_STATES.includes(state)) return 'running';
  return 'ended';
}

export function countJobs(states: Iterable<JobState>): { running: number; waiting: number } {
  let running = 0;
  let waiting = 0;
  for (const s of states) {
    const b = jobBucket(s);
    if (b === 'running') running += 1;
    else if (b === 'waiting') waiting += 1;
  }
  return { running, waiting };
}

/** What the overview keeps of a node to count it. */
export interface NodeCount {
  state: NodeState;
  connected: boolean;
  holdsChunk: boolean;
}

export const nodeCount = (node: Pick<RenderNode, 'state' | 'connected' | 'currentChunkId'>): NodeCount => ({ state: node.state, connected: node.connected, holdsChunk: node.currentChunkId !== null });

/** As the metrics sampler counts them: online is connected and not disabled; busy is online and holding a chunk (draining ones too). */
export function countNodes(nodes: Iterable<NodeCount>): { online: number; busy: number; total: number } {
  let online = 0;
  let busy = 0;
  let total = 0;
  for (const n of nodes) {
    total += 1;
    const up = n.connected && n.state !== 'disabled' && n.state !== 'offline';
    if (up) online += 1;
    if (up && n.holdsChunk) busy += 1;
  }
  return { online, busy, total };
}
