// Lays a bundle out from the blob cache: every manifest file at its path under the bundle folder,
// hard-linked to its cached blob (copied where the disk cannot link). The coordinator validates
// manifests, but a node trusts nothing it is sent about its own disk: every path is checked again
// here, and nothing is ever written through a link.
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { bundlePathKey, bundlePathProblem } from '@cloudexport/shared';

/** The part of a manifest extraction reads. */
export interface ExtractFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ExtractManifest {
  project: { path: string };
  files: readonly ExtractFile[];
}

export interface ExtractedBundle {
  dir: string;
  /** Absolute path of the project file. */
  projectPath: string;
  /** Bundle path → absolute native path, for every file. */
  files: Map<string, string>;
}

/** The bundle cannot be laid out safely; nothing of it is left behind. */
export class BundleExtractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleExtractError';
  }
}

const refuse = (file: string, problem: string) => new BundleExtractError(`Bundle refused: "${file}" ${problem}. Nothing was extracted.`);

/** Why bundle path `p` cannot be placed under `dir`, or null. Checked here whatever the manifest schema said. */
export function unsafePathProblem(dir: string, p: unknown): string | null {
  if (typeof p !== 'string' || p.length === 0) return 'is not a path';
  if (path.posix.isAbsolute(p) || path.win32.isAbsolute(p) || /^[A-Za-z]:/.test(p)) return 'is an absolute path';
  if (p.includes('\\')) return 'contains a backslash (a separator on Windows)';
  const segments = p.split('/');
  if (segments.some((s) => s === '..')) return 'has a ".." segment, which would leave the bundle folder';
  const problem = bundlePathProblem(p);
  if (problem) return problem;
  const target = path.resolve(dir, ...segments);
  const inside = path.relative(dir, target);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return 'resolves outside the bundle folder';
  return null;
}

/**
 * Places every file of `manifest` under `dir` from `blobPath(sha256)`. Refuses, before writing
 * anything, absolute paths, `..`, paths resolving outside `dir`, duplicate paths and sizes that
 * are not whole byte counts; while writing, any link or file in the way and any blob whose size is
 * not the manifest's.
 */
export async function extractBundle(manifest: ExtractManifest, dir: string, blobPath: (sha256: string) => string): Promise<ExtractedBundle> {
  const root = path.resolve(dir);
  const seen = new Set<string>();
  const files = new Map<string, string>();
  for (const file of manifest.files) {
    const problem = unsafePathProblem(root, file.path);
    if (problem) throw refuse(String(file.path), problem);
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw refuse(file.path, `has an impossible size (${file.size})`);
    const key = bundlePathKey(file.path);
    if (seen.has(key)) throw refuse(file.path, 'is listed twice (Windows and macOS ignore case)');
    seen.add(key);
    files.set(file.path, path.join(root, ...file.path.split('/')));
  }
  const projectPath = files.get(manifest.project.path);
  if (!projectPath) throw refuse(manifest.project.path, 'is the project but not one of the bundle files');

  await ensureRealDir(root, manifest.project.path);
  try {
    const made = new Set<string>([root]);
    for (const file of manifest.files) await place(root, file, files.get(file.path)!, blobPath(file.sha256), made);
  } catch (err) {
    await rm(root, { recursive: true, force: true, maxRetries: 3 }); // rm unlinks links, never follows them
    throw err;
  }
  return { dir: root, projectPath, files };
}

async function ensureRealDir(dir: string, file: string): Promise<void> {
  const info = await lstat(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
  if (!info) return void (await mkdir(dir, { recursive: true }));
  if (info.isSymbolicLink()) throw refuse(file, `cannot be placed: the bundle folder ${dir} is a link`);
  if (!info.isDirectory()) throw refuse(file, `cannot be placed: ${dir} is not a folder`);
}

async function place(root: string, file: ExtractFile, target: string, source: string, made: Set<string>): Promise<void> {
  // each folder on the way is created by us or is a real folder: never a link, never a file
  const segments = file.path.split('/');
  let dir = root;
  for (const segment of segments.slice(0, -1)) {
    dir = path.join(dir, segment);
    if (made.has(dir)) continue;
    const info = await lstat(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
    if (info?.isSymbolicLink()) throw refuse(file.path, `cannot be placed: ${path.relative(root, dir)} is a link, which could lead outside the bundle folder`);
    if (info && !info.isDirectory()) throw refuse(file.path, `cannot be placed: ${path.relative(root, dir)} is not a folder`);
    if (!info) await mkdir(dir);
    made.add(dir);
  }
  const blob = await lstat(source).catch(() => null);
  if (!blob?.isFile()) throw refuse(file.path, `cannot be placed: its blob ${file.sha256.slice(0, 12)} is not in the cache`);
  if (blob.size !== file.size) throw refuse(file.path, `is ${blob.size} bytes in the cache, not the ${file.size} the manifest says`);
  // link and COPYFILE_EXCL both fail on anything already at the target, a dangling link included
  try {
    await link(source, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw refuse(file.path, 'cannot be placed: something is already in the way');
    try {
      await copyFile(source, target, constants.COPYFILE_EXCL);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') throw refuse(file.path, 'cannot be placed: something is already in the way');
      throw copyErr;
    }
  }
  const placed = await lstat(target);
  if (!placed.isFile() || placed.size !== file.size) throw refuse(file.path, `came out at ${placed.size} bytes, not the ${file.size} the manifest says`);
}
