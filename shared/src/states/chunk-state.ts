import { IllegalTransitionError } from './illegal-transition.js';

export const ChunkState = {
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

const { QUEUED, ASSIGNED, DOWNLOADING, RENDERING, UPLOADING, DONE, FAILED, CANCELLED } = ChunkState;

// Held states may fall back to QUEUED (lease lost, node failed, retry elsewhere). ASSIGNED may
// skip DOWNLOADING when the node has the bundle cached.
export const CHUNK_TRANSITIONS: Readonly<Record<ChunkState, readonly ChunkState[]>> = {
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

export function isTerminalChunkState(s: ChunkState): boolean {
  return s === DONE || s === FAILED || s === CANCELLED;
}

/** Held by a node under a lease. */
export function isActiveChunkState(s: ChunkState): boolean {
  return s === ASSIGNED || s === DOWNLOADING || s === RENDERING || s === UPLOADING;
}

/** After a node failed an attempt: back to the queue for another node, or failed for good. */
export function chunkStateAfterFailure(failedNodeIds: readonly string[]): ChunkState {
  return new Set(failedNodeIds).size >= MAX_CHUNK_NODE_FAILURES ? FAILED : QUEUED;
}
