import { AepFormatError } from './aep-errors.js';

/** One chunk of a RIFX file: a 4-byte id, a big-endian u32 size, then `size` bytes (padded to even). */
export interface RifxChunk {
  readonly id: string;
  /** Offset of the chunk header in the file. */
  readonly offset: number;
  /** Body size as declared (already checked to fit inside the parent). */
  readonly size: number;
  /** Offset of the body (header + 8). */
  readonly body: number;
  /** For `LIST` chunks (and the root `RIFX`), the 4-byte list type; otherwise null. */
  readonly listType: string | null;
  readonly depth: number;
}

export interface RifxLimits {
  /** Deepest LIST nesting followed. Default 200 (real projects nest about 10 deep plus 2 per folder level). */
  maxDepth: number;
  /** Most chunk headers read in one pass. Default 20 000 000 (a ~700 MB project at the fixtures' density). */
  maxChunks: number;
}

export const DEFAULT_RIFX_LIMITS: RifxLimits = { maxDepth: 200, maxChunks: 20_000_000 };

const TRUNCATED_HINT = 'the file is truncated or damaged; save it again from After Effects';

/** Printable form of a 4-byte id for messages ("LIST", "Utf8", or "\x00\x01..." for garbage). */
export function printableId(bytes: Uint8Array, at: number): string {
  let out = '';
  for (let i = at; i < at + 4 && i < bytes.length; i++) {
    const c = bytes[i]!;
    out += c >= 0x20 && c < 0x7f && c !== 0x27 && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function fourCc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/**
 * Lazy, bounds-checked reader over a RIFX buffer. Nothing is trusted: every child list is checked
 * against its parent's extent, nesting and chunk counts are capped, and nothing is allocated from a
 * size field (bodies are views into the input).
 */
export class RifxReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly limits: RifxLimits;
  private chunksRead = 0;

  constructor(bytes: Uint8Array, limits: Partial<RifxLimits> = {}) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limits = { ...DEFAULT_RIFX_LIMITS, ...limits };
  }

  /** The root `RIFX` chunk of form type `Egg!`; bytes after it (AE appends an XMP packet) are ignored. */
  root(): RifxChunk {
    const b = this.bytes;
    if (b.length < 12) {
      throw new AepFormatError(`the file is ${b.length} bytes, too short for a RIFX header (12 bytes)`, 0);
    }
    const magic = fourCc(b, 0);
    if (magic !== 'RIFX') {
      const hint = magic === 'RIFF' ? ' (little-endian RIFF, not the RIFX that .aep uses)'
        : magic.startsWith('<?x') ? ' (this looks like XML; an .aepx project is not supported, save it as .aep)'
          : '';
      throw new AepFormatError(`the file starts with '${printableId(b, 0)}' at byte 0, not 'RIFX'${hint}`, 0);
    }
    const size = this.view.getUint32(4);
    const remaining = b.length - 8;
    if (size > remaining) {
      throw new AepFormatError(`chunk 'RIFX' at byte 0 claims ${size} bytes but only ${remaining} remain (${TRUNCATED_HINT})`, 0);
    }
    if (size < 4) throw new AepFormatError(`chunk 'RIFX' at byte 0 is ${size} bytes, too small for its form type`, 0);
    const form = fourCc(b, 8);
    if (form !== 'Egg!') {
      throw new AepFormatError(`the RIFX form type at byte 8 is '${printableId(b, 8)}', not 'Egg!' (After Effects project)`, 8);
    }
    return { id: 'RIFX', offset: 0, size, body: 8, listType: form, depth: 0 };
  }

  /**
   * Walks every list under the root (iteratively, without allocating) to enforce the nesting and
   * chunk caps everywhere, including parts the project reader never opens. Inside those parts a
   * malformed header only ends that list's walk: such chunks are skipped, not fatal. `btdk` bodies
   * are raw text-document data, not chunks.
   */
  checkNesting(root: RifxChunk): void {
    const ends: number[] = [root.body + root.size];
    const positions: number[] = [root.body + 4];
    let chunks = 0;
    while (ends.length > 0) {
      const top = ends.length - 1;
      const pos = positions[top]!;
      const end = ends[top]!;
      if (end - pos < 8) {
        ends.pop();
        positions.pop();
        continue;
      }
      const size = this.view.getUint32(pos + 4);
      if (size > end - pos - 8) {
        ends.pop();
        positions.pop();
        continue;
      }
      positions[top] = pos + 8 + size + (size & 1);
      if (++chunks > this.limits.maxChunks) {
        throw new AepFormatError(`more than ${this.limits.maxChunks} chunks (at byte ${pos}); refusing to read further`, pos);
      }
      if (size >= 4 && this.isList(pos) && !this.isBtdk(pos + 8)) {
        if (ends.length + 1 > this.limits.maxDepth) {
          throw new AepFormatError(`lists nest deeper than ${this.limits.maxDepth} levels at byte ${pos}`, pos);
        }
        ends.push(pos + 8 + size);
        positions.push(pos + 12);
      }
    }
  }

  private isList(at: number): boolean {
    const b = this.bytes;
    return b[at] === 0x4c && b[at + 1] === 0x49 && b[at + 2] === 0x53 && b[at + 3] === 0x54; // LIST
  }

  private isBtdk(at: number): boolean {
    const b = this.bytes;
    return b[at] === 0x62 && b[at + 1] === 0x74 && b[at + 2] === 0x64 && b[at + 3] === 0x6b; // btdk
  }

  /** The chunks directly inside a LIST (or the root), each checked to fit inside it. */
  children(list: RifxChunk): RifxChunk[] {
    if (list.listType === null) throw new Error(`children() of a non-list chunk '${list.id}'`);
    const depth = list.depth + 1;
    if (depth > this.limits.maxDepth) {
      throw new AepFormatError(
        `lists nest deeper than ${this.limits.maxDepth} levels at '${list.listType}' list at byte ${list.offset}`, list.offset);
    }
    const b = this.bytes;
    const end = list.body + list.size;
    const out: RifxChunk[] = [];
    let pos = list.body + 4;
    while (pos < end) {
      if (end - pos < 8) {
        throw new AepFormatError(
          `${end - pos} stray bytes at byte ${pos} at the end of the '${list.listType}' list at byte ${list.offset} (${TRUNCATED_HINT})`, pos);
      }
      if (++this.chunksRead > this.limits.maxChunks) {
        throw new AepFormatError(`more than ${this.limits.maxChunks} chunks (at byte ${pos}); refusing to read further`, pos);
      }
      const size = this.view.getUint32(pos + 4);
      const remaining = end - pos - 8;
      if (size > remaining) {
        throw new AepFormatError(
          `chunk '${printableId(b, pos)}' at byte ${pos} claims ${size} bytes but only ${remaining} remain in its parent (${TRUNCATED_HINT})`, pos);
      }
      const id = fourCc(b, pos);
      let listType: string | null = null;
      if (id === 'LIST') {
        if (size < 4) throw new AepFormatError(`chunk 'LIST' at byte ${pos} is ${size} bytes, too small for its list type`, pos);
        listType = fourCc(b, pos + 8);
      }
      out.push({ id, offset: pos, size, body: pos + 8, listType, depth });
      // Odd sizes are followed by one pad byte; a final pad may fall just past the parent's end.
      pos += 8 + size + (size & 1);
    }
    return out;
  }

  /** A view of a chunk's body (no copy). */
  data(chunk: RifxChunk): Uint8Array {
    return this.bytes.subarray(chunk.body, chunk.body + chunk.size);
  }

  /** Throws unless the chunk's body holds at least `need` bytes; `what` names it in the message. */
  requireSize(chunk: RifxChunk, need: number, what: string): void {
    if (chunk.size < need) {
      throw new AepFormatError(`${what}: '${chunk.id}' at byte ${chunk.offset} is ${chunk.size} bytes, expected at least ${need}`, chunk.offset);
    }
  }

  u8(chunk: RifxChunk, at: number): number {
    this.check(chunk, at, 1);
    return this.view.getUint8(chunk.body + at);
  }

  u16(chunk: RifxChunk, at: number): number {
    this.check(chunk, at, 2);
    return this.view.getUint16(chunk.body + at);
  }

  u32(chunk: RifxChunk, at: number): number {
    this.check(chunk, at, 4);
    return this.view.getUint32(chunk.body + at);
  }

  f32(chunk: RifxChunk, at: number): number {
    this.check(chunk, at, 4);
    return this.view.getFloat32(chunk.body + at);
  }

  f64(chunk: RifxChunk, at: number): number {
    this.check(chunk, at, 8);
    return this.view.getFloat64(chunk.body + at);
  }

  private check(chunk: RifxChunk, at: number, width: number): void {
    if (at < 0 || at + width > chunk.size) {
      throw new AepFormatError(`'${chunk.id}' at byte ${chunk.offset} is ${chunk.size} bytes, too short to read byte ${at}+${width}`, chunk.offset);
    }
  }
}
