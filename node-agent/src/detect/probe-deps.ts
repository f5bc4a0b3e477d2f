import type { Systeminformation } from 'systeminformation';

export interface ExecResult {
  /** Exit code; null when the process was killed (timeout or signal). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a program without a shell. Rejects only when it cannot be started at all
 * (ENOENT, EACCES); a non-zero exit or a timeout resolves.
 */
export type ExecRunner = (cmd: string, args: readonly string[], opts: { timeoutMs: number }) => Promise<ExecResult>;

export interface StatfsResult {
  /** Blocks available to an unprivileged user. */
  bavail: number;
  bsize: number;
}

/** The slice of `systeminformation` the probes use, so a test can hand in recorded output. */
export interface SiLike {
  graphics(): Promise<Pick<Systeminformation.GraphicsData, 'controllers'>>;
  cpu(): Promise<Pick<Systeminformation.CpuData, 'manufacturer' | 'brand' | 'cores' | 'physicalCores'>>;
  mem(): Promise<Pick<Systeminformation.MemData, 'total'>>;
  fsSize(): Promise<Pick<Systeminformation.FsSizeData, 'mount' | 'available'>[]>;
}

/** Everything the detectors touch on the machine. `createProbeDeps()` gives the real ones. */
export interface ProbeDeps {
  exec: ExecRunner;
  fileExists(path: string): Promise<boolean>;
  statfs(path: string): Promise<StatfsResult>;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  host: { release: string; arch: string; hostname: string };
  si: SiLike;
  now(): Date;
}
