// Where each asset goes in the bundle: `footage/<name>`, or `footage/<h>/<name>` for every file of
// an original folder whose names clash with another folder's (h: hash of that folder's original
// path). Decided per folder, not per file, so an image sequence stays whole; decided from the
// original paths alone, so the same assets get the same paths whatever their order.
import { createHash } from 'node:crypto';
import { bundlePathKey, MAX_BUNDLE_PATH_LENGTH } from '@cloudexport/shared';
import { originalBaseName, parseOriginalPath } from './original-path.js';

export const ASSET_FOLDER = 'footage';
export const PROJECT_FOLDER = 'project';
const MAX_SEGMENT = 255;
// keep the whole path short enough for a node's work folder on Windows too
const MAX_NAME = Math.min(MAX_SEGMENT, MAX_BUNDLE_PATH_LENGTH - 64);

const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** A file name every node's disk accepts (see bundlePathProblem), as close to `name` as possible. */
export function safeFileName(name: string): string {
  let safe = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f<>:"|?*\\/]/g, '_')
    .replace(/\p{Surrogate}/gu, '_');
  safe = safe.replace(/[. ]+$/, (tail) => '_'.repeat(tail.length));
  if (safe === '' || safe === '.' || safe === '..') safe = '_';
  if (WINDOWS_DEVICE_NAME.test(safe)) safe = `_${safe}`;
  if (safe.length > MAX_NAME) {
    const dot = safe.lastIndexOf('.');
    const ext = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
    safe = safe.slice(0, MAX_NAME - ext.length).replace(/[. ]+$/, '_').replace(/\p{Surrogate}$/u, '_') + ext;
  }
  return safe;
}

/** The original folder of a recorded path, in one spelling (Windows paths fold case, as Windows does). */
function originalFolderKey(originalPath: string): string {
  const p = parseOriginalPath(originalPath);
  const folder = `${p.root}/${p.segments.slice(0, -1).join('/')}`;
  return p.windows ? folder.toLowerCase() : folder;
}

/** Bundle path per original path, for assets identified by their original (recorded) paths. */
export function assignAssetPaths(originalPaths: readonly string[]): Map<string, string> {
  const unique = [...new Set(originalPaths)].sort();
  const entries = unique.map((originalPath) => ({ originalPath, folder: originalFolderKey(originalPath), name: safeFileName(originalBaseName(originalPath) || 'file') }));

  // which flat names are wanted by files of more than one folder (or twice within one, after sanitising)
  const claims = new Map<string, { folders: Set<string>; count: number }>();
  for (const e of entries) {
    const key = bundlePathKey(e.name);
    const claim = claims.get(key) ?? { folders: new Set(), count: 0 };
    claim.folders.add(e.folder);
    claim.count += 1;
    claims.set(key, claim);
  }
  const clashing = new Set<string>();
  for (const e of entries) {
    const claim = claims.get(bundlePathKey(e.name))!;
    if (claim.folders.size > 1 || claim.count > 1) clashing.add(e.folder);
  }

  const flat = new Set(entries.filter((e) => !clashing.has(e.folder)).map((e) => bundlePathKey(e.name)));
  const subfolder = new Map<string, string>();
  for (const folder of [...clashing].sort()) {
    const digest = createHash('sha256').update(folder).digest('hex');
    // a flat file could, in theory, be named like the hash: take more of it then
    let length = 8;
    while (flat.has(bundlePathKey(digest.slice(0, length))) || [...subfolder.values()].includes(digest.slice(0, length))) length += 8;
    subfolder.set(folder, digest.slice(0, length));
  }

  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const e of entries) {
    const sub = subfolder.get(e.folder);
    const folder = sub === undefined ? ASSET_FOLDER : `${ASSET_FOLDER}/${sub}`;
    let path = `${folder}/${e.name}`;
    // two names of one folder that sanitise alike (`a:b`, `a_b`): number the later ones
    for (let n = 2; taken.has(bundlePathKey(path)); n += 1) path = `${folder}/${n}-${e.name}`;
    taken.add(bundlePathKey(path));
    out.set(e.originalPath, path);
  }
  return out;
}

/** `project/<name>.aep`. */
export function projectBundlePath(projectFileName: string): string {
  const name = safeFileName(projectFileName);
  return `${PROJECT_FOLDER}/${/\.aep$/i.test(name) ? name : `${name}.aep`}`;
}
