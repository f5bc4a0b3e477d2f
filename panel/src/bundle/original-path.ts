// Paths as After Effects recorded them on the machine that saved the project: Windows
// (`C:\…`, `\\server\share\…`) or macOS (`/…`), whatever machine reads them now.

export interface OriginalPath {
  /** `C:`, `\\server\share` or `/`; compared case-insensitively on Windows. */
  root: string;
  /** Folders and file name below the root. */
  segments: string[];
  windows: boolean;
  /** The separator the path was written with, for paths made from it. */
  separator: '\\' | '/';
}

export function parseOriginalPath(path: string): OriginalPath {
  const unc = /^\\\\([^\\/]+)[\\/]([^\\/]+)(.*)$/.exec(path);
  if (unc) return { root: `\\\\${unc[1]}\\${unc[2]}`, segments: split(unc[3]!, /[\\/]/), windows: true, separator: '\\' };
  const drive = /^([A-Za-z]:)(.*)$/.exec(path);
  if (drive) return { root: drive[1]!.toUpperCase(), segments: split(drive[2]!, /[\\/]/), windows: true, separator: path.includes('\\') ? '\\' : '/' };
  return { root: '/', segments: split(path, /\//), windows: false, separator: '/' };
}

function split(rest: string, by: RegExp): string[] {
  return rest.split(by).filter((s) => s !== '' && s !== '.');
}

/** The last segment: the file (or folder) name. */
export function originalBaseName(path: string): string {
  const { segments } = parseOriginalPath(path);
  return segments[segments.length - 1] ?? '';
}

/** A sibling of `path` (same folder, other name), written the way `path` was. */
export function originalSibling(path: string, name: string): string {
  const p = parseOriginalPath(path);
  return joinOriginal(p, [...p.segments.slice(0, -1), name]);
}

/** A child of the folder `path`, written the way `path` was. */
export function originalChild(path: string, name: string): string {
  const p = parseOriginalPath(path);
  return joinOriginal(p, [...p.segments, name]);
}

function joinOriginal(p: OriginalPath, segments: string[]): string {
  if (!p.windows) return `/${segments.join('/')}`;
  return `${p.root}${p.separator}${segments.join(p.separator)}`;
}

/**
 * The way from the folder `fromDir` to `to`, as `..` and names, or null when they share no root
 * (another drive or server). Windows paths compare case-insensitively, as Windows does.
 */
export function relativeOriginal(fromDir: string, to: string): string[] | null {
  const a = parseOriginalPath(fromDir);
  const b = parseOriginalPath(to);
  const fold = (s: string) => (a.windows ? s.toLowerCase() : s);
  if (a.windows !== b.windows || fold(a.root) !== fold(b.root)) return null;
  let common = 0;
  while (common < a.segments.length && common < b.segments.length - 1 && fold(a.segments[common]!) === fold(b.segments[common]!)) common += 1;
  return [...a.segments.slice(common).map(() => '..'), ...b.segments.slice(common)];
}
