import test from 'ava';
import type { Chunk } from '@cloudexport/shared';
import { etaText, jobEtaSeconds } from '../src/jobs/job-eta.js';
import { countStatuses, frameStrip } from '../src/jobs/frame-strip.js';
import { applyAll, createFrameBatch } from '../src/jobs/frame-batch.js';
import { applyChunkProgress, applyJob, applyJobProgress } from '../src/jobs/live-reducers.js';
import { jobProblems } from '../src/jobs/problem-list.js';
import { timelineLayout } from '../src/jobs/timeline-layout.js';

const t0 = Date.parse('2025-01-01T10:00:00Z');
const running = { state: 'RENDERING' as const, framesTotal: 300, framesDone: 100, startedAt: new Date(t0).toISOString() };

test('ETA is the remaining frames at the pace since the job started', (t) => {
  // 100 frames in 50 s: 2 frames/s, 200 left → 100 s
  t.is(jobEtaSeconds(running, t0 + 50_000), 100);
  // a slower pace later on gives a longer ETA
  t.is(jobEtaSeconds(running, t0 + 100_000), 200);
});

test('no ETA before a pace exists or after the end', (t) => {
  t.is(jobEtaSeconds({ ...running, framesDone: 0 }, t0 + 10_000), null);
  t.is(jobEtaSeconds({ ...running, startedAt: null }, t0 + 10_000), null);
  t.is(jobEtaSeconds({ ...running, state: 'CANCELLED' }, t0 + 10_000), null);
  t.is(jobEtaSeconds({ ...running, framesDone: 300 }, t0 + 10_000), 0);
  t.is(etaText({ ...running, state: 'COMPLETED' }, t0, String), 'done');
  t.is(etaText({ ...running, startedAt: null, state: 'QUEUED' }, t0, String), 'waiting for a node');
  t.is(etaText(running, t0 + 50_000, (s) => `${s}s`), '100s');
});

function chunk(index: number, frameStart: number, frameEnd: number, state: Chunk['state'], framesDone: number, kind: Chunk['kind'] = 'frames') {
  return { kind, frameStart, frameEnd, state, framesDone };
}

test('frames strip: done from frameStart, the rest of a held chunk rendering, the rest queued', (t) => {
  const chunks = [chunk(0, 0, 3, 'DONE', 4), chunk(1, 4, 7, 'RENDERING', 2), chunk(2, 8, 11, 'QUEUED', 0), chunk(3, 0, 0, 'QUEUED', 0, 'assemble')];
  const cells = frameStrip(chunks, 0, 11);
  t.deepEqual(
    cells.map((c) => c.status),
    ['done', 'done', 'done', 'done', 'done', 'done', 'rendering', 'rendering', 'queued', 'queued', 'queued', 'queued'],
  );
  t.deepEqual(countStatuses(chunks, 0, 11), { done: 6, rendering: 2, queued: 4, failed: 0 });
});

test('frames strip: a failed chunk shows failed frames; frames no chunk covers are queued', (t) => {
  const cells = frameStrip([chunk(0, 10, 14, 'FAILED', 1)], 10, 19);
  t.deepEqual(
    cells.map((c) => c.status),
    ['done', 'failed', 'failed', 'failed', 'failed', 'queued', 'queued', 'queued', 'queued', 'queued'],
  );
  t.is(cells[0]!.from, 10);
});

test('frames strip groups a long job into at most maxCells cells, each its least advanced frame', (t) => {
  const chunks = [chunk(0, 1, 500_000, 'DONE', 500_000), chunk(1, 500_001, 1_000_000, 'RENDERING', 250_000)];
  const cells = frameStrip(chunks, 1, 1_000_000, 100);
  t.is(cells.length, 100);
  t.is(cells[0]!.from, 1);
  t.is(cells[0]!.to, 10_000);
  t.is(cells.at(-1)!.to, 1_000_000);
  t.is(cells.filter((c) => c.status === 'done').length, 75);
  t.is(cells.filter((c) => c.status === 'rendering').length, 25);
  t.is(cells.reduce((n, c) => n + c.done, 0), 750_000);
});

test('a cell with done and queued frames is under way', (t) => {
  const cells = frameStrip([chunk(0, 0, 9, 'QUEUED', 3)], 0, 9, 1);
  t.is(cells.length, 1);
  t.is(cells[0]!.status, 'rendering');
  t.is(cells[0]!.done, 3);
});

