import { decodeCString } from './aep-strings.js';
import type { RifxChunk, RifxReader } from './rifx-reader.js';

// A layer's property tree is `LIST tdgp`; its effects group is the `tdmn` 'ADBE Effect Parade'
// followed by a `LIST tdgp` in which each applied effect is a `tdmn` match name followed by its
// `LIST sspc` (the effect's parameters).
const EFFECT_PARADE = 'ADBE Effect Parade';

function matchName(reader: RifxReader, chunk: RifxChunk): string {
  return decodeCString(reader.data(chunk));
}

/** Match names before each `LIST sspc` among these siblings (an effect list or the EfdG definitions). */
function namesBeforeSspc(reader: RifxReader, siblings: RifxChunk[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < siblings.length; i++) {
    const c = siblings[i]!;
    const next = siblings[i + 1]!;
    if (c.id === 'tdmn' && next.listType === 'sspc') {
      const name = matchName(reader, c);
      if (name !== '') out.push(name);
    }
  }
  return out;
}

/** Effects applied to one layer (`LIST Layr` children), in stacking order. */
export function layerEffects(reader: RifxReader, layerChildren: RifxChunk[]): string[] {
  const root = layerChildren.find((c) => c.listType === 'tdgp');
  if (!root) return [];
  const props = reader.children(root);
  for (let i = 0; i + 1 < props.length; i++) {
    const c = props[i]!;
    const next = props[i + 1]!;
    if (c.id === 'tdmn' && next.listType === 'tdgp' && matchName(reader, c) === EFFECT_PARADE) {
      return namesBeforeSspc(reader, reader.children(next));
    }
  }
  return [];
}

/**
 * Effects the project itself lists: `LIST Pefl` → `pjef` (plain strings) and the effect
 * definitions `LIST EfdG` → `LIST EfDf` → `tdmn`. Both agree with the layers in every fixture;
 * they are read too so an effect is not missed where a layer's tree could not be followed.
 */
export function projectEffects(reader: RifxReader, topLevel: RifxChunk[]): string[] {
  const out: string[] = [];
  for (const c of topLevel) {
    if (c.listType === 'Pefl') {
      for (const p of reader.children(c)) {
        if (p.id === 'pjef') {
          const name = decodeCString(reader.data(p));
          if (name !== '') out.push(name);
        }
      }
    } else if (c.listType === 'EfdG') {
      for (const def of reader.children(c)) {
        if (def.listType !== 'EfDf') continue;
        out.push(...namesBeforeSspc(reader, reader.children(def)));
      }
    }
  }
  return out;
}

/** Deduplicated and sorted, so the same project always gives the same list. */
export function uniqueSorted(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}
