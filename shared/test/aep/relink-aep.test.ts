// relinkAep: footage paths rewritten inside the alias JSON, every enclosing size recomputed, every
// other byte kept. Checked with an independent strict walk of the container (every list exactly
// tiled by its children and their pad bytes), on the synthetic project (always) and on the real
// fixtures (skipped, saying so, when ../shared/fixtures/aep/ is absent).
import test from 'ava';
import { AepFormatError, readAep, type AepProject } from '../../src/aep/read-aep.js';
import { relinkAep } from '../../src/aep/relink-aep.js';
import * as shared from '../../src/index.js';
import {
  SYNTHETIC as S, alias, buildSyntheticProject, chunk, footageItem, list, raw, rifx, sspc,
} from './build-rifx.js';
import { fixtureNames, fixtureTest, fixtureTitle, loadFixture } from './fixtures.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at);

interface Walked {
  offset: number;
  /** 'RIFX/Fold/Item/Pin /Als2/alas': list types for lists, ids for leaves. */
  path: string;
  isList: boolean;
  size: number;
  /** The pad byte after an odd-sized chunk, when its parent holds it; else null. */
  pad: number | null;
}

/** Every chunk, by an independent walk that insists each list is exactly tiled by its children. */
function walkStrict(b: Uint8Array): { chunks: Walked[]; problems: string[]; rifxEnd: number } {
  const chunks: Walked[] = [];
  const problems: string[] = [];
  const walk = (start: number, end: number, path: string): void => {
    let pos = start;
    let lastOdd = false;
    while (pos < end) {
      if (end - pos < 8) {
        problems.push(`${end - pos} stray bytes at ${pos} in ${path}`);
        return;
      }
      const size = u32(b, pos + 4);
      if (size > end - pos - 8) {
        problems.push(`chunk at ${pos} in ${path} overruns its parent`);
        return;
      }
      const id = text.decode(b.subarray(pos, pos + 4));
      const isList = id === 'LIST';
      const name = `${path}/${isList ? text.decode(b.subarray(pos + 8, pos + 12)) : id}`;
      const next = pos + 8 + size + (size & 1);
      chunks.push({ offset: pos, path: name, isList, size, pad: size & 1 && next <= end ? b[next - 1]! : null });
      if (isList && !name.endsWith('/btdk')) walk(pos + 12, pos + 8 + size, name);
      lastOdd = (size & 1) === 1;
      pos = next;
    }
    // A last odd child may leave its pad to the parent's parent (the parent's own size is then odd too).
    if (pos !== end && !(lastOdd && pos === end + 1)) problems.push(`${path} ends at ${end} but its children at ${pos}`);
  };
  const rifxEnd = 8 + u32(b, 4);
  walk(12, rifxEnd, 'RIFX');
  return { chunks, problems, rifxEnd };
}

const body = (b: Uint8Array, c: Walked): Uint8Array => b.subarray(c.offset + 8, c.offset + 8 + c.size);

/**
 * Asserts that `after` is `before` with only the given alias chunks' bodies changed: same chunk tree,
 * same leaf bodies and pad bytes elsewhere, same sizes except on the aliases and the lists holding
 * them, the same bytes after the container. Returns the changed aliases' JSON texts.
 */
function assertOnlyAliasesChanged(t: import('ava').ExecutionContext, before: Uint8Array, after: Uint8Array): string[] {
  const a = walkStrict(before);
  const z = walkStrict(after);
  t.deepEqual(a.problems, []);
  t.deepEqual(z.problems, []);
  t.deepEqual(z.chunks.map((c) => c.path), a.chunks.map((c) => c.path), 'same chunk tree');
  const changed = a.chunks.flatMap((c, i) => (c.path.endsWith('/alas') && !Buffer.from(body(before, c)).equals(body(after, z.chunks[i]!)) ? [i] : []));
  const holds = (list: Walked, i: number): boolean => list.isList && list.offset < a.chunks[i]!.offset && a.chunks[i]!.offset < list.offset + 8 + list.size;
  a.chunks.forEach((c, i) => {
    const y = z.chunks[i]!;
    const edited = changed.includes(i);
    if (!c.isList && !edited) t.true(Buffer.from(body(before, c)).equals(body(after, y)), `body of ${c.path} at ${c.offset}`);
    if (!edited && !changed.some((j) => holds(c, j))) t.is(y.size, c.size, `size of ${c.path} at ${c.offset}`);
    if (c.pad !== null && y.pad !== null) t.is(y.pad, c.pad, `pad after ${c.path} at ${c.offset}`);
  });
  t.true(Buffer.from(before.subarray(a.rifxEnd)).equals(after.subarray(z.rifxEnd)), 'bytes after the container');
  t.is(u32(after, 4) - u32(before, 4), after.length - before.length, 'RIFX size follows the growth');
  return changed.map((i) => text.decode(body(after, z.chunks[i]!)));
}

