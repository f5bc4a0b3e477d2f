import { readAlias } from './aep-alias.js';
import type { ItemHeader } from './aep-items.js';
import type { AepFootage } from './aep-project.js';
import { baseName, decodeCString, decodeUtf8 } from './aep-strings.js';
import type { RifxChunk, RifxReader } from './rifx-reader.js';

// A footage item's source is `LIST Pin ` holding:
// - `sspc`: width u32 at 30, height u32 at 34; the audio sample rate as f64 at 160 (44100 for an
//   MP3, 0 for solids and placeholders).
// - `opti`: for solids 'Soli', type u16 9 at 4, colour as f32 alpha/red/green/blue at 10..25 and a
//   NUL-terminated name at 26; for placeholders type u16 2 at 4 and the name at 10.
// - `LIST Als2` → `alas`: the file reference (see aep-alias.ts).
// - `LIST StVc`: present for image sequences (the frame list), per the aep_parser layout; no fixture has one.
const SSPC = { width: 30, height: 34, audioRate: 160 } as const;
const OPTI = { type: 4, colorArgb: 10, solidName: 26, placeholderName: 10 } as const;
const OPTI_SOLID = 9;
const OPTI_PLACEHOLDER = 2;
const NAME_FIELD_MAX = 256;

// Objects are built field by field, without spread or rest: V8 runs those through a slow path,
// and the fuzz tests parse every fixture thousands of times.
export function readFootage(reader: RifxReader, itemChildren: RifxChunk[], item: ItemHeader): AepFootage {
  const pin = itemChildren.find((c) => c.listType === 'Pin ');
  const kids = pin ? reader.children(pin) : [];
  const sspc = kids.find((c) => c.id === 'sspc');
  const opti = kids.find((c) => c.id === 'opti');
  const als2 = kids.find((c) => c.listType === 'Als2');
  const alas = als2 ? reader.children(als2).find((c) => c.id === 'alas') : undefined;

  const hasSize = sspc !== undefined && sspc.size >= SSPC.height + 4;
  const rate = sspc && sspc.size >= SSPC.audioRate + 8 ? reader.f64(sspc, SSPC.audioRate) : 0;
  const footage: AepFootage = {
    id: item.id,
    name: item.name,
    parentId: item.parentId,
    kind: 'placeholder',
    path: null,
    pathIsFolder: false,
    isSequence: false,
    width: hasSize ? reader.u32(sspc, SSPC.width) : 0,
    height: hasSize ? reader.u32(sspc, SSPC.height) : 0,
    audioSampleRate: Number.isFinite(rate) && rate > 0 && rate <= 10_000_000 ? rate : null,
    solidColor: null,
  };
  let sourceName = '';
  const optiType = opti && opti.size >= OPTI.type + 2 ? reader.u16(opti, OPTI.type) : -1;
  if (alas) {
    const alias = readAlias(reader, alas, item.label);
    footage.kind = 'file';
    footage.path = alias.path;
    footage.pathIsFolder = alias.isFolder;
    footage.isSequence = kids.some((c) => c.listType === 'StVc') ? true : null;
    sourceName = baseName(alias.path);
  } else if (opti && optiType === OPTI_SOLID && opti.size >= OPTI.solidName && decodeUtf8(reader.data(opti).subarray(0, 4)) === 'Soli') {
    const r = reader.f32(opti, OPTI.colorArgb + 4);
    const g = reader.f32(opti, OPTI.colorArgb + 8);
    const b = reader.f32(opti, OPTI.colorArgb + 12);
    footage.kind = 'solid';
    footage.solidColor = Number.isFinite(r) && Number.isFinite(g) && Number.isFinite(b) ? [r, g, b] : null;
    sourceName = decodeCString(reader.data(opti).subarray(OPTI.solidName, OPTI.solidName + NAME_FIELD_MAX));
  } else if (opti && optiType === OPTI_PLACEHOLDER) {
    sourceName = decodeCString(reader.data(opti).subarray(OPTI.placeholderName, OPTI.placeholderName + NAME_FIELD_MAX));
  }
  if (footage.name === '') footage.name = sourceName;
  return footage;
}