test('live edits: progress updates frame counts; stale job events do not roll back', (t) => {
  const job = { id: 'a', framesDone: 1, framesTotal: 10, updatedAt: '2025-01-01T10:00:05Z' } as never;
  const jobs = [job];
  const progressed = applyJobProgress(jobs, { jobId: 'a', chunkId: 'c', chunkFramesDone: 4, jobFramesDone: 7, framesTotal: 10, lastFrame: 6 });
  t.is((progressed[0] as { framesDone: number }).framesDone, 7);
  t.is(applyJobProgress(jobs, { jobId: 'other', chunkId: 'c', chunkFramesDone: 4, jobFramesDone: 7, framesTotal: 10, lastFrame: 6 }), jobs);
  const stale = { ...(job as object), updatedAt: '2025-01-01T10:00:01Z', framesDone: 0 } as never;
  t.is(applyJob(jobs, stale), jobs);
  const unseen = { id: 'b', updatedAt: '2025-01-01T10:00:06Z' } as never;
  t.is(applyJob(jobs, unseen).length, 1);
  t.is(applyJob(jobs, unseen, () => true)[0], unseen);
  const chunks = [{ id: 'c', framesDone: 1 }] as never[];
  t.is((applyChunkProgress(chunks, { jobId: 'a', chunkId: 'c', chunkFramesDone: 4, jobFramesDone: 7, framesTotal: 10, lastFrame: 6 })[0] as { framesDone: number }).framesDone, 4);
});

test('frame batch applies every edit of a frame in one go', (t) => {
  const runs: (() => void)[] = [];
  let value = 0;
  let applied = 0;
  const batch = createFrameBatch<number>(
    (edits) => {
      applied++;
      value = applyAll(value, edits);
    },
    (run) => runs.push(run),
  );
  batch.push((v) => v + 1);
  batch.push((v) => v * 10);
  batch.push((v) => v + 2);
  t.is(runs.length, 1);
  runs.shift()!();
  t.is(applied, 1);
  t.is(value, 12);
  batch.push((v) => v + 1);
  batch.stop();
  runs.shift()!();
  t.is(value, 12);
});

test('timeline: one lane per node, bars on a shared axis, running ones to now', (t) => {
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const base = { kind: 'frames' as const, message: null };
  const layout = timelineLayout(
    [
      { ...base, id: '1', nodeId: 'n1', nodeName: 'one', chunkIndex: 0, frameStart: 0, frameEnd: 9, outcome: 'done', startedAt: at(0), endedAt: at(50) },
      { ...base, id: '2', nodeId: 'n2', nodeName: 'two', chunkIndex: 1, frameStart: 10, frameEnd: 19, outcome: 'failed', startedAt: at(10), endedAt: at(20), message: 'aerender ERROR' },
      { ...base, id: '3', nodeId: 'n1', nodeName: 'one', chunkIndex: 1, frameStart: 10, frameEnd: 19, outcome: 'running', startedAt: at(50), endedAt: null },
    ],
    t0 + 100_000,
  )!;
  t.deepEqual(layout.lanes.map((l) => [l.nodeName, l.bars.length]), [['one', 2], ['two', 1]]);
  const running = layout.lanes[0]!.bars[1]!;
  t.is(running.x, 0.5);
  t.is(running.width, 0.5);
  t.is(layout.lanes[1]!.bars[0]!.x, 0.1);
  t.is(timelineLayout([], 0), null);
});

test('problems: errors first with their node, a warning seen stored and live listed once', (t) => {
  const chunks = [{ id: 'c0', index: 0, error: 'aerender ERROR: missing font', warnings: ['Font substituted'] }] as never[];
  const attempts = [
    { chunkIndex: 0, nodeId: 'n1', nodeName: 'one', outcome: 'failed', message: 'aerender ERROR: missing font', reason: 'render_failed', warnings: ['Font substituted'] },
    { chunkIndex: 0, nodeId: 'n2', nodeName: 'two', outcome: 'done', message: null, reason: null, warnings: [] },
  ] as never[];
  const live = [{ jobId: 'j', chunkId: 'c0', nodeId: 'n1', message: 'Font substituted' }];
  const problems = jobProblems(chunks, attempts, live, new Map([['n1', 'one']]));
  t.deepEqual(
    problems.map((p) => [p.kind, p.where, p.message]),
    [
      ['error', 'Chunk 0 on one (failed)', 'aerender ERROR: missing font'],
      ['warning', 'Chunk 0 on one', 'Font substituted'],
    ],
  );
});
