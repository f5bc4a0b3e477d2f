import { readAlias } from './aep-alias.js';
import { AepFormatError } from './aep-errors.js';
import { decodeUtf8 } from './aep-strings.js';
import { readAep, type ReadAepOptions } from './read-aep.js';
import { RifxReader, type RifxChunk } from './rifx-reader.js';

// Where AE keeps a footage file's location (read off bodymovin-sound-template.aep, saved by AE CC
// 2018 on Windows): only in the item's `LIST Pin ` → `LIST Als2` → `alas`, compact UTF-8 JSON with no
// NUL terminator (an odd-sized body is followed by the usual RIFX pad byte, 0). The item's own name
// (`Utf8` after `idta`) is empty when it shows the file's name, and the `sspc`, `opti`, `Utf8`,
// `pgui`, `CLRS` and `mnfo` chunks beside the alias hold no path or file name; neither does the XMP
// packet after the container. So the `fullpath` value is the one thing to rewrite.
//
// Mirrors readItems/readFootage (aep-items.ts, aep-footage.ts): the same chunks, the same first-match
// rules, so the paths relinked are exactly the footage paths readAep() reports.
const IDTA_TYPE = 0;
const ITEM_FOLDER = 1;
const ITEM_FOOTAGE = 7;
/** Longest path accepted from the callback: Windows' extended-length limit, far above PATH_MAX elsewhere. */
const MAX_PATH_CHARS = 32_767;
const MAX_CHUNK_SIZE = 0xffff_ffff;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]
const JSON_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const FULLPATH_KEY = new TextEncoder().encode('"fullpath"');
const encoder = new TextEncoder();

export interface RelinkAepResult {
  /** The rewritten project: a new array, even when nothing changed. */
  bytes: Uint8Array;
  /** Footage whose path was rewritten, in file order. */
  relinked: { from: string; to: string }[];
  /** Footage paths left as they were (the callback returned null or the same path), in file order. */
  unchanged: string[];
}

/** Same caps as readAep() (default 200 nesting levels, 20 000 000 chunk headers). */
export type RelinkAepOptions = ReadAepOptions;

/**
 * Re-points an After Effects project's footage before aerender opens it: `relink` is called with each
 * footage file's recorded absolute path (in file order, once per footage item) and returns the new
 * absolute path, or null to leave it. Only the `fullpath` value of each alias record changes, encoded
 * as AE writes it (compact JSON, raw UTF-8); the alias and every enclosing list are resized, with RIFX
 * odd-size padding, and every other byte is kept. The other alias keys are left as saved:
 * `ascendcount_*` (a location relative to the project) is, as other readers of the format understand
 * it, only AE's fallback when `fullpath` is missing; `platform` (1 in the Windows-saved fixture) is
 * kept too, as no fixture shows what AE makes of a path of the other platform's form under it. Keep
 * the base names: an item with no name of its own shows its file's name, which expressions may use.
 * Render queue output aliases are not footage and are not touched (aerender -comp renders into a new
 * queue item with its own -output).
 *
 * Pure, like readAep(). Throws AepFormatError for anything readAep() would refuse, a TypeError or
 * RangeError when `relink` returns something that is not an absolute path, and rethrows whatever
 * `relink` throws.
 */
export function relinkAep(
  bytes: Uint8Array,
  relink: (originalPath: string) => string | null,
  options: RelinkAepOptions = {},
): RelinkAepResult {
  if (!ArrayBuffer.isView(bytes) || bytes.BYTES_PER_ELEMENT !== 1) throw new TypeError('relinkAep() takes the project file as a Uint8Array');
  if (typeof relink !== 'function') throw new TypeError('relinkAep() takes a relink(originalPath) function');
  // Refuses hostile or damaged input before anything is rewritten, and guarantees the walk below
  // meets only chunks readAep() already read without error.
  readAep(bytes, options);
  const reader = new RifxReader(bytes, options.limits);
  const result: RelinkAepResult = { bytes, relinked: [], unchanged: [] };
  const splices: Splice[] = [];
  const sizeDeltas = new Map<number, number>();
  for (const { item, alas, ancestors } of footageAliases(reader)) {
    const from = readAlias(reader, alas, `footage item at byte ${item.offset}`).path;
    const to = relink(from);
    if (to === null || to === from) {
      result.unchanged.push(from);
      continue;
    }
    checkNewPath(to, from);
    splices.push(resize(bytes, alas, ancestors, rewriteFullpath(reader.data(alas), to, alas), sizeDeltas));
    result.relinked.push({ from, to });
  }
  result.bytes = assemble(bytes, splices, sizeDeltas);
  return result;
}

