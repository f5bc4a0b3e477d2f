import test from 'ava';
import { chooseChunkSize, MAX_CHUNK_FRAMES, MIN_CHUNK_FRAMES, splitFrames } from '../src/jobs/split-frames.js';

test('chunks cover the range exactly once, in order', (t) => {
  for (const [start, end, size] of [
    [0, 249, 40],
    [1001, 1001, 10],
    [5, 104, 100],
    [0, 99, 1],
  ] as const) {
    const ranges = splitFrames(start, end, size);
    const frames = ranges.flatMap((r) => Array.from({ length: r.frameEnd - r.frameStart + 1 }, (_, i) => r.frameStart + i));
    t.deepEqual(frames, Array.from({ length: end - start + 1 }, (_, i) => start + i));
    t.deepEqual(ranges.map((r) => r.index), ranges.map((_, i) => i));
    t.true(ranges.every((r) => r.frameEnd - r.frameStart + 1 <= size));
  }
});

test('bad ranges and sizes are refused', (t) => {
  t.throws(() => splitFrames(10, 5, 1), { instanceOf: RangeError });
  t.throws(() => splitFrames(0, 5, 0), { instanceOf: RangeError });
  t.throws(() => splitFrames(0.5, 5, 1), { instanceOf: RangeError });
});

test('the adaptive size uses every node but keeps chunks worth an aerender start', (t) => {
  t.is(chooseChunkSize(1000, 0), 500, 'no nodes: two chunks');
  t.is(chooseChunkSize(1000, 10), 50, 'ten nodes: twenty chunks');
  t.is(chooseChunkSize(1000, 1000), MIN_CHUNK_FRAMES, 'never below the minimum');
  t.is(chooseChunkSize(100_000, 1), MAX_CHUNK_FRAMES, 'never above the maximum');
  t.is(chooseChunkSize(3, 10), 3, 'a tiny job is one chunk');
});