/** The alias JSON texts, in file order. */
const aliasTexts = (b: Uint8Array): string[] => walkStrict(b).chunks.filter((c) => c.path.endsWith('/alas')).map((c) => text.decode(body(b, c)));

/** `project` with its file footage paths replaced in order; names left to compare separately. */
function withPaths(project: AepProject, paths: string[]): AepProject {
  const queue = [...paths];
  return { ...project, footage: project.footage.map((f) => (f.kind === 'file' ? { ...f, path: queue.shift()! } : f)) };
}

const NODE_PLATE = 'D:\\cloudexport\\work\\job 42 – chunk 7\\bundle\\footage\\Shots\\plate_0001.png';
const NODE_MUSIC = '/var/lib/cloudexport/work/job-42-chunk-7/bundle/footage/music.wav';

test('synthetic project: both footage paths are rewritten, the render output is not, the rest reads the same', (t) => {
  const before = buildSyntheticProject();
  const seen: string[] = [];
  const r = relinkAep(before, (p) => {
    seen.push(p);
    return p === S.platePath ? NODE_PLATE : NODE_MUSIC;
  });
  t.deepEqual(seen, [S.platePath, S.musicPath], 'called once per footage alias, in file order, never for the output folder');
  t.deepEqual(r.relinked, [{ from: S.platePath, to: NODE_PLATE }, { from: S.musicPath, to: NODE_MUSIC }]);
  t.deepEqual(r.unchanged, []);
  t.deepEqual(readAep(r.bytes), withPaths(readAep(before), [NODE_PLATE, NODE_MUSIC]));

  const texts = assertOnlyAliasesChanged(t, before, r.bytes);
  const original = aliasTexts(before);
  t.deepEqual(texts, [
    original[0]!.replace(JSON.stringify(S.platePath), JSON.stringify(NODE_PLATE)),
    original[1]!.replace(JSON.stringify(S.musicPath), JSON.stringify(NODE_MUSIC)),
  ]);
  t.is(aliasTexts(r.bytes)[2], original[2], 'render queue output alias untouched');
});

test('synthetic project: an identity mapping, null, and relinking back all give the exact original bytes', (t) => {
  const before = buildSyntheticProject();
  const same = relinkAep(before, (p) => p);
  t.true(Buffer.from(same.bytes).equals(before));
  t.not(same.bytes, before, 'a new array, not the input');
  t.deepEqual(same.unchanged, [S.platePath, S.musicPath]);
  t.deepEqual(same.relinked, []);
  t.true(Buffer.from(relinkAep(before, () => null).bytes).equals(before));

  const there = relinkAep(before, (p) => (p === S.platePath ? NODE_PLATE : NODE_MUSIC));
  const back = relinkAep(there.bytes, (p) => (p === NODE_PLATE ? S.platePath : S.musicPath));
  t.true(Buffer.from(back.bytes).equals(before), 'relinked and back is byte-identical');
});

