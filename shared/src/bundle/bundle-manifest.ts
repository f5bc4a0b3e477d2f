// The bundle manifest: what a bundle holds, and its canonical bytes (same inputs → same bytes →
// same manifest id). Bundle paths are chosen by the packer and extracted on Windows, macOS and
// Linux nodes, so they must be relative, portable, and distinct on a case-insensitive disk.
import { z } from 'zod';

export const BUNDLE_MANIFEST_VERSION = 1;
export const MAX_BUNDLE_PATH_LENGTH = 1024;
const MAX_SEGMENT_LENGTH = 255;

export const bundleFileRoles = ['project', 'footage', 'audio', 'font', 'other'] as const;
export type BundleFileRole = (typeof bundleFileRoles)[number];

// Windows cannot create these names (with or without an extension) in any folder.
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const WINDOWS_FORBIDDEN_CHAR = /[<>:"|?*]/;
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Why `path` is not an acceptable bundle-relative path, or null when it is. */
export function bundlePathProblem(path: string): string | null {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_BUNDLE_PATH_LENGTH) return `is longer than ${MAX_BUNDLE_PATH_LENGTH} characters`;
  if (path.includes('\0')) return 'contains a NUL character';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return 'is absolute; bundle paths are relative to the bundle folder';
  if (path.includes('\\')) return 'contains a backslash; bundle paths use forward slashes';
  if (CONTROL_CHAR.test(path)) return 'contains a control character';
  if (LONE_SURROGATE.test(path)) return 'is not well-formed Unicode';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment (a doubled or trailing "/")';
    if (segment === '..') return 'has a ".." segment, which would leave the bundle folder';
    if (segment === '.') return 'has a "." segment';
    if (segment.length > MAX_SEGMENT_LENGTH) return `has a segment longer than ${MAX_SEGMENT_LENGTH} characters`;
    if (WINDOWS_FORBIDDEN_CHAR.test(segment)) return 'contains one of < > : " | ? *, which Windows nodes cannot create';
    if (/[. ]$/.test(segment)) return 'has a segment ending in "." or " ", which Windows silently strips';
    if (WINDOWS_DEVICE_NAME.test(segment)) return `has the segment "${segment}", a reserved device name on Windows`;
  }
  return null;
}

/** How Windows (case-insensitive) and macOS (case- and normalization-insensitive) see a path. */
export function bundlePathKey(path: string): string {
  return path.normalize('NFC').toUpperCase();
}

export const bundlePathSchema = z.string().superRefine((path, ctx) => {
  const problem = bundlePathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: `Bundle path ${JSON.stringify(path)} ${problem}.` });
});

/** The file's absolute path on the artist's machine (Windows or macOS), kept to relink it on the node. */
export const originalPathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'Original path contains a NUL character.')
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\[^\\])/.test(p), 'Original path must be absolute (/…, C:\\…, or \\\\server\\…).');

export const bundleFileSchema = z
  .object({
    path: bundlePathSchema,
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits.'),
    role: z.enum(bundleFileRoles),
    originalPath: originalPathSchema.optional(),
  })
  .strict();
export type BundleFile = z.infer<typeof bundleFileSchema>;

export const bundleManifestSchema = z
  .object({
    version: z.literal(BUNDLE_MANIFEST_VERSION),
    project: z
      .object({
        path: bundlePathSchema,
        /** The comp to render, by name. */
        comp: z.string().min(1).max(1024).optional(),
      })
      .strict(),
    files: z.array(bundleFileSchema).min(1).max(1_000_000),
    /** The tool that packed it, e.g. "cloudexport-panel 0.1.0 (AE 24.1)". */
    createdBy: z.string().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const files = new Map<string, number>();
    const folders = new Set<string>();
    manifest.files.forEach((file, i) => {
      const key = bundlePathKey(file.path);
      const earlier = files.get(key);
      if (earlier !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `Bundle path "${file.path}" is listed twice (as "${manifest.files[earlier]?.path}" too; Windows and macOS nodes ignore case).` });
      } else {
        files.set(key, i);
      }
      const parts = key.split('/');
      for (let n = 1; n < parts.length; n += 1) folders.add(parts.slice(0, n).join('/'));
    });
    for (const [key, i] of files) {
      if (folders.has(key)) ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `Bundle path "${manifest.files[i]?.path}" is both a file and a folder of other files.` });
    }
    const project = manifest.files.find((f) => f.path === manifest.project.path);
    if (!project || project.role !== 'project') {
      ctx.addIssue({ code: 'custom', path: ['project', 'path'], message: `The project "${manifest.project.path}" must be one of the files, with role "project".` });
    }
  });
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** Manifest bytes that are not valid, or not in canonical form. */
export class BundleManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleManifestError';
  }
}

const utf8 = new TextEncoder();

/** UTF-8 byte order (= code point order), the same in every language, unlike UTF-16 order. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The manifest's canonical bytes: validated, files sorted by path (UTF-8 byte order), keys in a
 * fixed order, absent optionals left out, no whitespace. The manifest id is the sha256 of these.
 */
export function canonicalManifestJson(manifest: BundleManifest): Uint8Array {
  const m = bundleManifestSchema.parse(manifest);
  const files = m.files
    .map((file) => ({ file, key: utf8.encode(file.path) }))
    .sort((a, b) => compareBytes(a.key, b.key))
    .map(({ file }) => ({
      path: file.path,
      size: file.size,
      sha256: file.sha256,
      role: file.role,
      ...(file.originalPath === undefined ? {} : { originalPath: file.originalPath }),
    }));
  const canonical = {
    version: m.version,
    project: { path: m.project.path, ...(m.project.comp === undefined ? {} : { comp: m.project.comp }) },
    files,
    ...(m.createdBy === undefined ? {} : { createdBy: m.createdBy }),
  };
  return utf8.encode(JSON.stringify(canonical));
}

/** Reads manifest bytes as received from storage; refuses invalid or non-canonical bytes, so one manifest has one id. */
export function parseManifestJson(bytes: Uint8Array): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new BundleManifestError('Bundle manifest is not valid UTF-8 JSON: the bundle is damaged. Export it again.');
  }
  const parsed = bundleManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new BundleManifestError(`Bundle manifest is invalid: ${parsed.error.issues.map((i) => i.message).join(' ')}`);
  }
  const canonical = canonicalManifestJson(parsed.data);
  if (canonical.length !== bytes.length || compareBytes(canonical, bytes) !== 0) {
    throw new BundleManifestError('Bundle manifest is not in canonical form (files sorted by path, fixed key order, no whitespace): it was not written by canonicalManifestJson.');
  }
  return parsed.data;
}
