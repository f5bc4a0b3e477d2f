import { AepFormatError } from './aep-errors.js';
import { projectEffects, uniqueSorted } from './aep-effects.js';
import { readItems } from './aep-items.js';
import { AEP_EXPRESSION_ENGINES, type AepProject } from './aep-project.js';
import { readRenderQueue } from './aep-render-queue.js';
import { decodeUtf8 } from './aep-strings.js';
import { RifxReader, type RifxChunk, type RifxLimits } from './rifx-reader.js';

export { AepFormatError } from './aep-errors.js';
export * from './aep-project.js';
export type { RifxLimits } from './rifx-reader.js';

export interface ReadAepOptions {
  /** Caps on list nesting (default 200) and chunk headers read per pass (default 20 000 000). */
  limits?: Partial<RifxLimits>;
}

// `nnhd` (project settings): bits per channel as u8 at 24 — 0, 1, 2 for 8, 16, 32 bpc.
const NNHD_BPC = 24;
const BITS_PER_CHANNEL = { 0: 8, 1: 16, 2: 32 } as const;

/**
 * Reads an After Effects project (.aep, binary RIFX) from its bytes. Pure: no I/O, runs in the
 * browser panel too. Throws AepFormatError, naming the problem and its byte offset, for anything
 * that is not a readable project (not RIFX, truncated, damaged, or past the nesting/chunk caps).
 */
export function readAep(bytes: Uint8Array, options: ReadAepOptions = {}): AepProject {
  // isView rather than instanceof: the panel may hand over bytes from another realm (an iframe).
  if (!ArrayBuffer.isView(bytes) || bytes.BYTES_PER_ELEMENT !== 1) throw new TypeError('readAep() takes the project file as a Uint8Array');
  const reader = new RifxReader(bytes, options.limits);
  const root = reader.root();
  reader.checkNesting(root);
  const top = reader.children(root);
  const fold = top.find((c) => c.listType === 'Fold');
  if (!fold) {
    throw new AepFormatError(
      `no project items list (LIST Fold) among the ${top.length} chunks from byte 12 to byte ${root.body + root.size}`, 12);
  }
  const items = readItems(reader, fold);
  return {
    bitsPerChannel: readBitsPerChannel(reader, top),
    expressionEngine: readExpressionEngine(reader, top),
    ...items,
    effects: uniqueSorted([...items.compositions.flatMap((c) => c.effects), ...projectEffects(reader, top)]),
    fonts: uniqueSorted(items.compositions.flatMap((c) => c.fonts)),
    renderQueue: readRenderQueue(reader, top),
  };
}

function readBitsPerChannel(reader: RifxReader, top: RifxChunk[]): AepProject['bitsPerChannel'] {
  const nnhd = top.find((c) => c.id === 'nnhd');
  if (!nnhd || nnhd.size <= NNHD_BPC) return null;
  const code = reader.u8(nnhd, NNHD_BPC);
  return code in BITS_PER_CHANNEL ? BITS_PER_CHANNEL[code as keyof typeof BITS_PER_CHANNEL] : null;
}

/** `LIST ExEn` → `Utf8`; absent before AE 16.0, where ExtendScript was the only engine. */
function readExpressionEngine(reader: RifxReader, top: RifxChunk[]): string {
  const exen = top.find((c) => c.listType === 'ExEn');
  const name = exen ? reader.children(exen).find((c) => c.id === 'Utf8') : undefined;
  const engine = name ? decodeUtf8(reader.data(name)) : '';
  return engine !== '' ? engine : AEP_EXPRESSION_ENGINES.extendscript;
}
