// Seeded fuzzing of relinkAep: truncations, bit flips, byte overwrites and attacks on chunk headers,
// over the whole file and concentrated on the footage aliases and the lists around them. Each mutant
// must either be refused with AepFormatError, or relink into a file that readAep() reads as the same
// project with the new paths, and relinking back must give the same project again. Anything else —
// another error, a hang, a slow relink — fails, naming the seed and mutation to replay it.
import test, { type ExecutionContext } from 'ava';
import { AepFormatError, readAep, type AepProject } from '../../src/aep/read-aep.js';
import { relinkAep } from '../../src/aep/relink-aep.js';
import { buildSyntheticProject } from './build-rifx.js';
import { fixtureTest, fixtureTitle, loadFixture } from './fixtures.js';
import { containerMutants, prng, u32 } from './rifx-mutants.js';

const SEED = 0x5eed_4e11;
const COUNTS = { truncate: 100, truncateInside: 150, flip: 200, overwrite: 100, header: 200, aliasFlip: 300, aliasOverwrite: 150 };
const SLOWEST_MS = 500;


/** Headers of every alas chunk and of the lists holding one, by an independent walk. */
function aliasRegions(b: Uint8Array): { headers: number[]; bodies: [number, number][] } {
  const headers: number[] = [];
  const bodies: [number, number][] = [];
  const walk = (pos: number, end: number, chain: number[]): void => {
    while (end - pos >= 8) {
      const size = u32(b, pos + 4);
      if (size > end - pos - 8) return;
      const id = String.fromCharCode(...b.subarray(pos, pos + 4));
      const type = String.fromCharCode(...b.subarray(pos + 8, pos + 12));
      if (id === 'alas') {
        headers.push(...chain, pos);
        bodies.push([pos + 8, pos + 8 + size]);
      }
      if (id === 'LIST' && size >= 4 && type !== 'btdk') walk(pos + 12, pos + 8 + size, [...chain, pos]);
      pos += 8 + size + (size & 1);
    }
  };
  walk(12, 8 + u32(b, 4), [0]);
  return { headers: [...new Set(headers)], bodies };
}

const filePaths = (p: AepProject): string[] => p.footage.flatMap((f) => (f.kind === 'file' ? [f.path!] : []));
/** The project without what the paths decide (the path itself, and the name AE derives from it). */
const pathless = (p: AepProject): unknown => ({ ...p, footage: p.footage.map((f) => ({ ...f, path: null, name: f.kind === 'file' ? '' : f.name })) });

const relinkable = (p: string): boolean =>
  /^(?:[A-Za-z]:[\\/]|\\\\[^\\]|\/)/.test(p) && !p.includes('\0') && !/\p{Cs}/u.test(p) && p.length <= 32_767;

interface Tally { relinked: number; refused: number }

function tryRelink(t: ExecutionContext, bytes: Uint8Array, what: string, tally: Tally): void {
  const started = performance.now();
  let n = 0;
  // Unicode, spaces and an odd/even mix of lengths: the new paths exercise encoding and padding.
  const to = (): string => `/var/lib/cloudexport/work/ch ü ${++n}${'x'.repeat(n % 3)}/footage.mp3`;
  let r: ReturnType<typeof relinkAep>;
  try {
    r = relinkAep(bytes, to);
  } catch (err) {
    if (!(err instanceof AepFormatError)) {
      t.fail(`${what}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      throw err;
    }
    tally.refused++;
    return;
  }
  const ms = performance.now() - started;
  if (ms > SLOWEST_MS) t.fail(`${what}: took ${ms.toFixed(0)} ms`);
  tally.relinked++;
  // From here on nothing may throw: what relinkAep accepted and wrote must read back.
  try {
    const before = readAep(bytes);
    const after = readAep(r.bytes);
    t.deepEqual(filePaths(before), r.relinked.map((x) => x.from), `${what}: relinked other paths than readAep reports`);
    t.deepEqual(filePaths(after), r.relinked.map((x) => x.to), `${what}: the output does not show the new paths`);
    t.deepEqual(pathless(after), pathless(before), `${what}: the output reads as another project`);
    // A mutated original may no longer be a path relinkAep accepts (relative, a NUL, a lone surrogate): it stays moved.
    const back = readAep(relinkAep(r.bytes, (p) => {
      const from = r.relinked.find((x) => x.to === p)!.from;
      return relinkable(from) ? from : null;
    }).bytes);
    t.deepEqual(filePaths(back), r.relinked.map((x) => (relinkable(x.from) ? x.from : x.to)), `${what}: relinked back shows other paths`);
    t.deepEqual(pathless(back), pathless(before), `${what}: relinked back reads as another project`);
  } catch (err) {
    t.fail(`${what}: relinked, then ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
}

function fuzz(t: ExecutionContext, label: string, original: Uint8Array, seed: number): Tally {
  const rand = prng(seed);
  const { headers, bodies } = aliasRegions(original);
  const tally: Tally = { relinked: 0, refused: 0 };
  const tag = (kind: string, detail: string): string => `${label} seed ${seed.toString(16)} ${kind} ${detail}`;
  const inAlias = (): number => {
    const [start, end] = bodies[rand(bodies.length)]!;
    return start + rand(end - start);
  };

  for (let i = 0; i < COUNTS.truncate; i++) {
    const length = rand(original.length);
    tryRelink(t, original.subarray(0, length), tag('truncate', `to ${length}`), tally);
  }
  // inside the container, and the headers on the way to each alias
  for (const m of containerMutants(original, rand, headers, COUNTS)) tryRelink(t, m.bytes, tag(m.kind, m.detail), tally);
  // Inside the alias JSON: broken syntax, escapes, quotes, invalid UTF-8, keys renamed.
  for (let i = 0; i < COUNTS.aliasFlip; i++) {
    const bytes = original.slice();
    const flips = Array.from({ length: 1 + rand(3) }, () => [inAlias(), rand(8)] as const);
    for (const [at, bit] of flips) bytes[at]! ^= 1 << bit;
    tryRelink(t, bytes, tag('alias-flip', JSON.stringify(flips)), tally);
  }
  const jsonBytes = [...'"\\{}[],:u0 \u00ff/'].map((c) => c.charCodeAt(0));
  for (let i = 0; i < COUNTS.aliasOverwrite; i++) {
    const bytes = original.slice();
    const at = inAlias();
    const run = Array.from({ length: 1 + rand(4) }, () => jsonBytes[rand(jsonBytes.length)]!);
    bytes.set(run.slice(0, bytes.length - at), at);
    tryRelink(t, bytes, tag('alias-overwrite', `at ${at} ${JSON.stringify(run)}`), tally);
  }
  return tally;
}

test('the synthetic project: mutants each relink (and read back with the new paths) or are refused with AepFormatError', (t) => {
  const tally = fuzz(t, 'synthetic', buildSyntheticProject(), SEED);
  t.log(JSON.stringify(tally));
  t.true(tally.relinked > 100 && tally.refused > 100, JSON.stringify(tally));
});

fixtureTest(fixtureTitle('bodymovin-sound-template: mutants each relink (and read back with the new paths) or are refused with AepFormatError'), (t) => {
  const tally = fuzz(t, 'bodymovin-sound-template.aep', loadFixture('bodymovin-sound-template.aep'), SEED + 1);
  t.log(JSON.stringify(tally));
  t.true(tally.relinked > 100 && tally.refused > 100, JSON.stringify(tally));
});
