import { IllegalTransitionError } from './illegal-transition.js';

export const ChunkState = {
  /** An assemble chunk before every other chunk of its job is done: not yet for any node. */
  WAITING: 'WAITING',
  QUEUED: 'QUEUED',
  ASSIGNED: 'ASSIGNED',
  DOWNLOADING: 'DOWNLOADING',
  RENDERING: 'RENDERING',
  UPLOADING: 'UPLOADING',
  DONE: 'DONE',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type ChunkState = (typeof ChunkState)[keyof typeof ChunkState];
export const CHUNK_STATES: readonly ChunkState[] = Object.values(ChunkState);

/** A chunk fails for good only after this many *distinct* nodes failed it. */
export const MAX_CHUNK_NODE_FAILURES = 3;

const { WAITING, QUEUED, ASSIGNED, DOWNLOADING, RENDERING, UPLOADING, DONE, FAILED, CANCELLED } = ChunkState;

// Every held state may fall back to QUEUED (lease lost, or the node failed it and another node
// should try). ASSIGNED skips DOWNLOADING when the node already has the bundle cached.
export const CHUNK_TRANSITIONS: Readonly<Record<ChunkState, readonly ChunkState[]>> = {
  WAITING: [QUEUED, CANCELLED],
  QUEUED: [ASSIGNED, CANCELLED],
  ASSIGNED: [DOWNLOADING, RENDERING, QUEUED, FAILED, CANCELLED],
  DOWNLOADING: [RENDERING, QUEUED, FAILED, CANCELLED],
  RENDERING: [UPLOADING, QUEUED, FAILED, CANCELLED],
  UPLOADING: [DONE, QUEUED, FAILED, CANCELLED],
  DONE: [],
  FAILED: [],
  CANCELLED: [],
};

export function canTransitionChunk(from: ChunkState, to: ChunkState): boolean {
  return CHUNK_TRANSITIONS[from].includes(to);
}

export function assertChunkTransition(from: ChunkState, to: ChunkState): void {
  if (!canTransitionChunk(from, to)) throw new IllegalTransitionError('chunk', from, to);
}

/**
 * A failed or cancelled job run again starts its unfinished chunks afresh: a new run, outside the
 * table above (one run's life, where FAILED and CANCELLED are final). An assembly goes back to
 * WAITING when frames must be rendered again first, to QUEUED when they are all in.
 */
export const CHUNK_RETRY_TRANSITIONS: Readonly<Partial<Record<ChunkState, readonly ChunkState[]>>> = {
  FAILED: [QUEUED, WAITING],
  CANCELLED: [QUEUED, WAITING],
};

export function assertChunkRetry(from: ChunkState, to: ChunkState): void {
  if (!(CHUNK_RETRY_TRANSITIONS[from] ?? []).includes(to)) throw new IllegalTransitionError('chunk', from, to);
}

export function isTerminalChunkState(s: ChunkState): boolean {
  return s === DONE || s === FAILED || s === CANCELLED;
}

/** Held by a node under a lease. */
export const ACTIVE_CHUNK_STATES: readonly ChunkState[] = [ASSIGNED, DOWNLOADING, RENDERING, UPLOADING];

export function isActiveChunkState(s: ChunkState): boolean {
  return ACTIVE_CHUNK_STATES.includes(s);
}

/**
 * After a node failed an attempt: QUEUED to retry elsewhere, or FAILED once the distinct failing
 * nodes reach MAX_CHUNK_NODE_FAILURES. One flaky node failing it again and again is one node.
 */
export function chunkStateAfterFailure(failedNodeIds: readonly string[]): ChunkState {
  return new Set(failedNodeIds).size >= MAX_CHUNK_NODE_FAILURES ? FAILED : QUEUED;
}
