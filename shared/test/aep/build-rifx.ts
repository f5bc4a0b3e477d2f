// A small RIFX writer for tests: assembles synthetic .aep projects with the same chunk layout as
// the real fixtures (big-endian sizes, odd bodies padded to even), so every reader path can be
// exercised without ../shared.

export type RifxNode =
  | { id: string; data: Uint8Array }
  | { list: string; children: RifxNode[] }
  /** Bytes written as they are (already-encoded chunks, or deliberate garbage). */
  | { raw: Uint8Array };

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function chunk(id: string, data: Uint8Array | string): RifxNode {
  return { id, data: typeof data === 'string' ? utf8(data) : data };
}

export function list(type: string, ...children: RifxNode[]): RifxNode {
  return { list: type, children };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function header(id: string, size: number): Uint8Array {
  const h = new Uint8Array(8);
  h.set(ascii(id), 0);
  new DataView(h.buffer).setUint32(4, size);
  return h;
}

export function raw(bytes: Uint8Array): RifxNode {
  return { raw: bytes };
}

export function encode(node: RifxNode): Uint8Array {
  if ('raw' in node) return node.raw;
  if ('data' in node) {
    const pad = node.data.length & 1 ? [new Uint8Array(1)] : [];
    return concat([header(node.id, node.data.length), node.data, ...pad]);
  }
  const body = concat([ascii(node.list), ...node.children.map(encode)]);
  return concat([header('LIST', body.length), body, ...(body.length & 1 ? [new Uint8Array(1)] : [])]);
}

/**
 * Lists nested `levels.length` deep, each holding its `before` bytes then the next list (the
 * innermost holds `leaf`). Written front to back without recursion, so 10 000 levels is cheap.
 */
export function deepLists(levels: { type: string; before?: Uint8Array }[], leaf: Uint8Array = new Uint8Array(0)): Uint8Array {
  const sizes = new Array<number>(levels.length);
  let inner = leaf.length;
  for (let i = levels.length - 1; i >= 0; i--) {
    sizes[i] = 4 + (levels[i]!.before?.length ?? 0) + inner;
    inner = 8 + sizes[i]!;
  }
  const out = new Uint8Array(inner);
  let at = 0;
  levels.forEach((level, i) => {
    out.set(header('LIST', sizes[i]!), at);
    out.set(ascii(level.type), at + 8);
    at += 12;
    if (level.before) {
      out.set(level.before, at);
      at += level.before.length;
    }
  });
  out.set(leaf, at);
  return out;
}

/** A whole file: `RIFX` size `Egg!` children, then optional bytes after the container (AE appends XMP). */
export function rifx(children: RifxNode[], trailing: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = concat([ascii('Egg!'), ...children.map(encode)]);
  return concat([header('RIFX', body.length), body, trailing]);
}

/** Big-endian field writer over a zeroed block of `size` bytes. */
export class Block {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): this { this.view.setUint8(at, v); return this; }
  u16(at: number, v: number): this { this.view.setUint16(at, v); return this; }
  u32(at: number, v: number): this { this.view.setUint32(at, v); return this; }
  f32(at: number, v: number): this { this.view.setFloat32(at, v); return this; }
  f64(at: number, v: number): this { this.view.setFloat64(at, v); return this; }
  text(at: number, s: string): this { this.bytes.set(utf8(s), at); return this; }
}

export const ITEM_FOLDER = 1;
export const ITEM_COMP = 4;
export const ITEM_FOOTAGE = 7;

export const idta = (type: number, id: number): RifxNode => chunk('idta', new Block(84).u16(0, type).u32(16, id).bytes);
export const name = (s: string): RifxNode => chunk('Utf8', s);
export const tdmn = (matchName: string): RifxNode => chunk('tdmn', new Block(40).text(0, matchName).bytes);
/** Project settings; `bpcCode` 0/1/2 = 8/16/32 bits per channel. */
export const nnhd = (bpcCode: number): RifxNode => chunk('nnhd', new Block(40).u16(8, 1).u8(24, bpcCode).bytes);

