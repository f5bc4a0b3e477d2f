import path from 'node:path';
import type { ProbeDeps } from './probe-deps.js';

const MB = 1024 * 1024;

function ancestors(p: path.PlatformPath, dir: string): string[] {
  const chain = [];
  for (let d = p.resolve(dir); ; d = p.dirname(d)) {
    chain.push(d);
    if (p.dirname(d) === d) return chain;
  }
}

/**
 * Free MB on the filesystem holding `workDir`. statfs first (exact, and the folder may not exist
 * yet, so its nearest existing parent counts); systeminformation's mount list if statfs fails.
 */
export async function freeDiskMb(deps: Pick<ProbeDeps, 'statfs' | 'si' | 'platform'>, workDir: string): Promise<number> {
  const p = deps.platform === 'win32' ? path.win32 : path.posix;
  const chain = ancestors(p, workDir);
  for (const dir of chain) {
    try {
      const s = await deps.statfs(dir);
      return Math.floor((s.bavail * s.bsize) / MB);
    } catch {
      // missing folder: try its parent
    }
  }
  const target = chain[0] ?? workDir;
  const norm = (s: string) => (deps.platform === 'win32' ? s.toLowerCase().replace(/\//g, '\\') : s);
  const within = (mount: string) => {
    const m = norm(mount);
    const t = norm(target);
    return t === m || t.startsWith(m.endsWith(p.sep) ? m : m + p.sep);
  };
  const mounts = (await deps.si.fsSize()).filter((f) => f.mount && within(f.mount));
  const best = mounts.sort((a, b) => b.mount.length - a.mount.length)[0];
  if (!best) throw new Error(`No filesystem found for ${workDir}`);
  return Math.floor(best.available / MB);
}
