// Hand-made hostile and malformed containers: each must end in a clear AepFormatError naming the
// problem and its byte offset, quickly and without a large allocation, or read where it is benign.
import test from 'ava';
import { AepFormatError, readAep } from '../../src/aep/read-aep.js';
import { RifxReader } from '../../src/aep/rifx-reader.js';
import {
  ITEM_FOLDER, chunk, deepLists, encode, folderItem, idta, list, name, raw, rifx,
} from './build-rifx.js';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const setU32 = (bytes: Uint8Array, at: number, v: number): void => new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, v);
const minimal = (): Uint8Array => rifx([chunk('head', new Uint8Array(20)), list('Fold')]);

function refused(t: import('ava').ExecutionContext, bytes: Uint8Array, message: RegExp, offset?: number): AepFormatError {
  const started = performance.now();
  const err = t.throws(() => readAep(bytes), { instanceOf: AepFormatError })!;
  t.regex(err.message, /^Not an After Effects project: /);
  t.regex(err.message, message);
  if (offset !== undefined) t.is(err.offset, offset);
  t.true(performance.now() - started < 10_000, 'refused, not walked for ever');
  return err;
}

test('a minimal valid container reads as an empty project', (t) => {
  t.like(readAep(minimal()), { folders: [], compositions: [], footage: [], effects: [], renderQueue: [] });
});