export interface CompSettings {
  width: number;
  height: number;
  /** Frame rate = timeScale / frameDuration. */
  frameDuration: number;
  timeScale: number;
  /** Duration in seconds = durationValue / durationScale. */
  durationValue: number;
  durationScale: number;
  pixelAspect?: [number, number];
}

export function cdta(s: CompSettings): RifxNode {
  const [num, den] = s.pixelAspect ?? [1, 1];
  return chunk('cdta', new Block(204)
    .u32(4, s.frameDuration).u32(8, s.timeScale)
    .u32(44, s.durationValue).u32(48, s.durationScale)
    .u16(140, s.width).u16(142, s.height)
    .u32(144, num).u32(148, den).bytes);
}

/** A timeline layer; `effects` become an 'ADBE Effect Parade' group in its property tree. */
export function layer(id: number, layerName: string, sourceId: number, effects: string[] = []): RifxNode {
  const parade = effects.flatMap((e) => [tdmn(e), list('sspc', chunk('fnam', new Block(8).text(0, 'Utf8').bytes))]);
  return list('Layr',
    chunk('ldta', new Block(160).u32(0, id).u32(40, sourceId).bytes),
    name(layerName),
    list('tdgp', tdmn('ADBE Transform Group'), list('tdgp'), tdmn('ADBE Effect Parade'), list('tdgp', ...parade)));
}

/** A COS literal string: UTF-16BE with its byte-order mark, `(`, `)` and `\\` escaped, as AE writes text. */
export function cosString(s: string): string {
  let out = '\xfe\xff';
  for (const ch of s) out += String.fromCharCode(ch.charCodeAt(0) >> 8, ch.charCodeAt(0) & 0xff);
  return `(${out.replace(/[()\\]/g, (c) => `\\${c}`)})`;
}

/**
 * A text document (`btdk` body) in AE's layout: the font set, one character style sheet naming
 * `sheetFont`, and one text object whose style runs each name a font index or inherit the sheet's.
 * `fontEntries` are written as they are (already-encoded COS strings).
 */
export function textDocument(fontEntries: string[], sheetFont: number, runs: (number | null)[]): Uint8Array {
  const fonts = fontEntries.map((f) => `<< /0 << /99 /CoolTypeFont /0 << /0 ${f} /2 0 >> >> >>`).join(' ');
  const styleRuns = runs.map((font) => `<< /0 << /0 << /0 (\xfe\xff) /5 0 /6 << ${font === null ? '' : `/0 ${font} `}/1 185.0 >> >> >> /1 4 >>`).join(' ');
  const cos = ` /98 << /0 9 >> /0 << /1 << /0 [ ${fonts} ] >> /5 << /0 [ << /0 << /0 ${cosString('Normal RGB')} /6 << /0 ${sheetFont} /1 12.0 >> >> >> ] >> >>`
    + ` /1 << /1 [ << /0 << /0 ${cosString('Text\r')} /6 << /0 [ ${styleRuns} ] >> >> >> ] /2 << /0 ${sheetFont} >> >>`;
  return Uint8Array.from(cos, (c) => c.charCodeAt(0));
}

/** A text layer: its property tree holds 'ADBE Text Properties' → 'ADBE Text Document' → `btds` → `btdk`. */
export function textLayer(id: number, layerName: string, ...documents: Uint8Array[]): RifxNode {
  return list('Layr',
    chunk('ldta', new Block(160).u32(0, id).bytes),
    name(layerName),
    list('tdgp', tdmn('ADBE Text Properties'), list('tdgp',
      tdmn('ADBE Text Document'), list('btds', ...documents.map((d) => list('btdk', raw(d)))))));
}

export function sspc(width: number, height: number, audioRate = 0): RifxNode {
  return chunk('sspc', new Block(222).u32(30, width).u32(34, height).f64(160, audioRate).bytes);
}

export function optiSolid(solidName: string, [r, g, b]: [number, number, number]): RifxNode {
  return chunk('opti', new Block(282).text(0, 'Soli').u16(4, 9).f32(10, 1).f32(14, r).f32(18, g).f32(22, b).text(26, solidName).bytes);
}

export function optiPlaceholder(placeholderName: string): RifxNode {
  return chunk('opti', new Block(266).u16(4, 2).text(10, placeholderName).bytes);
}

