// Finding a footage file on this machine the way After Effects relinks: the recorded path, then
// the same place relative to the project, then by name in the project's folder tree.
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { originalBaseName, parseOriginalPath, relativeOriginal } from './original-path.js';

export type FoundBy = 'original-path' | 'relative-to-project' | 'name-search';

export interface Located {
  path: string;
  foundBy: FoundBy;
}

export interface SearchLimits {
  /** Folder levels below the project's folder searched by name; default 4. */
  maxDepth: number;
  /** Folder entries looked at in all, so a project in a home folder does not walk the disk; default 50 000. */
  maxEntries: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = { maxDepth: 4, maxEntries: 50_000 };
/** Trailing parts of the recorded path tried under the project's folder (…/c/d.mp3, …/d.mp3). */
const MAX_SUFFIX_SEGMENTS = 8;
const SKIPPED_FOLDERS = new Set(['node_modules', '$RECYCLE.BIN', 'System Volume Information']);

export type EntryKind = 'file' | 'folder';

async function kindAt(path: string): Promise<EntryKind | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'folder' : null;
  } catch {
    return null;
  }
}

/**
 * Looks for footage recorded at `originalPath` (a file, or a folder when `want` is 'folder').
 * `projectDir` is where the project is now; `originalProjectPath`, when the host knows it, is
 * where the project was saved, so the footage's place relative to it can be reproduced.
 */
export class FootageLocator {
  readonly #projectDir: string;
  readonly #originalProjectPath: string | undefined;
  readonly #limits: SearchLimits;
  #index: Promise<NameIndex> | undefined;

  constructor(projectDir: string, options: { originalProjectPath?: string | undefined; limits?: Partial<SearchLimits> | undefined } = {}) {
    this.#projectDir = resolve(projectDir);
    this.#originalProjectPath = options.originalProjectPath;
    this.#limits = { ...DEFAULT_SEARCH_LIMITS, ...options.limits };
  }

  async locate(originalPath: string, want: EntryKind): Promise<Located | null> {
    // Only a path absolute here: on Linux, `C:\…` would otherwise be read relative to the working folder.
    if (isAbsolute(originalPath) && (await kindAt(originalPath)) === want) return { path: originalPath, foundBy: 'original-path' };
    for (const candidate of this.#relativeCandidates(originalPath)) {
      if ((await kindAt(candidate)) === want) return { path: candidate, foundBy: 'relative-to-project' };
    }
    const name = originalBaseName(originalPath);
    if (name === '') return null;
    const index = await (this.#index ??= buildNameIndex(this.#projectDir, this.#limits));
    const hit = index.exact.get(`${want}:${name}`) ?? index.folded.get(`${want}:${name.toLowerCase()}`);
    // a symbolic link found by name must still lead to the right kind of thing
    return hit && (await kindAt(hit)) === want ? { path: hit, foundBy: 'name-search' } : null;
  }

  /** Where the footage would be if it kept its place relative to the project (longest match first). */
  #relativeCandidates(originalPath: string): string[] {
    const out: string[] = [];
    if (this.#originalProjectPath) {
      const rel = relativeOriginal(parseOriginalDir(this.#originalProjectPath), originalPath);
      if (rel) out.push(resolve(this.#projectDir, ...rel));
    }
    const { segments } = parseOriginalPath(originalPath);
    for (let k = Math.min(segments.length, MAX_SUFFIX_SEGMENTS); k >= 1; k -= 1) {
      const candidate = join(this.#projectDir, ...segments.slice(-k));
      if (!out.includes(candidate)) out.push(candidate);
    }
    return out;
  }
}

function parseOriginalDir(projectPath: string): string {
  const p = parseOriginalPath(projectPath);
  const parent = p.segments.slice(0, -1);
  return p.windows ? `${p.root}\\${parent.join('\\')}` : `/${parent.join('/')}`;
}

interface NameIndex {
  /** `file:Name.mov` → first path found (breadth first, sorted), likewise for folders. */
  exact: Map<string, string>;
  folded: Map<string, string>;
}

/** One bounded, breadth-first walk of the project's folder, shared by every footage item. */
async function buildNameIndex(root: string, limits: SearchLimits): Promise<NameIndex> {
  const index: NameIndex = { exact: new Map(), folded: new Map() };
  let seen = 0;
  let level = [root];
  for (let depth = 0; depth <= limits.maxDepth && level.length > 0 && seen < limits.maxEntries; depth += 1) {
    const next: string[] = [];
    for (const dir of level) {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue; // unreadable folder: AE would not find anything there either
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (++seen > limits.maxEntries) break;
        const path = join(dir, entry.name);
        // symbolic links are matched by name but never walked into (no cycles)
        const kind: EntryKind | null = entry.isDirectory() ? 'folder' : entry.isFile() || entry.isSymbolicLink() ? 'file' : null;
        if (!kind) continue;
        if (!index.exact.has(`${kind}:${entry.name}`)) index.exact.set(`${kind}:${entry.name}`, path);
        if (!index.folded.has(`${kind}:${entry.name.toLowerCase()}`)) index.folded.set(`${kind}:${entry.name.toLowerCase()}`, path);
        if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) next.push(path);
      }
    }
    level = next;
  }
  return index;
}