interface FootageAlias {
  item: RifxChunk;
  alas: RifxChunk;
  /** Root first: RIFX, Fold, [Item, Sfdr]…, Item, Pin, Als2. */
  ancestors: RifxChunk[];
}

function footageAliases(reader: RifxReader): FootageAlias[] {
  const root = reader.root();
  const fold = reader.children(root).find((c) => c.listType === 'Fold');
  const out: FootageAlias[] = [];
  if (fold) collect(reader, fold, [root, fold], out);
  return out;
}

function collect(reader: RifxReader, list: RifxChunk, chain: RifxChunk[], out: FootageAlias[]): void {
  for (const item of reader.children(list)) {
    if (item.listType !== 'Item') continue;
    const kids = reader.children(item);
    const idta = kids.find((c) => c.id === 'idta');
    if (!idta) continue; // unreachable: readAep() refuses an item without one
    const type = reader.u16(idta, IDTA_TYPE);
    if (type === ITEM_FOLDER) {
      const contents = kids.find((c) => c.listType === 'Sfdr');
      if (contents) collect(reader, contents, [...chain, item, contents], out);
    } else if (type === ITEM_FOOTAGE) {
      const pin = kids.find((c) => c.listType === 'Pin ');
      const als2 = pin ? reader.children(pin).find((c) => c.listType === 'Als2') : undefined;
      const alas = als2 ? reader.children(als2).find((c) => c.id === 'alas') : undefined;
      if (pin && als2 && alas) out.push({ item, alas, ancestors: [...chain, item, pin, als2] });
    }
  }
}

function checkNewPath(to: unknown, from: string): asserts to is string {
  const what = `relinkAep: the new path for '${from}'`;
  if (typeof to !== 'string') throw new TypeError(`${what} is ${typeof to}; return an absolute path, or null to leave it`);
  if (to.length > MAX_PATH_CHARS) throw new RangeError(`${what} is ${to.length} characters long, more than any file system allows (${MAX_PATH_CHARS})`);
  if (to.includes('\0')) throw new TypeError(`${what} contains a NUL character, which no file system allows`);
  if (/\p{Cs}/u.test(to)) throw new TypeError(`${what} contains an unpaired UTF-16 surrogate; pass the path as well-formed Unicode`);
  // A drive path (C:\ or C:/), a UNC path (\\server\share, \\?\…) or a POSIX path.
  if (!/^(?:[A-Za-z]:[\\/]|\\\\[^\\]|\/)/.test(to)) {
    throw new TypeError(`${what} is '${to}', which is not absolute; After Effects opens footage by absolute path (C:\\…, \\\\server\\…, or /…)`);
  }
}

/**
 * The alias body with every top-level "fullpath" string value replaced by `to`, JSON-encoded like AE
 * (compact, backslashes and quotes escaped, non-ASCII as raw UTF-8). The bytes around the value, key
 * order and spacing included, are kept. Duplicate keys (JSON.parse keeps the last) are all rewritten.
 */
function rewriteFullpath(body: Uint8Array, to: string, alas: RifxChunk): Uint8Array {
  const spans = fullpathValueSpans(body);
  // Unreachable: readAlias() found a string fullpath; kept so a broken invariant cannot write garbage.
  if (spans.length === 0) throw new AepFormatError(`the file reference (alas) at byte ${alas.offset} has no fullpath string`, alas.offset);
  const value = encoder.encode(JSON.stringify(to));
  const out = new Uint8Array(body.length + spans.reduce((n, [s, e]) => n + value.length - (e - s), 0));
  let src = 0;
  let dst = 0;
  for (const [start, end] of spans) {
    out.set(body.subarray(src, start), dst);
    dst += start - src;
    out.set(value, dst);
    dst += value.length;
    src = end;
  }
  out.set(body.subarray(src), dst);
  return out;
}

/**
 * [start, end) of each string value (quotes included) of a "fullpath" key of the top-level object.
 * Works on the bytes: JSON's structure is ASCII and UTF-8 never puts an ASCII byte inside a multi-byte
 * character, so offsets are exact even around invalid UTF-8. One linear pass, no recursion.
 */
function fullpathValueSpans(json: Uint8Array): [number, number][] {
  const spans: [number, number][] = [];
  let depth = 0;
  let expectKey = false;
  let expectValue = false;
  let keyIsFullpath = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c === QUOTE) {
      const start = i;
      for (i++; i < json.length && json[i] !== QUOTE; i++) if (json[i] === BACKSLASH) i++;
      if (depth === 1 && expectKey) {
        keyIsFullpath = isFullpathKey(json.subarray(start, i + 1));
        expectKey = false;
      } else if (depth === 1 && expectValue) {
        if (keyIsFullpath) spans.push([start, i + 1]);
        expectValue = false;
      }
    } else if (OPEN.has(c)) {
      expectValue = false;
      depth++;
      expectKey = depth === 1 && c === 0x7b;
    } else if (CLOSE.has(c)) {
      depth--;
    } else if (depth === 1 && c === COMMA) {
      expectKey = true;
    } else if (depth === 1 && c === COLON) {
      expectValue = true;
    } else if (!JSON_SPACE.has(c)) {
      expectValue = false; // a number or literal value
    }
  }
  return spans;
}

