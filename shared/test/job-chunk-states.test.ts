import test from 'ava';
import {
  assertChunkTransition,
  CHUNK_STATES,
  chunkStateAfterFailure,
  isActiveChunkState,
  isTerminalChunkState,
  MAX_CHUNK_NODE_FAILURES,
  type ChunkState,
} from '../src/states/chunk-state.js';
import { IllegalTransitionError } from '../src/states/illegal-transition.js';
import { assertJobTransition, deriveJobState, isTerminalJobState, JOB_STATES, jobStateAfterFailure, MAX_JOB_RETRIES, type JobState } from '../src/states/job-state.js';

// The expected tables are written out here independently of the source, and every ordered pair
// of states is tried: the legal ones pass, every other one throws.

const CHUNK_LEGAL: Record<ChunkState, ChunkState[]> = {
  QUEUED: ['ASSIGNED', 'CANCELLED'],
  ASSIGNED: ['DOWNLOADING', 'RENDERING', 'QUEUED', 'FAILED', 'CANCELLED'],
  DOWNLOADING: ['RENDERING', 'QUEUED', 'FAILED', 'CANCELLED'],
  RENDERING: ['UPLOADING', 'QUEUED', 'FAILED', 'CANCELLED'],
  UPLOADING: ['DONE', 'QUEUED', 'FAILED', 'CANCELLED'],
  DONE: [],
  FAILED: [],
  CANCELLED: [],
};

const RUNNING: JobState[] = ['QUEUED', 'DOWNLOADING', 'RENDERING', 'UPLOADING'];
const JOB_LEGAL: Record<JobState, JobState[]> = {
  CREATED: ['QUEUED', 'CANCELLED'],
  QUEUED: ['DOWNLOADING', 'RENDERING', 'UPLOADING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  DOWNLOADING: ['QUEUED', 'RENDERING', 'UPLOADING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  RENDERING: ['QUEUED', 'DOWNLOADING', 'UPLOADING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  UPLOADING: ['QUEUED', 'DOWNLOADING', 'RENDERING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  FAILED: ['RETRY', 'PERMANENTLY_FAILED'],
  RETRY: [...RUNNING, 'COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  PERMANENTLY_FAILED: [],
  CANCELLED: [],
};

test('the state lists are the seed’s', (t) => {
  t.deepEqual([...JOB_STATES].sort(), Object.keys(JOB_LEGAL).sort());
  t.deepEqual([...CHUNK_STATES].sort(), Object.keys(CHUNK_LEGAL).sort());
});

for (const from of Object.keys(CHUNK_LEGAL) as ChunkState[]) {
  test(`chunk ${from} → every state`, (t) => {
    for (const to of CHUNK_STATES) {
      if (CHUNK_LEGAL[from].includes(to)) {
        t.notThrows(() => assertChunkTransition(from, to), `${from} → ${to} is legal`);
      } else {
        const err = t.throws(() => assertChunkTransition(from, to), { instanceOf: IllegalTransitionError }, `${from} → ${to} is illegal`);
        t.is(err?.kind, 'chunk');
        t.is(err?.from, from);
        t.is(err?.to, to);
      }
    }
  });
}

for (const from of Object.keys(JOB_LEGAL) as JobState[]) {
  test(`job ${from} → every state`, (t) => {
    for (const to of JOB_STATES) {
      if (JOB_LEGAL[from].includes(to)) {
        t.notThrows(() => assertJobTransition(from, to), `${from} → ${to} is legal`);
      } else {
        const err = t.throws(() => assertJobTransition(from, to), { instanceOf: IllegalTransitionError }, `${from} → ${to} is illegal`);
        t.is(err?.kind, 'job');
        t.regex(err?.message ?? '', new RegExp(`${from} → ${to}`));
      }
    }
  });
}

test('terminal and active states', (t) => {
  t.deepEqual(CHUNK_STATES.filter(isTerminalChunkState).sort(), ['CANCELLED', 'DONE', 'FAILED']);
  t.deepEqual(CHUNK_STATES.filter(isActiveChunkState).sort(), ['ASSIGNED', 'DOWNLOADING', 'RENDERING', 'UPLOADING']);
  t.deepEqual(JOB_STATES.filter(isTerminalJobState).sort(), ['CANCELLED', 'COMPLETED', 'PERMANENTLY_FAILED']);
});

test('a job is retried at most three times', (t) => {
  t.is(MAX_JOB_RETRIES, 3);
  t.is(jobStateAfterFailure(0), 'RETRY');
  t.is(jobStateAfterFailure(1), 'RETRY');
  t.is(jobStateAfterFailure(2), 'RETRY');
  t.is(jobStateAfterFailure(3), 'PERMANENTLY_FAILED');
});

test('a chunk fails for good only after three distinct nodes failed it', (t) => {
  t.is(MAX_CHUNK_NODE_FAILURES, 3);
  t.is(chunkStateAfterFailure(['a']), 'QUEUED');
  t.is(chunkStateAfterFailure(['a', 'a', 'a', 'a']), 'QUEUED', 'one node failing four times is one node');
  t.is(chunkStateAfterFailure(['a', 'b', 'a']), 'QUEUED');
  t.is(chunkStateAfterFailure(['a', 'b', 'c']), 'FAILED');
});

test('a job’s state is derived from its chunks', (t) => {
  const cases: [ChunkState[], JobState][] = [
    [[], 'QUEUED'],
    [['QUEUED', 'QUEUED'], 'QUEUED'],
    [['ASSIGNED', 'QUEUED'], 'DOWNLOADING'],
    [['DOWNLOADING', 'QUEUED'], 'DOWNLOADING'],
    [['RENDERING', 'QUEUED'], 'RENDERING'],
    [['DONE', 'QUEUED'], 'RENDERING'],
    [['UPLOADING', 'ASSIGNED'], 'RENDERING'],
    [['UPLOADING', 'DONE'], 'UPLOADING'],
    [['DONE', 'DONE'], 'COMPLETED'],
    [['DONE', 'FAILED', 'RENDERING'], 'PERMANENTLY_FAILED'],
    [['CANCELLED', 'CANCELLED'], 'CANCELLED'],
    [['CANCELLED', 'DONE'], 'COMPLETED'],
  ];
  for (const [chunks, expected] of cases) t.is(deriveJobState(chunks), expected, chunks.join(','));
});

test('every derived move between running states is a legal transition', (t) => {
  const samples: ChunkState[][] = [['QUEUED'], ['ASSIGNED'], ['DOWNLOADING'], ['RENDERING'], ['UPLOADING'], ['DONE', 'QUEUED'], ['UPLOADING', 'DONE'], ['DONE']];
  for (const a of samples) {
    for (const b of samples) {
      const from = deriveJobState(a);
      const to = deriveJobState(b);
      if (from !== to && from !== 'COMPLETED') t.notThrows(() => assertJobTransition(from, to), `${from} → ${to}`);
    }
  }
});
