import { detectAeInstalls, type AeProblem, type DetectedAeInstall } from './after-effects.js';
import { detectFfmpeg, type FfmpegInfo } from './ffmpeg.js';
import { freeDiskMb } from './free-disk.js';
import { detectGpuDetails, type DetectedGpu } from './gpus.js';
import type { ProbeDeps } from './probe-deps.js';

export interface MachineInfo {
  /** Largest VRAM first. */
  gpus: DetectedGpu[];
  cpu: { model: string; cores: number };
  ramMb: number;
  /** Free space on the filesystem holding the work directory. */
  freeDiskMb: number;
  os: { platform: string; release: string; arch: string; hostname: string };
  /** Newest first. */
  aeInstalls: DetectedAeInstall[];
  aeProblems: AeProblem[];
  ffmpeg: FfmpegInfo | null;
  /** nvidia-smi ran and answered. */
  nvidiaSmi: boolean;
  /** Probes that failed or ran out of time; their fields hold the fallback (0, [], null). */
  probeFailures: { probe: string; message: string }[];
}

export interface DetectMachineOptions {
  /** Where chunks are rendered; its filesystem's free space is reported. */
  workDir: string;
  /** aerender path from `--aerender`; replaces AE detection. */
  aerenderOverride?: string;
  /** Whole-detection deadline; a probe still running then reports its fallback. Default 4500 ms. */
  timeoutMs?: number;
}

const MB = 1024 * 1024;

/**
 * Everything the agent reports about this machine. Probes run in parallel under one deadline;
 * one that fails or hangs (WMI on Windows can) costs its own field, never the whole report.
 */
export async function detectMachine(deps: ProbeDeps, opts: DetectMachineOptions): Promise<MachineInfo> {
  const timeoutMs = opts.timeoutMs ?? 4500;
  // Child processes get less than the deadline so their own timeout, not ours, ends them.
  const childTimeoutMs = Math.max(500, timeoutMs - 1500);
  const failures: MachineInfo['probeFailures'] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });

  const probe = async <T>(name: string, run: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      const result = await Promise.race([run(), deadline]);
      if (result === 'timeout') {
        failures.push({ probe: name, message: `did not finish within ${timeoutMs} ms` });
        return fallback;
      }
      return result;
    } catch (error) {
      failures.push({ probe: name, message: error instanceof Error ? error.message : String(error) });
      return fallback;
    }
  };

  try {
    const ramMbP = probe('memory', async () => Math.round((await deps.si.mem()).total / MB), 0);
    const [gpuDetection, cpu, ramMb, disk, ae, ffmpeg] = await Promise.all([
      // RAM first: an Apple GPU's memory is the system's.
      probe('gpus', async () => detectGpuDetails(deps, { totalRamMb: (await ramMbP) || undefined, timeoutMs: childTimeoutMs }), { gpus: [], nvidiaSmi: false }),
      probe(
        'cpu',
        async () => {
          const c = await deps.si.cpu();
          return { model: `${c.manufacturer} ${c.brand}`.replace(/\s+/g, ' ').trim() || 'unknown', cores: c.cores || c.physicalCores || 0 };
        },
        { model: 'unknown', cores: 0 },
      ),
      ramMbP,
      probe('disk', () => freeDiskMb(deps, opts.workDir), 0),
      probe(
        'after-effects',
        () => detectAeInstalls(deps, { ...(opts.aerenderOverride === undefined ? {} : { override: opts.aerenderOverride }), timeoutMs: childTimeoutMs }),
        { installs: [], problems: [] },
      ),
      probe('ffmpeg', () => detectFfmpeg(deps, { timeoutMs: childTimeoutMs }), null),
    ]);
    return {
      gpus: gpuDetection.gpus,
      cpu,
      ramMb,
      freeDiskMb: disk,
      os: { platform: deps.platform, ...deps.host },
      aeInstalls: ae.installs,
      aeProblems: ae.problems,
      ffmpeg,
      nvidiaSmi: gpuDetection.nvidiaSmi,
      probeFailures: failures,
    };
  } finally {
    clearTimeout(timer);
  }
}
