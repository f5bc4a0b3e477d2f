// Test helpers shared by the reader's and the relinker's fuzz tests: a reproducible generator
// and the ways a RIFX container gets damaged.

/** mulberry32: small, fast, reproducible. Answers a random integer in [0, n). */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at);
export const setU32 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0);

export interface Mutant {
  bytes: Uint8Array;
  kind: string;
  detail: string;
}

/**
 * Damaged copies of a RIFX file, inside its container (`original` up to 8 + its size):
 * cut and with the container size fixed (so the cut reaches inner chunks), 1–8 flipped bits,
 * a run of 1–16 overwritten bytes, and attacks on the chunk headers at `headers` (sizes past the
 * end, zero, off by a little, random; garbage ids).
 */
export function* containerMutants(
  original: Uint8Array,
  rand: (n: number) => number,
  headers: number[],
  counts: { truncateInside: number; flip: number; overwrite: number; header: number },
): Generator<Mutant> {
  const rifxEnd = 8 + u32(original, 4);
  for (let i = 0; i < counts.truncateInside; i++) {
    const length = 12 + rand(rifxEnd - 12);
    const cut = original.slice(0, length);
    setU32(cut, 4, length - 8);
    yield { bytes: cut, kind: 'truncate-inside', detail: `to ${length}` };
  }
  for (let i = 0; i < counts.flip; i++) {
    const bytes = original.slice();
    const flips = Array.from({ length: 1 + rand(8) }, () => [rand(rifxEnd), rand(8)] as const);
    for (const [at, bit] of flips) bytes[at]! ^= 1 << bit;
    yield { bytes, kind: 'flip', detail: JSON.stringify(flips) };
  }
  for (let i = 0; i < counts.overwrite; i++) {
    const bytes = original.slice();
    const at = rand(rifxEnd);
    const run = Array.from({ length: 1 + rand(16) }, () => rand(256));
    bytes.set(run.slice(0, bytes.length - at), at);
    yield { bytes, kind: 'overwrite', detail: `at ${at} ${JSON.stringify(run)}` };
  }
  for (let i = 0; i < counts.header; i++) {
    const bytes = original.slice();
    const at = headers[rand(headers.length)]!;
    const size = u32(bytes, at + 4);
    const attack = rand(7);
    const sizes = [0xffffffff, 0, size + 1, size + 2 + rand(64), Math.max(0, size - 1 - rand(8)), rand(0x100000000)];
    if (attack < sizes.length) setU32(bytes, at + 4, sizes[attack]!);
    else bytes.set([rand(256), rand(256), rand(256), rand(256)], at);
    yield { bytes, kind: 'header', detail: `at ${at} attack ${attack}` };
  }
}
