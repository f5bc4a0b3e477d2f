// What a project needs to render elsewhere: its footage files found on this machine, what is
// missing (and which comps it breaks), its effects. Reported before anything is uploaded.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readAep, type AepFootage, type AepProject, type ReadAepOptions } from '@cloudexport/shared';
import { assetRole, type AssetRole } from './asset-role.js';
import { thirdPartyEffects } from './effect-origin.js';
import { FootageLocator, type FoundBy, type SearchLimits } from './locate-footage.js';
import { originalChild, originalSibling } from './original-path.js';

export interface CollectOptions {
  /** The project file on this machine. */
  projectPath: string;
  /** Where the project was saved, as AE knows it (the panel's host can tell; the CLI cannot); default unknown. */
  originalProjectPath?: string;
  /** Bounds of the search by file name in the project's folder; default 4 levels, 50 000 entries. */
  search?: Partial<SearchLimits>;
  /** readAep's caps on hostile files; default readAep's. */
  readLimits?: ReadAepOptions['limits'];
}

export interface CollectedAsset {
  /** The absolute path AE recorded (Windows or macOS form); the node relinks it to the bundle copy. */
  originalPath: string;
  /** Where it was found here. */
  localPath: string;
  size: number;
  role: AssetRole;
  foundBy: FoundBy;
  /** The footage items it belongs to (one file may back several items; a sequence has one item, many files). */
  footageIds: number[];
  /** Comps with a layer using it directly, sorted. */
  usedBy: string[];
}

export interface MissingFootage {
  footageId: number;
  name: string;
  /** `placeholder`: AE has no file for it at all. */
  kind: 'file' | 'placeholder';
  originalPath: string | null;
  usedBy: string[];
}

export interface CollectedProject {
  /** Absolute path of the project file here. */
  projectPath: string;
  projectSize: number;
  project: AepProject;
  /** Sorted by original path; one entry per file. */
  assets: CollectedAsset[];
  missing: MissingFootage[];
  /** Match names of every effect the project uses. */
  effects: string[];
  /** Effects that are probably not AE's own, so the node needs the plugin. */
  thirdPartyEffects: string[];
  /** PostScript names of the fonts the project's text layers use, sorted. */
  fonts: string[];
  /** Bytes of the project and every found asset. */
  totalBytes: number;
}

/** Frames of an image sequence, or files of a footage folder, taken at most. */
const MAX_FILES_PER_ITEM = 100_000;

export async function collectProject(options: CollectOptions): Promise<CollectedProject> {
  const projectPath = resolve(options.projectPath);
  const bytes = await readFile(projectPath);
  const project = readAep(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options.readLimits ? { limits: options.readLimits } : {});
  const locator = new FootageLocator(dirname(projectPath), { originalProjectPath: options.originalProjectPath, limits: options.search });
  const usedBy = directUsers(project);

  const assets = new Map<string, CollectedAsset>();
  const missing: MissingFootage[] = [];
  for (const footage of project.footage) {
    if (footage.kind === 'solid') continue;
    const users = usedBy.get(footage.id) ?? [];
    if (footage.kind === 'placeholder' || footage.path === null) {
      missing.push({ footageId: footage.id, name: footage.name, kind: 'placeholder', originalPath: null, usedBy: users });
      continue;
    }
    const files = await filesOf(locator, footage, footage.path);
    if (!files) {
      missing.push({ footageId: footage.id, name: footage.name, kind: 'file', originalPath: footage.path, usedBy: users });
      continue;
    }
    for (const file of files) {
      const known = assets.get(file.originalPath);
      if (known) {
        known.footageIds.push(footage.id);
        known.usedBy = [...new Set([...known.usedBy, ...users])].sort();
        continue;
      }
      assets.set(file.originalPath, {
        originalPath: file.originalPath,
        localPath: file.localPath,
        size: file.size,
        role: assetRole(basename(file.localPath), footage),
        foundBy: file.foundBy,
        footageIds: [footage.id],
        usedBy: users,
      });
    }
  }
  const sorted = [...assets.values()].sort((a, b) => (a.originalPath < b.originalPath ? -1 : a.originalPath > b.originalPath ? 1 : 0));
  return {
    projectPath,
    projectSize: bytes.byteLength,
    project,
    assets: sorted,
    missing,
    effects: project.effects,
    thirdPartyEffects: thirdPartyEffects(project.effects),
    fonts: project.fonts,
    totalBytes: bytes.byteLength + sorted.reduce((n, a) => n + a.size, 0),
  };
}