test('every change of alias size parity (odd→even, even→odd, odd→odd, even→even) pads correctly', (t) => {
  const before = buildSyntheticProject();
  const sizes = walkStrict(before).chunks.filter((c) => c.path.endsWith('/alas')).map((c) => c.size);
  const seenParities = new Set<string>();
  for (let extra = 0; extra < 8; extra++) {
    const plate = `/n/${'p'.repeat(extra)}/plate_0001.png`;
    const music = `/n/${'m'.repeat(extra + 1)}/music.wav`;
    const r = relinkAep(before, (p) => (p === S.platePath ? plate : music));
    const after = walkStrict(r.bytes).chunks.filter((c) => c.path.endsWith('/alas')).map((c) => c.size);
    after.slice(0, 2).forEach((size, i) => seenParities.add(`${sizes[i]! & 1}→${size & 1}`));
    t.deepEqual(readAep(r.bytes).footage.filter((f) => f.kind === 'file').map((f) => f.path), [plate, music]);
    assertOnlyAliasesChanged(t, before, r.bytes);
    const back = relinkAep(r.bytes, (p) => (p === plate ? S.platePath : S.musicPath));
    t.true(Buffer.from(back.bytes).equals(before), `round trip with ${extra} extra characters`);
  }
  t.deepEqual([...seenParities].sort(), ['0→0', '0→1', '1→0', '1→1']);
});

/** LIST Als2 whose size leaves out its odd alias's pad byte: the pad then follows the list itself. */
function tightAls2(json: string): Uint8Array {
  const data = utf8.encode(json);
  const out = new Uint8Array(12 + 8 + data.length + (data.length & 1));
  const view = new DataView(out.buffer);
  out.set(utf8.encode('LIST'), 0);
  view.setUint32(4, 4 + 8 + data.length);
  out.set(utf8.encode('Als2alas'), 8);
  view.setUint32(16, data.length);
  out.set(data, 20);
  return out;
}

test('an alias that ends its list exactly (the pad belongs to the list) is resized with the list', (t) => {
  const json = (p: string): string => `{"fullpath":${JSON.stringify(p)},"platform":1,"target_is_folder":false}`;
  const original = '/Volumes/A/x.mov'; // 60 bytes of JSON: make it odd
  const odd = utf8.encode(json(original)).length & 1 ? original : '/Volumes/A/xy.mov';
  const before = rifx([list('Fold',
    footageItem(1, 'tight', sspc(8, 8), raw(tightAls2(json(odd)))),
    footageItem(2, 'after', sspc(8, 8), alias('/Volumes/A/after.mov')))]);
  t.deepEqual(walkStrict(before).problems, []);
  t.is(walkStrict(before).chunks.find((c) => c.path.endsWith('/Als2'))!.size & 1, 1, 'the Als2 list is odd-sized');
  for (const to of ['/n/a.mov', '/n/ab.mov', '/n/abc.mov', '/n/abcd.mov']) {
    const r = relinkAep(before, (p) => (p === odd ? to : null));
    t.deepEqual(walkStrict(r.bytes).problems, [], to);
    t.deepEqual(readAep(r.bytes), withPaths(readAep(before), [to, '/Volumes/A/after.mov']), to);
    assertOnlyAliasesChanged(t, before, r.bytes);
    const back = relinkAep(r.bytes, (p) => (p === to ? odd : null)).bytes;
    if (utf8.encode(json(to)).length & 1) {
      t.true(Buffer.from(back).equals(before), `back from ${to}: still tight, byte-identical`);
    } else {
      // An even body ends its list flush, so the way back pads inside the list as AE does: valid, same project.
      t.deepEqual(walkStrict(back).problems, []);
      t.deepEqual(readAep(back), readAep(before), `back from ${to}`);
      t.is(walkStrict(back).chunks.find((c) => c.path.endsWith('/Als2'))!.size & 1, 0, 'now even, its pad inside');
    }
  }
});

test('the JSON around the value is kept as written: key order, spacing, nested and duplicate keys, escapes', (t) => {
  const json = '{ "platform": 2,\n  "nested": {"fullpath": "/not/this"},\n  "fullpath" : "/Volumes/A/first.mov",\n'
    + '  "list": ["fullpath", ":"], "full\\u0070ath": "\\/Volumes\\/A\\/b.mov", "server_name": "Mac \\"Studio\\""\n}';
  const before = rifx([list('Fold', footageItem(1, 'clip', list('Als2', chunk('alas', json))))]);
  t.is(readAep(before).footage[0]!.path, '/Volumes/A/b.mov', 'JSON.parse keeps the last duplicate');
  const to = '/srv/node/bundle/b.mov';
  const r = relinkAep(before, () => to);
  t.deepEqual(r.relinked, [{ from: '/Volumes/A/b.mov', to }]);
  t.is(aliasTexts(r.bytes)[0], json.replace('"/Volumes/A/first.mov"', JSON.stringify(to)).replace('"\\/Volumes\\/A\\/b.mov"', JSON.stringify(to)));
  t.is(readAep(r.bytes).footage[0]!.path, to);
});

