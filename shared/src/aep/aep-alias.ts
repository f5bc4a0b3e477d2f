import { AepFormatError } from './aep-errors.js';
import { decodeUtf8 } from './aep-strings.js';
import type { RifxChunk, RifxReader } from './rifx-reader.js';

// A file reference: `LIST Als2` → `alas`, UTF-8 JSON such as
// {"fullpath":"C:\\Users\\me\\a.mp3","platform":1,"target_is_folder":false,...}. The path is
// absolute, in the form of the machine that saved the project.
export interface AliasRecord {
  path: string;
  isFolder: boolean;
}

/** Reads an `alas` chunk's JSON; `what` names the owner in errors. */
export function readAlias(reader: RifxReader, alas: RifxChunk, what: string): AliasRecord {
  let json: unknown;
  try {
    json = JSON.parse(decodeUtf8(reader.data(alas)));
  } catch {
    throw new AepFormatError(`${what}: the file reference (alas) at byte ${alas.offset} is not valid JSON`, alas.offset);
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const path = record['fullpath'];
  if (typeof path !== 'string' || path === '') {
    throw new AepFormatError(`${what}: the file reference (alas) at byte ${alas.offset} has no fullpath`, alas.offset);
  }
  return { path, isFolder: record['target_is_folder'] === true };
}

