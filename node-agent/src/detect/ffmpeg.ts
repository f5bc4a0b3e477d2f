import path from 'node:path';
import type { ProbeDeps } from './probe-deps.js';

export interface FfmpegInfo {
  path: string;
  /** The token after "ffmpeg version": `5.1.6-0+deb12u1`, `n6.1`, `2023-04-12-git-…-full_build-www.gyan.dev`. */
  version: string;
  /** Which of `REPORTED_ENCODERS` this build has. */
  encoders: string[];
}

/** The encoders chunk assembly can use; the report lists only these (it caps the list). */
export const REPORTED_ENCODERS = ['libx264', 'libx265', 'prores_ks', 'prores_aw', 'h264_nvenc', 'hevc_nvenc', 'h264_videotoolbox', 'libvpx-vp9', 'png', 'aac', 'pcm_s16le'] as const;
export const REQUIRED_ENCODERS = ['libx264', 'prores_ks'] as const;

type FfmpegDeps = Pick<ProbeDeps, 'exec' | 'fileExists' | 'env' | 'platform'>;

export function parseFfmpegVersion(output: string): string | null {
  const firstLine = output.split(/\r?\n/, 1)[0] ?? '';
  return /^\s*ffmpeg version\s+(\S+)/i.exec(firstLine)?.[1] ?? null;
}

/** Names from `ffmpeg -hide_banner -encoders` (` V....D libx264   libx264 H.264 …`), legend skipped. */
export function parseFfmpegEncoders(output: string): Set<string> {
  const lines = output.split(/\r?\n/);
  const rule = lines.findIndex((l) => /^\s*-{3,}\s*$/.test(l));
  const names = new Set<string>();
  for (const line of rule >= 0 ? lines.slice(rule + 1) : lines) {
    const match = /^\s*[VAS][A-Z.]{5}\s+(\S+)/.exec(line);
    if (match?.[1] && match[1] !== '=') names.add(match[1]);
  }
  return names;
}

/** Windows keeps `Path`, not `PATH`, and a copied env loses process.env's case-insensitivity. */
function envValue(env: FfmpegDeps['env'], name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** FFMPEG_PATH if set, else the first ffmpeg on PATH; null when there is none. */
export async function findFfmpeg(deps: FfmpegDeps): Promise<string | null> {
  const explicit = envValue(deps.env, 'FFMPEG_PATH')?.trim();
  if (explicit) return (await deps.fileExists(explicit)) ? explicit : null;
  const p = deps.platform === 'win32' ? path.win32 : path.posix;
  const exe = deps.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  const dirs = (envValue(deps.env, 'PATH') ?? '').split(p.delimiter).filter((d) => d.trim() !== '');
  for (const dir of dirs) {
    const candidate = p.join(dir.replace(/^"|"$/g, ''), exe);
    if (await deps.fileExists(candidate)) return candidate;
  }
  return null;
}

/** Finds ffmpeg and asks it its version and encoders. Null when absent or it will not run. */
export async function detectFfmpeg(deps: FfmpegDeps, opts: { timeoutMs?: number } = {}): Promise<FfmpegInfo | null> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const ffmpeg = await findFfmpeg(deps);
  if (ffmpeg === null) return null;
  try {
    const [versionRun, encodersRun] = await Promise.all([
      deps.exec(ffmpeg, ['-version'], { timeoutMs }),
      deps.exec(ffmpeg, ['-hide_banner', '-encoders'], { timeoutMs }),
    ]);
    const version = parseFfmpegVersion(versionRun.stdout);
    if (versionRun.code !== 0 || version === null) return null;
    const available = encodersRun.code === 0 ? parseFfmpegEncoders(encodersRun.stdout) : new Set<string>();
    // The machine report caps the version at 100 characters.
    return { path: ffmpeg, version: version.slice(0, 100), encoders: REPORTED_ENCODERS.filter((e) => available.has(e)) };
  } catch {
    return null;
  }
}