test('paths are JSON-escaped: backslashes, quotes, control characters, non-ASCII as raw UTF-8', (t) => {
  const paths = [
    '\\\\render-nas\\share\\bundle\\Café – Ton 🎵\\Audio1.mp3',
    '/tmp/a "quoted"\tname\\with backslash/クリップ.mov',
    'C:/forward/slashes/ok.png',
    '\\\\?\\D:\\very long\\path.mov',
  ];
  for (const to of paths) {
    const r = relinkAep(buildSyntheticProject(), (p) => (p === S.musicPath ? to : null));
    t.is(readAep(r.bytes).footage.find((f) => f.id === S.music)!.path, to);
    t.true(aliasTexts(r.bytes)[1]!.includes(`"fullpath":${JSON.stringify(to)},`), to);
  }
  const cafe = relinkAep(buildSyntheticProject(), (p) => (p === S.musicPath ? paths[0]! : null)).bytes;
  t.true(Buffer.from(cafe).includes(Buffer.from('Caf\u00e9 \u2013 Ton \u{1f3b5}', 'utf8')), 'raw UTF-8, not \\u escapes');
  t.true(Buffer.from(cafe).includes(Buffer.from('"\\\\\\\\render-nas\\\\share', 'latin1')), 'each backslash doubled');
});

test('bad callback results are refused before anything is written, naming the footage', (t) => {
  const project = buildSyntheticProject();
  const refuse = (value: unknown, type: new (...args: never[]) => Error, message: RegExp): void => {
    const err = t.throws(() => relinkAep(project, () => value as string), { instanceOf: type })!;
    t.regex(err.message, message);
    t.true(err.message.includes(S.platePath), 'names the original path');
  };
  refuse('footage/plate_0001.png', TypeError, /not absolute; After Effects opens footage by absolute path/);
  refuse('C:plate.png', TypeError, /not absolute/);
  refuse('', TypeError, /not absolute/);
  refuse(undefined, TypeError, /is undefined; return an absolute path, or null/);
  refuse(42, TypeError, /is number/);
  refuse('/a/\0b.png', TypeError, /NUL character/);
  refuse('/a/\ud800.png', TypeError, /unpaired UTF-16 surrogate/);
  refuse(`/${'a'.repeat(40_000)}`, RangeError, /40001 characters long/);

  const boom = new Error('lookup failed');
  t.is(t.throws(() => relinkAep(project, () => { throw boom; })), boom, 'the callback\'s own error passes through');
  t.throws(() => relinkAep([1, 2, 3] as unknown as Uint8Array, () => null), { instanceOf: TypeError });
  t.throws(() => relinkAep(project, null as unknown as () => null), { instanceOf: TypeError });
});

test('input readAep() refuses is refused with AepFormatError before the callback runs', (t) => {
  let calls = 0;
  const count = (): null => { calls++; return null; };
  t.throws(() => relinkAep(new TextEncoder().encode('RIFF....WAVE'), count), { instanceOf: AepFormatError });
  const badJson = rifx([list('Fold', footageItem(6, 'clip', list('Als2', chunk('alas', '{"fullpath": "C:\\\\a'))))]);
  t.throws(() => relinkAep(badJson, count), { instanceOf: AepFormatError, message: /not valid JSON/ });
  t.throws(() => relinkAep(buildSyntheticProject(), count, { limits: { maxChunks: 10 } }), { instanceOf: AepFormatError, message: /more than 10 chunks/ });
  t.is(calls, 0);
});

test('the shared package exports relinkAep', (t) => {
  t.is(shared.relinkAep, relinkAep);
});

// ---- real projects ----