interface FoundFile {
  originalPath: string;
  localPath: string;
  size: number;
  foundBy: FoundBy;
}

/** The files behind one footage item: one file, every frame of a sequence, or a folder's files; null when not found. */
async function filesOf(locator: FootageLocator, footage: AepFootage, originalPath: string): Promise<FoundFile[] | null> {
  const located = await locator.locate(originalPath, footage.pathIsFolder ? 'folder' : 'file');
  if (!located) return null;
  if (footage.pathIsFolder) {
    const names = (await listFiles(located.path)).filter((n) => !n.startsWith('.'));
    return sized(located.path, names.slice(0, MAX_FILES_PER_ITEM), (n) => originalChild(originalPath, n), located.foundBy);
  }
  if (footage.isSequence === true) {
    const frames = sequenceFrames(basename(located.path), await listFiles(dirname(located.path)));
    return sized(dirname(located.path), frames.slice(0, MAX_FILES_PER_ITEM), (n) => originalSibling(originalPath, n), located.foundBy);
  }
  const size = await sizeOf(located.path);
  return size === null ? null : [{ originalPath, localPath: located.path, size, foundBy: located.foundBy }];
}

async function sized(dir: string, names: string[], original: (name: string) => string, foundBy: FoundBy): Promise<FoundFile[] | null> {
  const out: FoundFile[] = [];
  for (const name of names) {
    const size = await sizeOf(join(dir, name));
    if (size !== null) out.push({ originalPath: original(name), localPath: join(dir, name), size, foundBy });
  }
  return out.length > 0 ? out : null;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name).sort();
}

/** The frames of the sequence `first` belongs to: same name around its last run of digits (`shot_0001.exr`). */
export function sequenceFrames(first: string, siblings: readonly string[]): string[] {
  const m = /^(.*?)(\d+)(\D*)$/.exec(first);
  if (!m) return [first];
  const [, prefix, , suffix] = m as unknown as [string, string, string, string];
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`^${escape(prefix)}\\d+${escape(suffix)}$`, 'i');
  const frames = siblings.filter((n) => frame.test(n));
  return frames.includes(first) ? frames : [first, ...frames].sort();
}

/** Footage and comp id → names of the comps with a layer using it directly, sorted. */
function directUsers(project: AepProject): Map<number, string[]> {
  const users = new Map<number, Set<string>>();
  for (const comp of project.compositions) {
    for (const layer of comp.layers) {
      if (layer.sourceId === null) continue;
      const set = users.get(layer.sourceId) ?? new Set<string>();
      set.add(comp.name);
      users.set(layer.sourceId, set);
    }
  }
  return new Map([...users].map(([id, names]) => [id, [...names].sort()]));
}

/** Every item (footage or precomp) a comp renders, through nested precomps; cycles are safe. */
export function itemsUsedByComp(project: AepProject, compId: number): Set<number> {
  const comps = new Map(project.compositions.map((c) => [c.id, c]));
  const seen = new Set<number>();
  const queue = [compId];
  for (let i = 0; i < queue.length; i += 1) {
    for (const layer of comps.get(queue[i]!)?.layers ?? []) {
      if (layer.sourceId === null || seen.has(layer.sourceId)) continue;
      seen.add(layer.sourceId);
      if (comps.has(layer.sourceId)) queue.push(layer.sourceId);
    }
  }
  return seen;
}
