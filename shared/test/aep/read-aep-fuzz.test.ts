// Seeded fuzzing: truncations, bit flips, byte overwrites and attacks on real chunk headers, over
// every fixture and the synthetic project. Each mutant must either read (into a sane project) or
// throw AepFormatError; anything else — another error type, a hang, a slow read — fails, and the
// failure names the seed and mutation so it can be replayed.
import test, { type ExecutionContext } from 'ava';
import { AepFormatError, readAep, type AepProject } from '../../src/aep/read-aep.js';
import { buildSyntheticProject } from './build-rifx.js';
import { fixtureNames, fixtureTest, fixtureTitle, loadFixture } from './fixtures.js';
import { containerMutants, prng, u32 } from './rifx-mutants.js';

const SEED = 0x5eed_aeb1;
const COUNTS = { truncate: 150, truncateInside: 250, flip: 300, overwrite: 150, header: 250 };
const SLOWEST_READ_MS = 500;


/** Offsets of every chunk header, found by an independent walk (LISTs except btdk are descended). */
function headerOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (pos: number, end: number): void => {
    while (end - pos >= 8) {
      const size = u32(b, pos + 4);
      if (size > end - pos - 8) return;
      out.push(pos);
      const id = String.fromCharCode(...b.subarray(pos, pos + 4));
      const type = String.fromCharCode(...b.subarray(pos + 8, pos + 12));
      if (id === 'LIST' && size >= 4 && type !== 'btdk') walk(pos + 12, pos + 8 + size);
      pos += 8 + size + (size & 1);
    }
  };
  walk(12, 8 + u32(b, 4));
  return out;
}

function assertSane(t: ExecutionContext, p: AepProject, what: string): void {
  const ok = p.compositions.every((c) => Number.isFinite(c.frameRate) && c.frameRate > 0 && Number.isFinite(c.duration) && c.duration >= 0
      && Number.isSafeInteger(c.frameCount) && c.frameCount >= 0 && Number.isFinite(c.pixelAspect) && c.pixelAspect > 0)
    && p.footage.every((f) => ['file', 'solid', 'placeholder'].includes(f.kind) && (f.kind === 'file') === (f.path !== null))
    && p.effects.every((e) => typeof e === 'string' && e !== '');
  if (!ok) t.fail(`${what}: read into an inconsistent project`);
  JSON.stringify(p); // plain data only
}

interface Tally { read: number; refused: number }

function tryRead(t: ExecutionContext, bytes: Uint8Array, what: string, tally: Tally): AepProject | AepFormatError {
  const started = performance.now();
  let outcome: AepProject | AepFormatError;
  try {
    outcome = readAep(bytes);
    assertSane(t, outcome, what);
    tally.read++;
  } catch (err) {
    if (!(err instanceof AepFormatError)) {
      t.fail(`${what}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      throw err;
    }
    if (!/^Not an After Effects project: .*(byte \d+|too short)/.test(err.message)) t.fail(`${what}: unclear message: ${err.message}`);
    outcome = err;
    tally.refused++;
  }
  const ms = performance.now() - started;
  if (ms > SLOWEST_READ_MS) t.fail(`${what}: took ${ms.toFixed(0)} ms`);
  return outcome;
}

function fuzz(t: ExecutionContext, label: string, original: Uint8Array, seed: number): Tally {
  const rand = prng(seed);
  const baseline = readAep(original);
  const rifxEnd = 8 + u32(original, 4);
  const headers = headerOffsets(original);
  const tally: Tally = { read: 0, refused: 0 };
  const tag = (kind: string, detail: string): string => `${label} seed ${seed.toString(16)} ${kind} ${detail}`;

  // 1. Cut anywhere. Inside the container: refused as truncated; in the trailing XMP: reads the same.
  for (let i = 0; i < COUNTS.truncate; i++) {
    const length = rand(original.length);
    const what = tag('truncate', `to ${length}`);
    const outcome = tryRead(t, original.subarray(0, length), what, tally);
    if (length < rifxEnd && !(outcome instanceof AepFormatError)) t.fail(`${what}: a truncated container was read`);
    if (length >= rifxEnd) t.deepEqual(outcome, baseline, what);
  }
  // 2–5. Cut inside (container size fixed), flipped bits, overwritten runs, attacked chunk headers.
  for (const m of containerMutants(original, rand, headers, COUNTS)) tryRead(t, m.bytes, tag(m.kind, m.detail), tally);
  return tally;
}

test('the synthetic project: thousands of mutants each read or are refused with AepFormatError', (t) => {
  const tally = fuzz(t, 'synthetic', buildSyntheticProject(), SEED);
  t.true(tally.read > 100 && tally.refused > 100, JSON.stringify(tally));
});

fixtureTest(fixtureTitle('every fixture: thousands of mutants each read or are refused with AepFormatError'),
  (t) => {
    const started = performance.now();
    const names = fixtureNames();
    t.is(names.length, 10);
    names.forEach((file, i) => {
      const tally = fuzz(t, file, loadFixture(file), SEED + i + 1);
      t.true(tally.read > 0 && tally.refused > 0, `${file}: ${JSON.stringify(tally)}`);
    });
    t.log(`fuzzed ${names.length} fixtures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
