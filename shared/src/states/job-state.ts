import { ChunkState } from './chunk-state.js';
import { IllegalTransitionError } from './illegal-transition.js';

export const JobState = {
  CREATED: 'CREATED',
  QUEUED: 'QUEUED',
  DOWNLOADING: 'DOWNLOADING',
  RENDERING: 'RENDERING',
  UPLOADING: 'UPLOADING',
  /** Every frame is in; the deliverable is being encoded and checked. */
  ASSEMBLING: 'ASSEMBLING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  RETRY: 'RETRY',
  PERMANENTLY_FAILED: 'PERMANENTLY_FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];
export const JOB_STATES: readonly JobState[] = Object.values(JobState);

/** A job is retried at most this many times before it fails for good. */
export const MAX_JOB_RETRIES = 3;

const { QUEUED, DOWNLOADING, RENDERING, UPLOADING, ASSEMBLING, COMPLETED, FAILED, RETRY, PERMANENTLY_FAILED, CANCELLED } = JobState;

// The running states are whatever deriveJobState makes of the chunks, and progress reports are
// coalesced, so between two writes any set of chunk moves may have happened. A single chunk can
// go RENDERING → QUEUED (lease lost) → ASSIGNED between writes, so the job goes RENDERING →
// DOWNLOADING; UPLOADING → QUEUED likewise. Each running state may therefore move to every
// other running state, and out to COMPLETED, FAILED or CANCELLED: exactly what derivation can
// produce (the tests enumerate it), with derivation's PERMANENTLY_FAILED written through FAILED,
// where jobStateAfterFailure decides between RETRY and PERMANENTLY_FAILED.
const RUNNING = [QUEUED, DOWNLOADING, RENDERING, UPLOADING] as const;
const fromRunning = (self: JobState): JobState[] => [...RUNNING.filter((s) => s !== self), ASSEMBLING, COMPLETED, FAILED, CANCELLED];

export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  CREATED: [QUEUED, CANCELLED],
  QUEUED: fromRunning(QUEUED),
  DOWNLOADING: fromRunning(DOWNLOADING),
  RENDERING: fromRunning(RENDERING),
  UPLOADING: fromRunning(UPLOADING),
  // frame chunks are all done (terminal) by then: only the assembly's outcome moves it on
  ASSEMBLING: [COMPLETED, FAILED, CANCELLED],
  FAILED: [RETRY, PERMANENTLY_FAILED],
  RETRY: [...RUNNING, ASSEMBLING, COMPLETED, FAILED, CANCELLED],
  COMPLETED: [],
  // ended, unless its owner (or an admin) runs it again: its unfinished chunks start afresh
  PERMANENTLY_FAILED: [RETRY],
  CANCELLED: [RETRY],
};

export function canTransitionJob(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function assertJobTransition(from: JobState, to: JobState): void {
  if (!canTransitionJob(from, to)) throw new IllegalTransitionError('job', from, to);
}

/** Nothing moves it on by itself (a retry by a person may still bring a failed or cancelled job back). */
export function isTerminalJobState(s: JobState): boolean {
  return s === COMPLETED || s === PERMANENTLY_FAILED || s === CANCELLED;
}

/** The states a person may run a job again from (retryJob): it failed or was cancelled. */
export function canRetryJob(s: JobState): boolean {
  return JOB_TRANSITIONS[s].includes(RETRY);
}

/** Where a job goes after a failure: RETRY while retries so far < MAX_JOB_RETRIES, else PERMANENTLY_FAILED. */
export function jobStateAfterFailure(retriesSoFar: number): 'RETRY' | 'PERMANENTLY_FAILED' {
  return retriesSoFar < MAX_JOB_RETRIES ? RETRY : PERMANENTLY_FAILED;
}

/**
 * A running job's state, from its chunks'. A chunk only fails after MAX_CHUNK_NODE_FAILURES
 * distinct nodes failed it, so one FAILED chunk sinks the job. Cancelled chunks are ignored
 * unless every chunk is cancelled. Once any chunk is uploading or done, the job counts as past
 * downloading even while other chunks are still queued or fetching the bundle.
 */
export function deriveJobState(chunks: readonly ChunkState[], assembly: ChunkState | null = null): JobState {
  const rendered = deriveRenderState(chunks);
  if (assembly === null || rendered !== COMPLETED) return rendered;
  // every frame (and the sound) is in: the assembly decides
  if (assembly === ChunkState.DONE) return COMPLETED;
  if (assembly === ChunkState.FAILED) return PERMANENTLY_FAILED;
  if (assembly === ChunkState.CANCELLED) return CANCELLED;
  return ASSEMBLING;
}

/** The state of a job's render chunks (frames and audio), as if there were nothing to assemble. */
function deriveRenderState(chunks: readonly ChunkState[]): JobState {
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
