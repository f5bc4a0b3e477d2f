// Footage in a project points at absolute paths on the artist's machine; on the node the same
// files sit in the bundle folder. Rewrite each path to its bundle copy before aerender opens it.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundlePathKey, relinkAep as sharedRelinkAep, type RelinkAepResult } from '@cloudexport/shared';

/** shared's relinkAep: new project bytes with each footage path the callback maps replaced. */
export type RelinkAep = (bytes: Uint8Array, relink: (originalPath: string) => string | null) => RelinkAepResult;

export interface RelinkedProject {
  /** The project to render: the relinked copy beside the original. */
  projectPath: string;
  relinked: { from: string; to: string }[];
  /** Footage paths no bundle file matched: aerender will report them missing. */
  unchanged: string[];
}

const WINDOWS_PATH = /^([A-Za-z]:[\\/]|[\\/]{2}[^\\/])/;

/**
 * How an original path is matched: Windows paths (C:\…, \\server\…) ignore case and accept either
 * slash, as Windows does; macOS and Linux paths match exactly (Unicode-normalized).
 */
export function originalPathKey(p: string): string {
  const n = p.normalize('NFC');
  return WINDOWS_PATH.test(n) ? n.replace(/\//g, '\\').toLowerCase() : n;
}

/** originalPath → the absolute path of that file in the bundle folder, for every file that has one. */
export function relinkTable(files: readonly { path: string; originalPath?: string | undefined }[], placed: ReadonlyMap<string, string>): (originalPath: string) => string | null {
  const table = new Map<string, string>();
  for (const file of files) {
    const target = placed.get(file.path);
    if (file.originalPath && target) table.set(originalPathKey(file.originalPath), target);
  }
  return (originalPath) => table.get(originalPathKey(originalPath)) ?? null;
}

/** A file name beside `projectPath` that no bundle file uses: `<name>.relinked.aep` (numbered if taken). */
function relinkedName(projectPath: string, taken: ReadonlySet<string>): string {
  const dir = path.dirname(projectPath);
  const stem = path.basename(projectPath, path.extname(projectPath));
  for (let n = 0; ; n += 1) {
    const candidate = path.join(dir, `${stem}.relinked${n ? `-${n}` : ''}.aep`);
    if (!taken.has(bundlePathKey(candidate))) return candidate;
  }
}

/**
 * Writes a copy of the project with every footage path it can match pointed into the bundle
 * folder, next to the original (same folder, so paths relative to the project still resolve).
 */
export async function relinkProject(
  projectPath: string,
  files: readonly { path: string; originalPath?: string | undefined }[],
  placed: ReadonlyMap<string, string>,
  relinkAep: RelinkAep = sharedRelinkAep,
): Promise<RelinkedProject> {
  const result = relinkAep(new Uint8Array(await readFile(projectPath)), relinkTable(files, placed));
  const taken = new Set([...placed.values()].map((p) => bundlePathKey(p)));
  const out = relinkedName(projectPath, taken);
  await writeFile(out, result.bytes, { flag: 'wx' });
  return { projectPath: out, relinked: result.relinked, unchanged: result.unchanged };
}
