import type { ProbeDeps } from './probe-deps.js';

export interface NvidiaSmiGpu {
  name: string;
  /** MiB, as nvidia-smi reports `memory.total` with `nounits`; null when it says `[N/A]`. */
  vramMb: number | null;
  driver: string | null;
  /** 0–100; null when the board does not report it (`[N/A]`, `[Not Supported]`). */
  utilizationPct: number | null;
}

export const NVIDIA_SMI_ARGS = ['--query-gpu=name,memory.total,driver_version,utilization.gpu', '--format=csv,noheader,nounits'] as const;

// Drivers before ~418 did not put nvidia-smi on PATH on Windows.
const WINDOWS_LEGACY_PATH = 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe';

/** `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `N/A`: nvidia-smi's ways of saying "no value". */
function field(raw: string | undefined): string | null {
  const value = raw?.trim() ?? '';
  if (value === '' || /^\[.*\]$/.test(value) || /^n\/a$/i.test(value)) return null;
  return value;
}

function numberField(raw: string | undefined): number | null {
  const value = field(raw);
  if (value === null) return null;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
}

/** Parses `name, memory.total, driver_version, utilization.gpu` lines, one per GPU. */
export function parseNvidiaSmiCsv(stdout: string): NvidiaSmiGpu[] {
  const gpus: NvidiaSmiGpu[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    // GPU names never contain commas; split from the right anyway so one would stay in the name.
    const parts = line.split(',');
    if (parts.length < 4) continue;
    const utilization = parts.pop();
    const driver = parts.pop();
    const memory = parts.pop();
    const name = field(parts.join(','));
    if (name === null) continue;
    const vram = numberField(memory);
    gpus.push({
      name,
      vramMb: vram === null ? null : Math.round(vram),
      driver: field(driver),
      utilizationPct: numberField(utilization),
    });
  }
  return gpus;
}

/**
 * Asks nvidia-smi about the NVIDIA GPUs. Null when there is no nvidia-smi, or it fails
 * (no driver loaded, no NVIDIA GPU): that is a normal machine, not an error.
 */
export async function queryNvidiaSmi(deps: Pick<ProbeDeps, 'exec' | 'platform'>, opts: { timeoutMs?: number } = {}): Promise<NvidiaSmiGpu[] | null> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const candidates = deps.platform === 'win32' ? ['nvidia-smi', WINDOWS_LEGACY_PATH] : ['nvidia-smi'];
  for (const cmd of candidates) {
    let result;
    try {
      result = await deps.exec(cmd, NVIDIA_SMI_ARGS, { timeoutMs });
    } catch {
      continue; // not installed here; try the next place
    }
    if (result.code !== 0) return null;
    const gpus = parseNvidiaSmiCsv(result.stdout);
    return gpus.length > 0 ? gpus : null;
  }
  return null;
}