export function alias(fullpath: string, isFolder = false): RifxNode {
  return list('Als2', chunk('alas', JSON.stringify({
    ascendcount_base: 1, ascendcount_target: 1, fullpath, platform: 1, target_is_folder: isFolder,
  })));
}

export function folderItem(id: number, folderName: string, ...contents: RifxNode[]): RifxNode {
  return list('Item', idta(ITEM_FOLDER, id), name(folderName), chunk('sfdt', new Uint8Array(4)), list('Sfdr', ...contents));
}

export function compItem(id: number, compName: string, settings: CompSettings, ...layers: RifxNode[]): RifxNode {
  return list('Item', idta(ITEM_COMP, id), name(compName), cdta(settings), chunk('cdrp', new Uint8Array(1)), ...layers);
}

export function footageItem(id: number, itemName: string, ...pin: RifxNode[]): RifxNode {
  return list('Item', idta(ITEM_FOOTAGE, id), name(itemName), list('Pin ', ...pin));
}

/** One render queue item rendering `compId` to the given outputs. */
export function renderQueue(compId: number, outputs: { path: string; template: string; fileName: string }[]): RifxNode {
  const record = new Block(2246).u32(8, compId).bytes;
  return list('LRdr',
    list('list', chunk('lhd3', new Block(52).u32(8, 1).u32(12, 1).u32(16, record.length).bytes), chunk('ldat', record)),
    list('LItm',
      list('list', chunk('lhd3', new Block(52).u32(8, outputs.length).u32(16, 128).bytes)),
      list('LOm ', ...outputs.flatMap((o) => [
        chunk('Roou', new Uint8Array(154)), alias(o.path, true), name(o.template), name(o.fileName),
      ]))));
}

/** Ids and values of the synthetic project, for the tests to compare against. */
export const SYNTHETIC = {
  shots: 10, main: 11, plate: 12, music: 13, pre: 14, nested: 15, missing: 16, solid: 17,
  platePath: 'C:\\Projects\\Spot\\plate_0001.png',
  musicPath: '/Volumes/Media/Spot/music.wav',
  outputPath: 'D:\\Renders\\Spot',
} as const;

/** A project with a folder tree, two comps (one precomped), file/solid/placeholder footage and effects. */
export function buildSyntheticProject(): Uint8Array {
  const S = SYNTHETIC;
  const main: CompSettings = { width: 1920, height: 1080, frameDuration: 1001, timeScale: 24000, durationValue: 240_240, durationScale: 24000 };
  const pre: CompSettings = { width: 720, height: 486, frameDuration: 100, timeScale: 2997, durationValue: 5994, durationScale: 2997, pixelAspect: [10, 11] };
  return rifx([
    chunk('head', new Uint8Array(20)),
    nnhd(1),
    list('Pefl', chunk('pjef', 'ADBE Gaussian Blur 2'), chunk('pjef', 'ADBE Glo2')),
    list('ExEn', name('javascript-1.0')),
    list('Fold',
      chunk('fdta', new Uint8Array(14)),
      folderItem(S.shots, 'Shots',
        compItem(S.main, 'Main – final ✓', main,
          layer(1, 'Plate', S.plate, ['ADBE Gaussian Blur 2', 'ADBE Glo2']),
          layer(2, '', S.pre, ['ADBE Gaussian Blur 2']),
          layer(3, 'Shape', 0)),
        folderItem(S.nested, 'Nested',
          footageItem(S.missing, '', sspc(640, 480), optiPlaceholder('Missing Footage')))),
      footageItem(S.plate, '', sspc(3840, 2160), alias(S.platePath), chunk('opti', new Uint8Array(64)), list('StVc', name('plate_0001.png'))),
      footageItem(S.music, 'Score', sspc(0, 0, 48000), alias(S.musicPath)),
      compItem(S.pre, 'Pre', pre, layer(4, 'Music', S.music)),
      footageItem(S.solid, '', sspc(1920, 1080), optiSolid('Black Solid 1', [0, 0.5, 1]))),
    renderQueue(S.main, [{ path: S.outputPath, template: 'Lossless', fileName: 'Main.[fileExtension]' }]),
  ], utf8('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta/>'));
}