const BODYMOVIN = 'bodymovin-sound-template.aep';
const AUDIO1 = 'C:\\Users\\tropi\\Projects\\bodymovin-extension\\bundle\\assets\\templates\\Audio1.mp3';
const AUDIO1_JSON = (path: string): string => `{"ascendcount_base":1,"ascendcount_target":1,"fullpath":${JSON.stringify(path)},`
  + '"platform":1,"server_name":"DESKTOP-DS89I08","server_volume_name":"OS","target_is_folder":false}';
// RIFX@0 → LIST Fold@5634 → LIST Item@53752 (footage 9104) → LIST Pin @53892 → LIST Als2@54142 → alas@54154.
const AUDIO1_CHAIN = [0, 5634, 53752, 53892, 54142, 54154];
const AUDIO1_ALAS = { offset: 54154, size: 241 };

fixtureTest(fixtureTitle('bodymovin-sound-template: where the path lives, byte by byte, as read off the file'), (t) => {
  const b = loadFixture(BODYMOVIN);
  const chunks = walkStrict(b).chunks;
  t.deepEqual(walkStrict(b).problems, []);
  t.is(text.decode(b.subarray(0, 4)), 'RIFX');
  t.deepEqual(AUDIO1_CHAIN.slice(1).map((at) => chunks.find((c) => c.offset === at)?.path),
    ['RIFX/Fold', 'RIFX/Fold/Item', 'RIFX/Fold/Item/Pin ', 'RIFX/Fold/Item/Pin /Als2', 'RIFX/Fold/Item/Pin /Als2/alas']);
  // Compact JSON, no NUL terminator: 241 bytes then the RIFX pad byte (0), then the next chunk.
  t.is(u32(b, AUDIO1_ALAS.offset + 4), AUDIO1_ALAS.size);
  t.is(text.decode(b.subarray(54162, 54162 + 241)), AUDIO1_JSON(AUDIO1));
  t.is(b[54162 + 241], 0);
  t.is(text.decode(b.subarray(54404, 54408)), 'opti');
  // The path, its file name and its folder appear nowhere else: not in another chunk, not in UTF-16, not in the XMP.
  const whole = Buffer.from(b);
  // ('tropi' is also in the render outputs' folder path, so it is not searched for.)
  for (const needle of ['Audio1', 'bodymovin-extension', 'DESKTOP-DS89I08\",\"server_volume_name\":\"OS\",\"target_is_folder\":false']) {
    t.is(whole.indexOf(needle), whole.lastIndexOf(needle), needle);
    t.true(whole.indexOf(needle) > 54162 && whole.indexOf(needle) < 54162 + 241, needle);
    t.is(whole.indexOf(Buffer.from(needle, 'utf16le')), -1);
    t.is(whole.indexOf(Buffer.from(needle, 'utf16le').swap16()), -1);
  }
  // The footage item's own name (Utf8 right after idta) is empty: AE shows the file's name.
  t.is(text.decode(b.subarray(53884, 53888)), 'Utf8');
  t.is(u32(b, 53888), 0);
});

