import test from 'ava';
import {
  assertChunkRetry,
  assertChunkTransition,
  canTransitionChunk,
  CHUNK_STATES,
  chunkStateAfterFailure,
  isActiveChunkState,
  isTerminalChunkState,
  MAX_CHUNK_NODE_FAILURES,
  type ChunkState,
} from '../src/states/chunk-state.js';
import { IllegalTransitionError } from '../src/states/illegal-transition.js';
import {
  assertJobTransition,
  canRetryJob,
  canTransitionJob,
  deriveJobState,
  isTerminalJobState,
  JOB_STATES,
  JOB_TRANSITIONS,
  jobStateAfterFailure,
  MAX_JOB_RETRIES,
  type JobState,
} from '../src/states/job-state.js';

// The expected tables are written out here independently of the source, and every ordered pair
// of states is tried: the legal ones pass, every other one throws.

const CHUNK_LEGAL: Record<ChunkState, ChunkState[]> = {
  WAITING: ['QUEUED', 'CANCELLED'],
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
  QUEUED: ['DOWNLOADING', 'RENDERING', 'UPLOADING', 'ASSEMBLING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  DOWNLOADING: ['QUEUED', 'RENDERING', 'UPLOADING', 'ASSEMBLING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  RENDERING: ['QUEUED', 'DOWNLOADING', 'UPLOADING', 'ASSEMBLING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  UPLOADING: ['QUEUED', 'DOWNLOADING', 'RENDERING', 'ASSEMBLING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  ASSEMBLING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  FAILED: ['RETRY', 'PERMANENTLY_FAILED'],
  RETRY: ['QUEUED', 'DOWNLOADING', 'RENDERING', 'UPLOADING', 'ASSEMBLING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  // a person's retry (retryJob) brings a failed or cancelled job back; a completed one stays
  PERMANENTLY_FAILED: ['RETRY'],
  CANCELLED: ['RETRY'],
};

test('the state lists are the seed’s', (t) => {
  t.deepEqual([...JOB_STATES].sort(), Object.keys(JOB_LEGAL).sort());
  t.deepEqual([...CHUNK_STATES].sort(), Object.keys(CHUNK_LEGAL).sort());
});

for (const from of Object.keys(CHUNK_LEGAL) as ChunkState[]) {
  test(`chunk ${from} → every state`, (t) => {
    for (const to of CHUNK_STATES) {
      const legal = CHUNK_LEGAL[from].includes(to);
      t.is(canTransitionChunk(from, to), legal, `${from} → ${to}`);
      if (legal) {
        t.notThrows(() => assertChunkTransition(from, to), `${from} → ${to} is legal`);
      } else {
        const err = t.throws(() => assertChunkTransition(from, to), { instanceOf: IllegalTransitionError }, `${from} → ${to} is illegal`);
        t.is(err?.kind, 'chunk');
        t.is(err?.from, from);
        t.is(err?.to, to);
        t.is(err?.message, `Illegal chunk transition ${from} → ${to}`);
      }
    }
  });
}

for (const from of Object.keys(JOB_LEGAL) as JobState[]) {
  test(`job ${from} → every state`, (t) => {
    for (const to of JOB_STATES) {
      const legal = JOB_LEGAL[from].includes(to);
      t.is(canTransitionJob(from, to), legal, `${from} → ${to}`);
      if (legal) {
        t.notThrows(() => assertJobTransition(from, to), `${from} → ${to} is legal`);
      } else {
        const err = t.throws(() => assertJobTransition(from, to), { instanceOf: IllegalTransitionError }, `${from} → ${to} is illegal`);
        t.is(err?.kind, 'job');
        t.is(err?.from, from);
        t.is(err?.to, to);
        t.is(err?.message, `Illegal job transition ${from} → ${to}`);
      }
    }
  });
}

test('a retry restarts only unfinished chunks, and only jobs that failed or were cancelled', (t) => {
  for (const from of CHUNK_STATES) {
    for (const to of CHUNK_STATES) {
      const legal = ['FAILED', 'CANCELLED'].includes(from) && ['QUEUED', 'WAITING'].includes(to);
      if (legal) t.notThrows(() => assertChunkRetry(from, to), `${from} → ${to} on retry`);
      else t.throws(() => assertChunkRetry(from, to), { instanceOf: IllegalTransitionError }, `${from} → ${to} on retry`);
    }
  }
  t.deepEqual(JOB_STATES.filter(canRetryJob).sort(), ['CANCELLED', 'FAILED', 'PERMANENTLY_FAILED']);
});

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
  t.is(jobStateAfterFailure(4), 'PERMANENTLY_FAILED');
});

test('a chunk fails for good only after three distinct nodes failed it', (t) => {
  t.is(MAX_CHUNK_NODE_FAILURES, 3);
  t.is(chunkStateAfterFailure(['a']), 'QUEUED');
  t.is(chunkStateAfterFailure(['a', 'a', 'a']), 'QUEUED', 'one node failing three times is one node');
  t.is(chunkStateAfterFailure(['a', 'b', 'a', 'b', 'a']), 'QUEUED', 'two nodes, however often');
  t.is(chunkStateAfterFailure(['a', 'b', 'c']), 'FAILED');
  t.is(chunkStateAfterFailure(['a', 'a', 'b', 'c']), 'FAILED');
});

test('a job’s state is derived from its chunks, rule by rule', (t) => {
  const cases: [string, ChunkState[], JobState][] = [
    ['no chunks yet', [], 'QUEUED'],
    ['any failed chunk', ['DONE', 'FAILED', 'RENDERING'], 'PERMANENTLY_FAILED'],
    ['a failed chunk among cancelled ones', ['CANCELLED', 'FAILED'], 'PERMANENTLY_FAILED'],
    ['all cancelled', ['CANCELLED', 'CANCELLED'], 'CANCELLED'],
    ['all done', ['DONE', 'DONE'], 'COMPLETED'],
    ['done, the rest cancelled', ['CANCELLED', 'DONE'], 'COMPLETED'],
    ['any rendering', ['RENDERING', 'QUEUED'], 'RENDERING'],
    ['rendering beats downloading', ['DOWNLOADING', 'RENDERING'], 'RENDERING'],
    ['assigned, nothing started', ['ASSIGNED', 'QUEUED'], 'DOWNLOADING'],
    ['downloading, nothing started', ['DOWNLOADING', 'QUEUED'], 'DOWNLOADING'],
    ['assigned after another chunk uploads', ['UPLOADING', 'ASSIGNED'], 'RENDERING'],
    ['downloading after another chunk is done', ['DONE', 'DOWNLOADING'], 'RENDERING'],
    ['queued, nothing started', ['QUEUED', 'QUEUED'], 'QUEUED'],
    ['queued after another chunk is done', ['DONE', 'QUEUED'], 'RENDERING'],
    ['queued after another chunk uploads', ['UPLOADING', 'QUEUED'], 'RENDERING'],
    ['only uploading and done left', ['UPLOADING', 'DONE'], 'UPLOADING'],
    ['only uploading', ['UPLOADING'], 'UPLOADING'],
    ['cancelled chunks are ignored', ['CANCELLED', 'QUEUED'], 'QUEUED'],
  ];
  for (const [rule, chunks, expected] of cases) t.is(deriveJobState(chunks), expected, `${rule}: ${chunks.join(',')}`);
});

test('a job with a deliverable completes only when its assembly is done', (t) => {
  const cases: [string, ChunkState[], ChunkState, JobState][] = [
    ['frames still rendering', ['DONE', 'RENDERING'], 'WAITING', 'RENDERING'],
    ['every frame in, assembly waiting to be promoted', ['DONE', 'DONE'], 'WAITING', 'ASSEMBLING'],
    ['assembly queued', ['DONE', 'DONE'], 'QUEUED', 'ASSEMBLING'],
    ['assembly encoding', ['DONE'], 'RENDERING', 'ASSEMBLING'],
    ['assembly done', ['DONE', 'DONE'], 'DONE', 'COMPLETED'],
    ['assembly failed for good', ['DONE'], 'FAILED', 'PERMANENTLY_FAILED'],
    ['a frame chunk failed for good first', ['FAILED', 'DONE'], 'WAITING', 'PERMANENTLY_FAILED'],
    ['cancelled', ['CANCELLED'], 'CANCELLED', 'CANCELLED'],
  ];
  for (const [rule, chunks, assembly, expected] of cases) t.is(deriveJobState(chunks, assembly), expected, rule);
});

// Progress writes are coalesced, so between two writes any number of chunk moves may have
// happened. Enumerate every chunk configuration of up to three chunks and everything reachable
// from it: the running rows of the job table must be exactly the moves derivation can make.
test('the running rows of the job table are exactly what derivation can produce', (t) => {
  // a job is its render chunks (never WAITING) and maybe an assembly, which starts WAITING and is
  // promoted to QUEUED only once the render chunks are complete
  type Config = { render: ChunkState[]; assembly: ChunkState | null };
  const renderStates = CHUNK_STATES.filter((s) => s !== 'WAITING');
  const key = (c: Config) => `${c.render.join()}|${c.assembly}`;
  const moves = (c: Config): Config[] => [
    ...c.render.flatMap((s, i) => CHUNK_LEGAL[s].filter((n) => n !== 'WAITING').map((next) => ({ ...c, render: c.render.map((x, j) => (j === i ? next : x)) }))),
    ...(c.assembly === null
      ? []
      : CHUNK_LEGAL[c.assembly].filter((next) => !(c.assembly === 'WAITING' && next === 'QUEUED') || deriveJobState(c.render) === 'COMPLETED').map((next) => ({ ...c, assembly: next }))),
  ];
  const reachable = (start: Config): Config[] => {
    const seen = new Map<string, Config>([[key(start), start]]);
    const todo = [start];
    for (let cur = todo.pop(); cur; cur = todo.pop()) {
      for (const moved of moves(cur)) {
        if (!seen.has(key(moved))) {
          seen.set(key(moved), moved);
          todo.push(moved);
        }
      }
    }
    return [...seen.values()];
  };
  const configs = (n: number): ChunkState[][] => (n === 0 ? [[]] : configs(n - 1).flatMap((c) => renderStates.map((s) => [...c, s])));
  const derive = (c: Config) => deriveJobState(c.render, c.assembly);

  const running: JobState[] = [...RUNNING, 'ASSEMBLING'];
  const produced = new Map<JobState, Set<JobState>>(running.map((s) => [s, new Set()]));
  for (const n of [1, 2, 3]) {
    for (const render of configs(n)) {
      const complete = deriveJobState(render) === 'COMPLETED';
      for (const assembly of [null, ...(complete ? CHUNK_STATES : ['WAITING' as const])]) {
        const start: Config = { render, assembly };
        const from = derive(start);
        if (!running.includes(from)) continue;
        for (const later of reachable(start)) {
          const derived = derive(later);
          // The coordinator writes a chunk-sunk job as FAILED first; jobStateAfterFailure takes it on.
          const to = derived === 'PERMANENTLY_FAILED' ? 'FAILED' : derived;
          if (to !== from) produced.get(from)!.add(to);
        }
      }
    }
  }
  for (const s of running) t.deepEqual([...produced.get(s)!].sort(), [...JOB_TRANSITIONS[s]].sort(), s);
});
