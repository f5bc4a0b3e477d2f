import { AepFormatError } from './aep-errors.js';
import { readAlias } from './aep-alias.js';
import type { AepRenderOutput, AepRenderQueueItem } from './aep-project.js';
import { decodeUtf8 } from './aep-strings.js';
import type { RifxChunk, RifxReader } from './rifx-reader.js';

// `LIST LRdr` is the render queue:
// - its `LIST list` holds `lhd3` (item count u32 at 8, record size u32 at 16) and `ldat`, one record
//   per render queue item with the comp's item id as u32 at 8;
// - its `LIST LItm` holds, per render queue item, a `LIST list` (one record per output module)
//   followed by a `LIST LOm ` in which each output module starts with `Roou`, then `Ropt`,
//   `LIST Als2` → `alas` (output path), a `Utf8` template name and a `Utf8` file name pattern.
const LHD3 = { count: 8, recordSize: 16, minSize: 20 } as const;
const RECORD_COMP_ID = 8;

/**
 * The render queue, read best-effort: it is not needed to render a comp, so a damaged render queue
 * gives an empty list instead of refusing the project.
 */
export function readRenderQueue(reader: RifxReader, topLevel: RifxChunk[]): AepRenderQueueItem[] {
  const lrdr = topLevel.find((c) => c.listType === 'LRdr');
  if (!lrdr) return [];
  try {
    const kids = reader.children(lrdr);
    const compIds = readCompIds(reader, kids.find((c) => c.listType === 'list'));
    const litm = kids.find((c) => c.listType === 'LItm');
    const items: AepRenderQueueItem[] = [];
    for (const c of litm ? reader.children(litm) : []) {
      if (c.listType === 'list') items.push({ compId: compIds[items.length] ?? null, outputs: [] });
      else if (c.listType === 'LOm ' && items.length > 0) items[items.length - 1]!.outputs.push(...readOutputs(reader, c));
    }
    return items;
  } catch (err) {
    if (err instanceof AepFormatError) return [];
    throw err;
  }
}

function readCompIds(reader: RifxReader, list: RifxChunk | undefined): number[] {
  if (!list) return [];
  const kids = reader.children(list);
  const lhd3 = kids.find((c) => c.id === 'lhd3');
  const ldat = kids.find((c) => c.id === 'ldat');
  if (!lhd3 || !ldat || lhd3.size < LHD3.minSize) return [];
  const count = reader.u32(lhd3, LHD3.count);
  const recordSize = reader.u32(lhd3, LHD3.recordSize);
  if (recordSize < RECORD_COMP_ID + 4 || count * recordSize > ldat.size) return [];
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(reader.u32(ldat, i * recordSize + RECORD_COMP_ID));
  return ids;
}

function readOutputs(reader: RifxReader, lom: RifxChunk): AepRenderOutput[] {
  const outputs: AepRenderOutput[] = [];
  let names = 0;
  for (const c of reader.children(lom)) {
    if (c.id === 'Roou' || outputs.length === 0) {
      outputs.push({ path: null, isFolder: false, template: null, fileName: null });
      names = 0;
    }
    const out = outputs[outputs.length - 1]!;
    if (c.listType === 'Als2') {
      const alas = reader.children(c).find((k) => k.id === 'alas');
      if (alas) {
        const alias = readAlias(reader, alas, `render output at byte ${c.offset}`);
        out.path = alias.path;
        out.isFolder = alias.isFolder;
      }
    } else if (c.id === 'Utf8') {
      const text = decodeUtf8(reader.data(c));
      if (names === 0) out.template = text;
      else if (names === 1) out.fileName = text;
      names++;
    }
  }
  return outputs;
}