test('files that are not RIFX projects are named for what they are', (t) => {
  refused(t, new Uint8Array(0), /the file is 0 bytes, too short for a RIFX header/, 0);
  refused(t, ascii('RIFX\0\0'), /the file is 6 bytes/, 0);
  refused(t, ascii('RIFF\x04\0\0\0WAVE'), /starts with 'RIFF' at byte 0, not 'RIFX' \(little-endian RIFF/, 0);
  refused(t, ascii('<?xml version="1.0"?><AfterEffectsProject/>'), /looks like XML; an \.aepx project is not supported/, 0);
  refused(t, ascii('\x89PNG\r\n\x1a\n\0\0\0\0'), /starts with '\\x89PNG' at byte 0, not 'RIFX'/, 0);
  const wave = minimal();
  wave.set(ascii('WAVE'), 8);
  refused(t, wave, /form type at byte 8 is 'WAVE', not 'Egg!'/, 8);
});

test('size 0xFFFFFFFF on the container or on a chunk is refused at its offset', (t) => {
  const top = minimal();
  setU32(top, 4, 0xffffffff);
  refused(t, top, new RegExp(`chunk 'RIFX' at byte 0 claims 4294967295 bytes but only ${top.length - 8} remain`), 0);

  const inner = minimal();
  setU32(inner, 16, 0xffffffff); // the 'head' chunk right after 'Egg!'
  refused(t, inner, /chunk 'head' at byte 12 claims 4294967295 bytes but only \d+ remain in its parent/, 12);
});

test('a truncated file says it is truncated', (t) => {
  const bytes = rifx([chunk('head', new Uint8Array(20)), list('Fold', folderItem(1, 'A'))]);
  refused(t, bytes.subarray(0, bytes.length - 1), /chunk 'RIFX' at byte 0 claims \d+ bytes but only \d+ remain \(the file is truncated or damaged/, 0);
});

test('LIST too small for its type, stray tail bytes and garbage ids are refused', (t) => {
  const tiny = rifx([raw(ascii('LIST\0\0\0\x02ab')), list('Fold')]);
  refused(t, tiny, /chunk 'LIST' at byte 12 is 2 bytes, too small for its list type/, 12);

  const stray = rifx([list('Fold'), raw(ascii('\0\0\0\0\0\0'))]);
  refused(t, stray, /6 stray bytes at byte 24 at the end of the 'Egg!' list at byte 0/, 24);

  const garbage = rifx([list('Fold'), raw(new Uint8Array([0, 1, 0xff, 0x27, 0x7f, 0xff, 0xff, 0xff]))]);
  refused(t, garbage, /chunk '\\x00\\x01\\xff\\x27' at byte 24 claims 2147483647 bytes/, 24);
});

test('self-nesting LISTs 10 000 deep stop at the depth cap, anywhere in the file', (t) => {
  const generic = rifx([list('Fold'), raw(deepLists(Array.from({ length: 10_000 }, () => ({ type: 'LIST' }))))]);
  refused(t, generic, /lists nest deeper than 200 levels at byte \d+/);

  const folders = rifx([raw(deepLists([{ type: 'Fold' }, ...Array.from({ length: 10_000 }, (_, i) => [
    { type: 'Item', before: new Uint8Array([...encode(idta(ITEM_FOLDER, i + 1)), ...encode(name(`F${i}`))]) },
    { type: 'Sfdr' },
  ]).flat()]))]);
  refused(t, folders, /lists nest deeper than 200 levels/);

  const err = t.throws(() => readAep(generic, { limits: { maxDepth: 8 } }), { instanceOf: AepFormatError });
  t.regex(err.message, /deeper than 8 levels/);
});

test('folders nested 60 deep are legitimate and read with their parents', (t) => {
  const bytes = rifx([raw(deepLists([{ type: 'Fold' }, ...Array.from({ length: 60 }, (_, i) => [
    { type: 'Item', before: new Uint8Array([...encode(idta(ITEM_FOLDER, i + 1)), ...encode(name(`F${i}`))]) },
    { type: 'Sfdr' },
  ]).flat()]))]);
  const p = readAep(bytes);
  t.is(p.folders.length, 60);
  t.deepEqual(p.folders[59], { id: 60, name: 'F59', parentId: 59 });
  t.is(p.folders[0]!.parentId, null);
});

test('zero-size chunks cannot loop; the chunk cap bounds the work', (t) => {
  const zeros = Array.from({ length: 50_000 }, () => chunk('zero', new Uint8Array(0)));
  const bytes = rifx([...zeros, list('Fold')]);
  t.like(readAep(bytes), { folders: [] });
  const err = t.throws(() => readAep(bytes, { limits: { maxChunks: 1000 } }), { instanceOf: AepFormatError });
  t.regex(err.message, /more than 1000 chunks \(at byte \d+\)/);
});

test('odd sizes are padded; a missing pad after the very last chunk is tolerated', (t) => {
  const bytes = rifx([list('Fold', folderItem(1, 'Odd'), folderItem(2, 'Even'))]);
  t.deepEqual(readAep(bytes).folders.map((f) => f.name), ['Odd', 'Even']);

  const reader = new RifxReader(rifx([chunk('abcd', ascii('xyz')), chunk('efgh', ascii('1'))]));
  t.deepEqual(reader.children(reader.root()).map((c) => [c.id, c.offset, c.size]), [['abcd', 12, 3], ['efgh', 24, 1]]);

  // The RIFX size covers the last odd chunk but not its pad byte.
  const unpadded = rifx([list('Fold'), chunk('tail', ascii('abc'))]);
  setU32(unpadded, 4, new DataView(unpadded.buffer).getUint32(4) - 1);
  t.like(readAep(unpadded.subarray(0, unpadded.length - 1)), { folders: [] });
});

test('huge counts in the render queue header allocate nothing and read as unknown comps', (t) => {
  const record = new Uint8Array(16);
  const header = new Uint8Array(52);
  setU32(header, 8, 0xffffffff);
  setU32(header, 16, 16);
  const bytes = rifx([list('Fold'), list('LRdr',
    list('list', chunk('lhd3', header), chunk('ldat', record)),
    list('LItm', list('list'), list('LOm ', chunk('Roou', new Uint8Array(4)))))]);
  t.deepEqual(readAep(bytes).renderQueue, [{ compId: null, outputs: [{ path: null, isFolder: false, template: null, fileName: null }] }]);
});

test('reads need the whole container and never look past its end', (t) => {
  const bytes = minimal();
  const padded = new Uint8Array(bytes.length + 100).fill(0xff);
  padded.set(bytes);
  t.deepEqual(readAep(padded), readAep(bytes));
});
