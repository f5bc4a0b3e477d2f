import { AepFormatError } from './aep-errors.js';
import { readComposition } from './aep-composition.js';
import { readFootage } from './aep-footage.js';
import type { AepComposition, AepFolder, AepFootage } from './aep-project.js';
import { decodeUtf8 } from './aep-strings.js';
import type { RifxChunk, RifxReader } from './rifx-reader.js';

// The project panel is `LIST Fold` (the root) holding one `LIST Item` per item. Each item starts
// with `idta` (type u16 at 0: 1 folder, 4 composition, 7 footage; item id u32 at 16) and a `Utf8`
// name; a folder's contents are the `LIST Item`s inside its `LIST Sfdr`.
const IDTA = { type: 0, id: 16, minSize: 20 } as const;
const ITEM_TYPES = { folder: 1, composition: 4, footage: 7 } as const;

/** Identity of the item being read; `label` names it in errors. */
export interface ItemHeader {
  id: number;
  name: string;
  parentId: number | null;
  label: string;
}

export interface ProjectItems {
  folders: AepFolder[];
  compositions: AepComposition[];
  footage: AepFootage[];
}

export function readItems(reader: RifxReader, root: RifxChunk): ProjectItems {
  const items: ProjectItems = { folders: [], compositions: [], footage: [] };
  readFolder(reader, root, null, items);
  markAudio(items);
  return items;
}

function readFolder(reader: RifxReader, list: RifxChunk, parentId: number | null, out: ProjectItems): void {
  for (const item of reader.children(list)) {
    if (item.listType !== 'Item') continue;
    const kids = reader.children(item);
    const idta = kids.find((c) => c.id === 'idta');
    if (!idta) throw new AepFormatError(`project item at byte ${item.offset} has no item header (idta)`, item.offset);
    reader.requireSize(idta, IDTA.minSize, `project item at byte ${item.offset}`);
    const type = reader.u16(idta, IDTA.type);
    const id = reader.u32(idta, IDTA.id);
    const nameChunk = kids.find((c) => c.id === 'Utf8');
    const name = nameChunk ? decodeUtf8(reader.data(nameChunk)) : '';
    if (type === ITEM_TYPES.folder) {
      out.folders.push({ id, name, parentId });
      const contents = kids.find((c) => c.listType === 'Sfdr');
      if (contents) readFolder(reader, contents, id, out);
    } else if (type === ITEM_TYPES.composition) {
      out.compositions.push(readComposition(reader, kids, { id, name, parentId, label: `composition '${name}' (item ${id} at byte ${item.offset})` }));
    } else if (type === ITEM_TYPES.footage) {
      out.footage.push(readFootage(reader, kids, { id, name, parentId, label: `footage '${name}' (item ${id} at byte ${item.offset})` }));
    }
    // Other item types (none seen in real projects) are skipped.
  }
}

/**
 * A comp has audio when a layer's source has audio, directly or through precomps. Propagated
 * breadth-first from the comps that hold audio footage up to the comps that use them, so hostile
 * nesting (long chains, cycles) costs linear time and no recursion.
 */
function markAudio(items: ProjectItems): void {
  const audioFootage = new Set(items.footage.filter((f) => f.audioSampleRate !== null).map((f) => f.id));
  const usedBy = new Map<number, AepComposition[]>();
  const queue: AepComposition[] = [];
  for (const comp of items.compositions) {
    for (const layer of comp.layers) {
      if (layer.sourceId === null) continue;
      if (audioFootage.has(layer.sourceId) && !comp.hasAudioLayers) {
        comp.hasAudioLayers = true;
        queue.push(comp);
      }
      const users = usedBy.get(layer.sourceId);
      if (users) users.push(comp);
      else usedBy.set(layer.sourceId, [comp]);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    for (const user of usedBy.get(queue[i]!.id) ?? []) {
      if (!user.hasAudioLayers) {
        user.hasAudioLayers = true;
        queue.push(user);
      }
    }
  }
}