fixtureTest(fixtureTitle('bodymovin-sound-template: the absolute Windows path → a Linux node path'), (t) => {
  const before = loadFixture(BODYMOVIN);
  const to = '/var/lib/cloudexport/work/3f2a-chunk-0/bundle/footage/Audio1.mp3';
  const r = relinkAep(before, () => to);
  t.deepEqual(r.relinked, [{ from: AUDIO1, to }]);
  t.deepEqual(readAep(r.bytes), withPaths(readAep(before), [to]));
  t.deepEqual(assertOnlyAliasesChanged(t, before, r.bytes), [AUDIO1_JSON(to)]);

  const size = utf8.encode(AUDIO1_JSON(to)).length;
  t.is(size, 219, '241 → 219 bytes: odd to odd, the pad byte stays');
  const growth = size - AUDIO1_ALAS.size;
  t.is(r.bytes.length, before.length + growth);
  for (const at of AUDIO1_CHAIN) t.is(u32(r.bytes, at + 4), u32(before, at + 4) + growth, `chunk at ${at}`);
  t.is(r.bytes[54162 + size], 0, 'pad byte');
  // Everything before the alias body is the same but the six size fields; everything after it is the same, shifted.
  const sizeFields = new Set(AUDIO1_CHAIN.flatMap((at) => [at + 4, at + 5, at + 6, at + 7]));
  const differing = [...before.subarray(0, 54162)].flatMap((v, i) => (v !== r.bytes[i] ? [i] : []));
  t.true(differing.every((i) => sizeFields.has(i)), `only size fields differ before the alias: ${differing.join(', ')}`);
  t.true(Buffer.from(before.subarray(54404)).equals(r.bytes.subarray(54404 + growth)));
  t.true(Buffer.from(relinkAep(r.bytes, () => AUDIO1).bytes).equals(before), 'relinked back is byte-identical');
  // One character more: 220 bytes, odd to even: the pad byte goes, the lists shrink by 22 as before.
  const evenTo = to.replace('chunk-0', 'chunk-00');
  const even = relinkAep(before, () => evenTo).bytes;
  t.is(u32(even, AUDIO1_ALAS.offset + 4), 220);
  for (const at of AUDIO1_CHAIN.slice(0, -1)) t.is(u32(even, at + 4), u32(before, at + 4) - 22, `list at ${at}`);
  t.is(text.decode(even.subarray(54162 + 220, 54162 + 224)), 'opti', 'no pad after an even body');
  t.deepEqual(readAep(even), withPaths(readAep(before), [evenTo]));
  t.true(Buffer.from(relinkAep(even, () => AUDIO1).bytes).equals(before), 'and back, the pad restored');
});

fixtureTest(fixtureTitle('bodymovin-sound-template: → a Windows path with spaces and non-ASCII characters'), (t) => {
  const before = loadFixture(BODYMOVIN);
  const to = 'D:\\CloudExport Work\\Jöb 42 – Ünïcode ✓\\chunk 0\\bundle\\footage\\Audio1.mp3';
  const r = relinkAep(before, () => to);
  const after = readAep(r.bytes);
  t.is(after.footage[0]!.path, to);
  t.is(after.footage[0]!.name, 'Audio1.mp3', 'the base name, hence the item name AE shows, is kept');
  t.deepEqual(after, withPaths(readAep(before), [to]));
  t.deepEqual(assertOnlyAliasesChanged(t, before, r.bytes), [AUDIO1_JSON(to)]);
  t.true(Buffer.from(r.bytes).includes(Buffer.from('"fullpath":"D:\\\\CloudExport Work\\\\J\u00f6b 42 \u2013 \u00dcn\u00efcode \u2713\\\\chunk 0', 'utf8')));
  t.deepEqual(after.renderQueue, readAep(before).renderQueue, 'render outputs keep their paths');
  t.true(Buffer.from(relinkAep(r.bytes, () => AUDIO1).bytes).equals(before));
});

fixtureTest(fixtureTitle('every fixture: identity is byte-identical; every footage path relinked and back is byte-identical'), (t) => {
  const names = fixtureNames();
  t.is(names.length, 10);
  let relinkedSomething = 0;
  for (const file of names) {
    const before = loadFixture(file);
    t.deepEqual(walkStrict(before).problems, [], file);
    const expected = readAep(before).footage.flatMap((f) => (f.kind === 'file' ? [f.path!] : []));
    const seen: string[] = [];
    const same = relinkAep(before, (p) => { seen.push(p); return p; });
    t.deepEqual(seen, expected, `${file}: called for each footage file, never for render outputs`);
    t.true(Buffer.from(same.bytes).equals(before), `${file}: identity`);

    const moved = (p: string): string => `/mnt/render node/bündle/${p.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/')}`;
    const there = relinkAep(before, moved);
    t.deepEqual(readAep(there.bytes), withPaths(readAep(before), expected.map(moved)), file);
    assertOnlyAliasesChanged(t, before, there.bytes);
    const back = relinkAep(there.bytes, (p) => there.relinked.find((x) => x.to === p)!.from);
    t.true(Buffer.from(back.bytes).equals(before), `${file}: and back`);
    relinkedSomething += there.relinked.length;
  }
  t.is(relinkedSomething, 1, 'only bodymovin-sound-template has a footage file (the 2018 one has render outputs only)');
});
