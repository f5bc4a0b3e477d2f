// The deterministic bundle: each file hashed once (streamed, never whole in memory), placed at a
// stable bundle path, listed in the canonical manifest. Sealing is separate (sealFile), because
// only the blobs the coordinator lacks need it.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import {
  bundleManifestSchema,
  BUNDLE_MANIFEST_VERSION,
  canonicalManifestJson,
  newContentKey,
  type BundleFile,
  type BundleFileRole,
  type BundleManifest,
} from '@cloudexport/shared';
import { hashAndEncrypt, manifestId } from '@cloudexport/shared/node';
import { assignAssetPaths, projectBundlePath } from './bundle-paths.js';
import { countBytes } from './count-bytes.js';
import { mapLimited } from './limiter.js';

/** Reads in 1 MiB pieces: at Node's default 64 KiB, hashing and sealing run at a third of their speed. */
const READ_CHUNK_BYTES = 1024 * 1024;

export interface PackAsset {
  /** The absolute path AE recorded; it identifies the asset and picks its bundle path. */
  originalPath: string;
  /** The file on this machine. */
  localPath: string;
  role: Exclude<BundleFileRole, 'project'>;
}

export interface PackOptions {
  /** The project file on this machine. */
  projectPath: string;
  /** Recorded as the project's `originalPath`; default: its absolute path here. */
  projectOriginalPath?: string;
  assets: readonly PackAsset[];
  /** The comp to render, by name, recorded in the manifest; default none. */
  comp?: string;
  /** The tool that packed it, recorded in the manifest; default none. */
  createdBy?: string;
  /** Files hashed at once; default 4. */
  concurrency?: number;
  /** Called as bytes are hashed. */
  onProgress?: (progress: { hashedBytes: number; totalBytes: number }) => void;
  signal?: AbortSignal;
}

export interface PackedFile extends BundleFile {
  localPath: string;
}

export interface PackedBundle {
  manifest: BundleManifest;
  /** canonicalManifestJson(manifest): the same inputs give these same bytes. */
  manifestJson: Uint8Array;
  /** sha256 of manifestJson: what the coordinator calls the bundle's manifestId. */
  manifestId: string;
  /** In the manifest's (canonical) order. */
  files: PackedFile[];
  /** Plaintext bytes of all files. */
  totalBytes: number;
}

/** A file changed between two reads of one export; what was uploaded would not match the manifest. */
export class FileChangedError extends Error {
  override readonly name = 'FileChangedError';
}

/** Hashes every file once and builds the manifest. */
export async function packBundle(options: PackOptions): Promise<PackedBundle> {
  const projectPath = resolve(options.projectPath);
  const paths = assignAssetPaths(options.assets.map((a) => a.originalPath));
  const byOriginal = new Map(options.assets.map((a) => [a.originalPath, a]));
  const entries: Array<{ path: string; localPath: string; role: BundleFileRole; originalPath?: string }> = [
    { path: projectBundlePath(basename(projectPath)), localPath: projectPath, role: 'project', originalPath: options.projectOriginalPath ?? projectPath },
    ...[...byOriginal.values()].map((a) => ({ path: paths.get(a.originalPath)!, localPath: a.localPath, role: a.role, originalPath: a.originalPath })),
  ];
  for (const e of entries) {
    // a path that is not absolute (a relative local path on Windows given as the project's) is left out rather than refused
    if (e.originalPath !== undefined && !isRecordable(e.originalPath)) delete e.originalPath;
  }

  const sizes = await Promise.all(entries.map(async (e) => (await stat(e.localPath)).size));
  const totalBytes = sizes.reduce((n, s) => n + s, 0);
  let hashedBytes = 0;
  const report = (n: number) => {
    hashedBytes += n;
    options.onProgress?.({ hashedBytes, totalBytes });
  };
  const hashed = await mapLimited(entries, options.concurrency ?? 4, (e) => hashFile(e.localPath, report, options.signal));

  const files: PackedFile[] = entries.map((e, i) => ({
    path: e.path,
    size: hashed[i]!.size,
    sha256: hashed[i]!.sha256,
    role: e.role,
    ...(e.originalPath === undefined ? {} : { originalPath: e.originalPath }),
    localPath: e.localPath,
  }));
  const manifest = bundleManifestSchema.parse({
    version: BUNDLE_MANIFEST_VERSION,
    project: { path: entries[0]!.path, ...(options.comp === undefined ? {} : { comp: options.comp }) },
    files: files.map(({ localPath: _, ...file }) => file),
    ...(options.createdBy === undefined ? {} : { createdBy: options.createdBy }),
  });
  const manifestJson = canonicalManifestJson(manifest);
  // the manifest's own order: UTF-8 byte order of the paths
  files.sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
  return { manifest, manifestJson, manifestId: manifestId(manifest), files, totalBytes: files.reduce((n, f) => n + f.size, 0) };
}

function isRecordable(path: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\[^\\])/.test(path) && !path.includes('\0') && path.length <= 4096;
}

async function hashFile(path: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES, ...(signal ? { signal } : {}) })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes((chunk as Buffer).length);
  }
  return { sha256: hash.digest('hex'), size };
}

export interface SealedBlob {
  sha256: string;
  size: number;
  sealedSize: number;
  recordSize: number;
  /** This blob's own content key (never reused for another blob). */
  key: Uint8Array;
  /** The sealed copy; delete it when uploaded. */
  sealedPath: string;
}

export interface SealOptions {
  /** A folder for the sealed copy. */
  tempDir: string;
  /** Plaintext bytes per record; default the format's (1 MiB). */
  recordSize?: number;
  /** Called as plaintext bytes are sealed. */
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

/**
 * Seals one file of the bundle under a fresh content key into a temp file, hashing it again in
 * the same pass: if it no longer matches the manifest (edited during the export), nothing is kept.
 */
export async function sealFile(file: Pick<PackedFile, 'path' | 'localPath' | 'sha256' | 'size'>, options: SealOptions): Promise<SealedBlob> {
  if (!isAbsolute(options.tempDir)) throw new Error(`sealFile: tempDir must be absolute, got "${options.tempDir}".`);
  const key = newContentKey();
  const sealedPath = join(options.tempDir, `${file.sha256}.${randomBytes(6).toString('hex')}.sealed`);
  try {
    const source = countBytes(createReadStream(file.localPath, { highWaterMark: READ_CHUNK_BYTES, ...(options.signal ? { signal: options.signal } : {}) }), options.onBytes);
    const result = await hashAndEncrypt(source, createWriteStream(sealedPath, { mode: 0o600 }), key, options.recordSize === undefined ? {} : { recordSize: options.recordSize });
    if (result.sha256 !== file.sha256 || result.plainBytes !== file.size) {
      throw new FileChangedError(`${file.localPath} (${file.path} in the bundle) changed while it was being exported. Save your work and export again.`);
    }
    return { sha256: file.sha256, size: file.size, sealedSize: result.sealedBytes, recordSize: result.recordSize, key, sealedPath };
  } catch (err) {
    await rm(sealedPath, { force: true });
    throw err;
  }
}