function isFullpathKey(token: Uint8Array): boolean {
  if (token.length === FULLPATH_KEY.length && token.every((b, i) => b === FULLPATH_KEY[i])) return true;
  if (!token.includes(BACKSLASH)) return false;
  try {
    return JSON.parse(decodeUtf8(token)) === 'fullpath'; // an escaped spelling such as "full\u0070ath"
  } catch {
    return false;
  }
}

/** Replace bytes [start, end) of the input with `bytes`. */
interface Splice {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/**
 * Plans replacing an alias body and records the size change of the alias and each enclosing chunk.
 * A body of odd size is followed by a pad byte, which AE counts inside the list holding the chunk
 * (Als2 is 254 bytes around a 241-byte alias in bodymovin-sound-template.aep); a new pad goes there
 * too. Only when lists end exactly where an odd body ends (their sizes leave the pad out, which AE
 * does for a list of raw odd-sized data such as btdk) does the pad follow the outermost of them and
 * count in the first list reaching past it: those tight lists grow with the body, and the pad comes
 * or goes with the outermost one's new parity. Every list above changes by an even amount, so no
 * other pad moves.
 */
function resize(bytes: Uint8Array, alas: RifxChunk, ancestors: RifxChunk[], body: Uint8Array, deltas: Map<number, number>): Splice {
  const grow = body.length - alas.size;
  const bodyEnd = alas.body + alas.size;
  addDelta(deltas, alas.offset, grow);
  let outerSize = alas.size;
  let i = ancestors.length - 1;
  const padOutside = (alas.size & 1) === 1;
  for (; padOutside && i >= 0 && ancestors[i]!.body + ancestors[i]!.size === bodyEnd; i--) {
    addDelta(deltas, ancestors[i]!.offset, grow);
    outerSize = ancestors[i]!.size;
  }
  // With no list reaching past it (only a root that ends there), bytes after the container stay as they are.
  const padOld = i >= 0 ? outerSize & 1 : 0;
  const padNew = i >= 0 ? (outerSize + grow) & 1 : 0;
  for (; i >= 0; i--) addDelta(deltas, ancestors[i]!.offset, grow + padNew - padOld);
  const replacement = new Uint8Array(body.length + padNew);
  replacement.set(body);
  if (padNew && padOld) replacement[body.length] = bytes[bodyEnd]!;
  return { start: alas.body, end: bodyEnd + padOld, bytes: replacement };
}

function addDelta(deltas: Map<number, number>, headerOffset: number, delta: number): void {
  deltas.set(headerOffset, (deltas.get(headerOffset) ?? 0) + delta);
}

/** The output file: the input with the splices applied (in file order) and the chunk sizes rewritten. */
function assemble(bytes: Uint8Array, splices: Splice[], deltas: Map<number, number>): Uint8Array {
  const input = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizes = [...deltas].sort(([a], [b]) => a - b).map(([at, delta]) => {
    const size = input.getUint32(at + 4) + delta;
    if (size > MAX_CHUNK_SIZE) {
      throw new RangeError(`relinkAep: the new paths make the chunk at byte ${at} ${size} bytes, past the 4 GiB a RIFX chunk can hold`);
    }
    return [at, size] as const;
  });
  const out = new Uint8Array(bytes.length + splices.reduce((n, s) => n + s.bytes.length - (s.end - s.start), 0));
  let src = 0;
  let dst = 0;
  for (const s of splices) {
    out.set(bytes.subarray(src, s.start), dst);
    dst += s.start - src;
    out.set(s.bytes, dst);
    dst += s.bytes.length;
    src = s.end;
  }
  out.set(bytes.subarray(src), dst);

  // A header never lies inside a splice (splices are alias bodies), so it moves by the growth of the
  // splices before it. Both lists are in file order: one merge pass.
  const view = new DataView(out.buffer);
  let shift = 0;
  let next = 0;
  for (const [at, size] of sizes) {
    for (; next < splices.length && splices[next]!.start < at; next++) shift += splices[next]!.bytes.length - (splices[next]!.end - splices[next]!.start);
    view.setUint32(at + shift + 4, size);
  }
  return out;
}
