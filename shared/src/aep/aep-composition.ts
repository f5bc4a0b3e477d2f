import { AepFormatError } from './aep-errors.js';
import { layerEffects, uniqueSorted } from './aep-effects.js';
import type { ItemHeader } from './aep-items.js';
import type { AepComposition, AepLayer } from './aep-project.js';
import { decodeUtf8 } from './aep-strings.js';
import { layerFonts } from './aep-text-document.js';
import type { RifxChunk, RifxReader } from './rifx-reader.js';

// `cdta` layout (big-endian), checked against the fixtures (21 fps 351×856, 29.97 fps 452×639 at
// 10/11 pixel aspect, 60 fps 1920×1080 and 960×540, 30 fps): times are value/scale pairs.
const CDTA = {
  frameDuration: 4, // u32 value, in units of timeScale
  timeScale: 8, // u32
  durationValue: 44, // u32
  durationScale: 48, // u32
  width: 140, // u16
  height: 142, // u16
  pixelAspectNum: 144, // u32
  pixelAspectDen: 148, // u32
  minSize: 152,
} as const;

// `ldta` (one per layer): layer id at 0, source item id at 40 (0 when the layer has no source).
const LDTA = { id: 0, sourceId: 40, minSize: 44 } as const;

export function readComposition(reader: RifxReader, itemChildren: RifxChunk[], item: ItemHeader): AepComposition {
  const label = item.label;
  const cdta = itemChildren.find((c) => c.id === 'cdta');
  if (!cdta) {
    throw new AepFormatError(`${label} has no composition settings (cdta)`, itemChildren[0]?.offset ?? null);
  }
  reader.requireSize(cdta, CDTA.minSize, `${label} composition settings`);
  const frameDuration = reader.u32(cdta, CDTA.frameDuration);
  const timeScale = reader.u32(cdta, CDTA.timeScale);
  const durationValue = reader.u32(cdta, CDTA.durationValue);
  const durationScale = reader.u32(cdta, CDTA.durationScale);
  const paNum = reader.u32(cdta, CDTA.pixelAspectNum);
  const paDen = reader.u32(cdta, CDTA.pixelAspectDen);
  if (frameDuration === 0 || timeScale === 0) {
    throw new AepFormatError(`${label} has frame rate ${timeScale}/${frameDuration} in cdta at byte ${cdta.offset}`, cdta.offset);
  }
  if (durationScale === 0) {
    throw new AepFormatError(`${label} has duration ${durationValue}/0 in cdta at byte ${cdta.offset}`, cdta.offset);
  }
  if (paNum === 0 || paDen === 0) {
    throw new AepFormatError(`${label} has pixel aspect ${paNum}/${paDen} in cdta at byte ${cdta.offset}`, cdta.offset);
  }
  const { layers, fonts } = readLayers(reader, itemChildren);
  return {
    id: item.id,
    name: item.name,
    parentId: item.parentId,
    width: reader.u16(cdta, CDTA.width),
    height: reader.u16(cdta, CDTA.height),
    frameRate: timeScale / frameDuration,
    duration: durationValue / durationScale,
    frameCount: frameCount(durationValue, durationScale, frameDuration, timeScale),
    pixelAspect: paNum / paDen,
    layers,
    effects: uniqueSorted(layers.flatMap((l) => l.effects)),
    fonts: uniqueSorted(fonts),
    hasAudioLayers: false, // set once every item is read (see aep-items.ts)
  };
}

/**
 * Frames that start before the end: ceil(duration / frame duration), in exact integer arithmetic
 * (the products of two u32 fields pass 2^53, and float noise would turn 2138 into 2139).
 */
function frameCount(durationValue: number, durationScale: number, frameDuration: number, timeScale: number): number {
  const num = BigInt(durationValue) * BigInt(timeScale);
  const den = BigInt(durationScale) * BigInt(frameDuration);
  return Number((num + den - 1n) / den);
}

/**
 * The comp's timeline layers (`LIST Layr`) and the fonts their text uses; AE's hidden 3D-view
 * cameras (SLay, CLay, SecL) are left out.
 */
function readLayers(reader: RifxReader, itemChildren: RifxChunk[]): { layers: AepLayer[]; fonts: string[] } {
  const layers: AepLayer[] = [];
  const fonts: string[] = [];
  for (const c of itemChildren) {
    if (c.listType !== 'Layr') continue;
    const kids = reader.children(c);
    const ldta = kids.find((k) => k.id === 'ldta');
    if (!ldta) throw new AepFormatError(`layer at byte ${c.offset} has no layer settings (ldta)`, c.offset);
    reader.requireSize(ldta, LDTA.minSize, `layer at byte ${c.offset}`);
    const sourceId = reader.u32(ldta, LDTA.sourceId);
    const nameChunk = kids.find((k) => k.id === 'Utf8');
    layers.push({
      id: reader.u32(ldta, LDTA.id),
      name: nameChunk ? decodeUtf8(reader.data(nameChunk)) : '',
      sourceId: sourceId === 0 ? null : sourceId,
      effects: layerEffects(reader, kids),
    });
    fonts.push(...layerFonts(reader, kids));
  }
  return { layers, fonts };
}
