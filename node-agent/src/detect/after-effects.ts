import path from 'node:path';
import type { AeInstall } from '@cloudexport/shared';
import { aeYearFromPath, majorForAeYear, parseAerenderVersion } from './ae-version.js';
import type { ProbeDeps } from './probe-deps.js';

export interface DetectedAeInstall extends AeInstall {
  /** True when aerender did not tell its version and `major` came from the folder's year. */
  versionInferred: boolean;
}

export interface AeProblem {
  path: string;
  message: string;
}

export interface AeDetection {
  /** Newest first. */
  installs: DetectedAeInstall[];
  problems: AeProblem[];
}

export interface DetectAeOptions {
  /** An aerender path (or its folder) from `--aerender`; replaces detection, and wins over AERENDER_PATH. */
  override?: string;
  /** How long one aerender may take to print its banner. Default 3000 ms. */
  timeoutMs?: number;
}

const FIRST_AE_YEAR = 2020;
const BETA_FOLDER = 'Adobe After Effects (Beta)';

type AeDeps = Pick<ProbeDeps, 'exec' | 'fileExists' | 'env' | 'platform' | 'now'>;

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Where the AE installer puts aerender, for every year from 2020 to next year (the early-release build), plus the beta. */
export function standardAerenderPaths(platform: NodeJS.Platform, env: AeDeps['env'], now: Date): string[] {
  const folders = [];
  for (let year = now.getFullYear() + 1; year >= FIRST_AE_YEAR; year--) folders.push(`Adobe After Effects ${year}`);
  folders.push(BETA_FOLDER);
  if (platform === 'win32') {
    const programFiles = env['ProgramFiles'] ?? env['PROGRAMFILES'] ?? 'C:\\Program Files';
    return folders.map((f) => path.win32.join(programFiles, 'Adobe', f, 'Support Files', 'aerender.exe'));
  }
  if (platform === 'darwin') return folders.map((f) => path.posix.join('/Applications', f, 'aerender'));
  return []; // AE runs on Windows and macOS only; elsewhere only an explicit path counts
}

/** An override may name aerender itself or the AE folder holding it. */
async function resolveOverride(deps: AeDeps, given: string): Promise<string | null> {
  const p = pathFor(deps.platform);
  const exe = deps.platform === 'win32' ? 'aerender.exe' : 'aerender';
  for (const candidate of [given, p.join(given, exe), p.join(given, 'Support Files', exe)]) {
    if (await deps.fileExists(candidate)) return candidate;
  }
  return null;
}

async function readVersion(deps: AeDeps, aerender: string, timeoutMs: number): Promise<{ version: string; major: number } | { reason: string }> {
  try {
    const result = await deps.exec(aerender, ['-help'], { timeoutMs });
    // aerender's exit code for -help differs across versions; the banner line is what counts.
    const parsed = parseAerenderVersion(`${result.stdout}\n${result.stderr}`);
    if (parsed) return parsed;
    if (result.timedOut) return { reason: `it did not answer within ${Math.round(timeoutMs / 1000)} s` };
    return { reason: `it exited with code ${result.code ?? 'none'} without printing "aerender version"` };
  } catch (error) {
    return { reason: `it could not be started (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}

async function describe(deps: AeDeps, aerender: string, timeoutMs: number): Promise<{ install: DetectedAeInstall; problem?: AeProblem }> {
  const read = await readVersion(deps, aerender, timeoutMs);
  if (!('reason' in read)) return { install: { ...read, path: aerender, versionInferred: false } };
  const year = aeYearFromPath(aerender);
  if (year !== null) {
    const major = majorForAeYear(year);
    return {
      install: { version: String(major), major, path: aerender, versionInferred: true },
      problem: {
        path: aerender,
        message: `Could not read the version of ${aerender}: ${read.reason}. Assuming After Effects ${year} (version ${major}) from its folder name.`,
      },
    };
  }
  // Major 0 keeps version-gated features (multi-frame rendering needs ≥ 22) off until it is known.
  return {
    install: { version: 'unknown', major: 0, path: aerender, versionInferred: true },
    problem: {
      path: aerender,
      message: `Could not read the version of ${aerender}: ${read.reason}, and its folder name has no year. Check that it runs: "${aerender}" -help`,
    },
  };
}

/**
 * Finds aerender in the standard install folders, or only at the override (`opts.override`,
 * else AERENDER_PATH), and reads each one's version. Never throws: what went wrong is in `problems`.
 */
export async function detectAeInstalls(deps: AeDeps, opts: DetectAeOptions = {}): Promise<AeDetection> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const envOverride = deps.env['AERENDER_PATH']?.trim();
  const override = opts.override?.trim() || envOverride || undefined;

  let found: string[];
  if (override !== undefined) {
    const resolved = await resolveOverride(deps, override);
    if (resolved === null) {
      const source = opts.override?.trim() ? '--aerender' : 'AERENDER_PATH';
      return {
        installs: [],
        problems: [
          {
            path: override,
            message: `aerender not found at ${override} (from ${source}). Point it at aerender${deps.platform === 'win32' ? '.exe' : ''} in the After Effects folder, or remove it to search the standard locations.`,
          },
        ],
      };
    }
    found = [resolved];
  } else {
    const candidates = standardAerenderPaths(deps.platform, deps.env, deps.now());
    const exists = await Promise.all(candidates.map((c) => deps.fileExists(c).catch(() => false)));
    found = candidates.filter((_, i) => exists[i]);
  }

  const described = await Promise.all(found.map((aerender) => describe(deps, aerender, timeoutMs)));
  return {
    installs: described.map((d) => d.install).sort((a, b) => b.major - a.major),
    problems: described.flatMap((d) => (d.problem ? [d.problem] : [])),
  };
}
