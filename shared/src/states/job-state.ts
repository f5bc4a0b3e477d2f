import { ChunkState } from './chunk-state.js';
import { IllegalTransitionError } from './illegal-transition.js';

export const JobState = {
  CREATED: 'CREATED',
  QUEUED: 'QUEUED',
  DOWNLOADING: 'DOWNLOADING',
  RENDERING: 'RENDERING',
  UPLOADING: 'UPLOADING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  RETRY: 'RETRY',
  PERMANENTLY_FAILED: 'PERMANENTLY_FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];
export const JOB_STATES: readonly JobState[] = Object.values(JobState);

/** The seed's rule: a job is retried at most three times. */
export const MAX_JOB_RETRIES = 3;

const { CREATED, QUEUED, DOWNLOADING, RENDERING, UPLOADING, COMPLETED, FAILED, RETRY, PERMANENTLY_FAILED, CANCELLED } = JobState;

// A running job's state is derived from its chunks (deriveJobState) and progress reports are
// coalesced, so between the running states any move is legal: forward skips, and back to
// QUEUED or DOWNLOADING when a node's lease is lost and its chunk is requeued. Failure always
// passes through FAILED, which decides between RETRY and PERMANENTLY_FAILED.
const RUNNING = [QUEUED, DOWNLOADING, RENDERING, UPLOADING] as const;
const fromRunning = (self: JobState) => [...RUNNING.filter((s) => s !== self), COMPLETED, FAILED, CANCELLED];

export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  CREATED: [QUEUED, CANCELLED],
  QUEUED: fromRunning(QUEUED),
  DOWNLOADING: fromRunning(DOWNLOADING),
  RENDERING: fromRunning(RENDERING),
  UPLOADING: fromRunning(UPLOADING),
  FAILED: [RETRY, PERMANENTLY_FAILED],
  RETRY: [...RUNNING, COMPLETED, FAILED, CANCELLED],
  COMPLETED: [],
  PERMANENTLY_FAILED: [],
  CANCELLED: [],
};

export function canTransitionJob(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function assertJobTransition(from: JobState, to: JobState): void {
  if (!canTransitionJob(from, to)) throw new IllegalTransitionError('job', from, to);
}

export function isTerminalJobState(s: JobState): boolean {
  return s === COMPLETED || s === PERMANENTLY_FAILED || s === CANCELLED;
}

/** Where a job goes after a failure: another try while it has retries left. */
export function jobStateAfterFailure(retriesSoFar: number): 'RETRY' | 'PERMANENTLY_FAILED' {
  return retriesSoFar < MAX_JOB_RETRIES ? RETRY : PERMANENTLY_FAILED;
}

/** A running job's state, from its chunks' states. PERMANENTLY_FAILED is reached through FAILED. */
export function deriveJobState(chunks: readonly ChunkState[]): JobState {
  if (chunks.length === 0) return QUEUED;
  if (chunks.includes(ChunkState.FAILED)) return PERMANENTLY_FAILED;
  const live = chunks.filter((c) => c !== ChunkState.CANCELLED);
  if (live.length === 0) return CANCELLED;
  if (live.every((c) => c === ChunkState.DONE)) return COMPLETED;
  if (live.includes(ChunkState.RENDERING)) return RENDERING;
  const started = live.some((c) => c === ChunkState.UPLOADING || c === ChunkState.DONE);
  if (live.some((c) => c === ChunkState.ASSIGNED || c === ChunkState.DOWNLOADING)) return started ? RENDERING : DOWNLOADING;
  if (live.includes(ChunkState.QUEUED)) return started ? RENDERING : QUEUED;
  return UPLOADING;
}
