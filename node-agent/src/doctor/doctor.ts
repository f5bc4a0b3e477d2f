import type { CacheUsage } from '../bundle/blob-cache.js';
import { REQUIRED_ENCODERS } from '../detect/ffmpeg.js';
import type { MachineInfo } from '../detect/machine.js';
import { formatGb, type DoctorCheck, type DoctorReport } from './doctor-check.js';

export type { DoctorCheck, DoctorReport, DoctorStatus } from './doctor-check.js';
export { formatDoctorReport } from './format-doctor-report.js';

export interface DoctorOptions {
  /** When given, checked to be an http(s) URL. */
  coordinatorUrl?: string;
  /** When given, not enrolled is a failure. */
  enrolled?: boolean;
  /** Free space the work directory needs. Default 20 GB. */
  minFreeDiskMb?: number;
  /** The chunk work folder, named in the disk check (its drive is the one machine.freeDiskMb measured). */
  workDir?: string;
  /** The downloaded-bundle cache: shown with its use and cap. */
  cache?: CacheUsage;
}

const DEFAULT_MIN_FREE_DISK_MB = 20 * 1024;
// Cards sold as 4 GB report 4096 MiB, some laptops a little less after the driver's reserve.
const MIN_VRAM_MB = 4000;
// A 16 GB machine reports ~15.5–15.9 GiB after firmware reservations.
const MIN_RAM_MB = 15 * 1024;

function ffmpegInstallHint(platform: string): string {
  if (platform === 'win32') return 'winget install Gyan.FFmpeg';
  if (platform === 'darwin') return 'brew install ffmpeg';
  return 'sudo apt-get install ffmpeg';
}

function gpuCheck(m: MachineInfo): DoctorCheck {
  const base = { id: 'gpu', title: 'GPU' };
  if (m.gpus.length === 0) {
    return {
      ...base,
      status: 'fail',
      detail: 'No GPU found (virtual and remote-desktop display adapters do not count).',
      fix: 'Install the graphics driver for your GPU (NVIDIA: nvidia.com/drivers, AMD: amd.com/support), restart, and run doctor again.',
    };
  }
  const listed = m.gpus.map((g) => `${g.model} (${g.unifiedMemory ? 'unified memory' : `${formatGb(g.vramMb)} VRAM`}${g.driver ? `, driver ${g.driver}` : ''})`);
  const nvidiaWithoutSmi = !m.nvidiaSmi && m.gpus.some((g) => g.vendor === 'NVIDIA');
  return {
    ...base,
    status: 'pass',
    detail: listed.join('; ') + (nvidiaWithoutSmi ? '. nvidia-smi did not answer, so NVIDIA details may be rough.' : ''),
  };
}

function vramCheck(m: MachineInfo): DoctorCheck {
  const base = { id: 'gpu-vram', title: 'GPU memory' };
  const best = m.gpus[0] && m.gpus.reduce((a, b) => (b.vramMb > a.vramMb ? b : a));
  if (!best) return { ...base, status: 'warn', detail: 'Skipped: no GPU found.' };
  if (best.unifiedMemory) return { ...base, status: 'pass', detail: `${best.model} shares the system's ${formatGb(best.vramMb)} (unified memory).` };
  if (best.vramMb < MIN_VRAM_MB) {
    return {
      ...base,
      status: 'warn',
      detail: `${best.model} has ${formatGb(best.vramMb)} of VRAM; under 4 GB After Effects drops many GPU effects to the CPU and renders slowly.`,
      fix: 'Renders still work, but this node will get little work. A GPU with 8 GB or more is worth it.',
    };
  }
  return { ...base, status: 'pass', detail: `${best.model}: ${formatGb(best.vramMb)} VRAM.` };
}

function aeCheck(m: MachineInfo): DoctorCheck {
  const base = { id: 'after-effects', title: 'After Effects' };
  if (m.aeInstalls.length === 0) {
    const why = m.aeProblems.map((p) => p.message).join(' ');
    return {
      ...base,
      status: 'fail',
      detail: `No After Effects found.${why ? ` ${why}` : ''}`,
      fix: 'Install After Effects 2020 or newer, or point the agent at aerender with AERENDER_PATH or --aerender <path>.',
    };
  }
  return { ...base, status: 'pass', detail: m.aeInstalls.map((a) => `${a.version} at ${a.path}`).join('; ') };
}

function aerenderVersionCheck(m: MachineInfo): DoctorCheck {
  const base = { id: 'aerender-version', title: 'aerender version' };
  if (m.aeInstalls.length === 0) return { ...base, status: 'warn', detail: 'Skipped: no After Effects found.' };
  const inferred = m.aeInstalls.filter((a) => a.versionInferred);
  if (inferred.length === 0) return { ...base, status: 'pass', detail: `Read from aerender: ${m.aeInstalls.map((a) => a.version).join(', ')}.` };
  const messages = m.aeProblems.filter((p) => inferred.some((a) => a.path === p.path)).map((p) => p.message);
  return {
    ...base,
    status: 'warn',
    detail: messages.join(' ') || `Could not read the version of ${inferred.map((a) => a.path).join(', ')}.`,
    fix: 'Run aerender once by hand (it should print "aerender version …"); if it does not start, repair or reinstall After Effects.',
  };
}

function ffmpegCheck(m: MachineInfo): DoctorCheck {
  const base = { id: 'ffmpeg', title: 'ffmpeg' };
  const fix = `Install ffmpeg (${ffmpegInstallHint(m.os.platform)}) or set FFMPEG_PATH.`;
  if (!m.ffmpeg) return { ...base, status: 'warn', detail: 'Not found. It is needed to assemble rendered chunks into one file.', fix };
  const { encoders } = m.ffmpeg;
  const missing = REQUIRED_ENCODERS.filter((e) => !encoders.includes(e));
  const detail = `${m.ffmpeg.version} at ${m.ffmpeg.path}`;
  if (missing.length > 0) {
    return { ...base, status: 'warn', detail: `${detail}, but it lacks ${missing.join(' and ')}, so some output formats cannot be assembled.`, fix: `Install a full ffmpeg build (${ffmpegInstallHint(m.os.platform)}) or set FFMPEG_PATH to one.` };
  }
  return { ...base, status: 'pass', detail };
}

function diskCheck(m: MachineInfo, minMb: number, workDir: string | undefined): DoctorCheck {
  const base = { id: 'disk', title: 'Free disk space' };
  const where = workDir ? ` (work folder ${workDir})` : '';
  if (m.freeDiskMb < minMb) {
    return {
      ...base,
      status: 'fail',
      detail: `${formatGb(m.freeDiskMb)} free in the work directory's drive${where}; at least ${formatGb(minMb)} is needed for project bundles and rendered frames.`,
      fix: `Free up ${formatGb(minMb - m.freeDiskMb)} on that drive, or choose a work directory on a larger one.`,
    };
  }
  return { ...base, status: 'pass', detail: `${formatGb(m.freeDiskMb)} free${where}.` };
}

const MB = 1024 ** 2;

/** 734003200 → "700 MB", 3.5 GiB → "3.5 GB". */
function formatBytes(bytes: number): string {
  return bytes < 1024 * MB ? `${Math.round(bytes / MB)} MB` : formatGb(bytes / MB);
}

function cacheCheck(m: MachineInfo, cache: CacheUsage): DoctorCheck {
  const base = { id: 'cache', title: 'Bundle cache' };
  const detail = `${formatBytes(cache.usedBytes)} used of ${formatGb(cache.capBytes / MB)} (${cache.blobs} file${cache.blobs === 1 ? '' : 's'}) in ${cache.dir}.`;
  const roomMb = m.freeDiskMb + cache.usedBytes / MB;
  if (roomMb < cache.capBytes / MB) {
    return {
      ...base,
      status: 'warn',
      detail: `${detail} The drive has only ${formatGb(m.freeDiskMb)} free, so the cache cannot grow to its cap and big bundles may not fit.`,
      fix: `Lower the cap (cloudexport-agent run --cache-gb ${Math.max(1, Math.floor(roomMb / 1024 / 2))}) or free space on that drive.`,
    };
  }
  return { ...base, status: 'pass', detail };
}

function ramCheck(m: MachineInfo): DoctorCheck {
  const base = { id: 'ram', title: 'Memory' };
  if (m.ramMb < MIN_RAM_MB) {
    return {
      ...base,
      status: 'warn',
      detail: `${formatGb(m.ramMb)} of RAM; After Effects needs 16 GB to render reliably, and multi-frame rendering wants more.`,
      fix: 'Heavy projects may fail or render slowly here; 32 GB is recommended.',
    };
  }
  return { ...base, status: 'pass', detail: `${formatGb(m.ramMb)}.` };
}

function coordinatorCheck(url: string): DoctorCheck {
  const base = { id: 'coordinator', title: 'Coordinator URL' };
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return { ...base, status: 'pass', detail: parsed.origin };
  return { ...base, status: 'fail', detail: `"${url}" is not an http(s) URL.`, fix: 'Use the URL shown in the console, for example https://render.example.com.' };
}

function enrolledCheck(enrolled: boolean): DoctorCheck {
  const base = { id: 'enrolled', title: 'Enrollment' };
  if (enrolled) return { ...base, status: 'pass', detail: 'This machine is enrolled.' };
  return {
    ...base,
    status: 'fail',
    detail: 'This machine is not enrolled, so it cannot take render work.',
    fix: 'In the console open Nodes → Add node and run the install command it shows on this machine.',
  };
}

function probeCheck(m: MachineInfo): DoctorCheck | null {
  if (m.probeFailures.length === 0) return null;
  return {
    id: 'probes',
    title: 'Hardware detection',
    status: 'warn',
    detail: m.probeFailures.map((f) => `${f.probe}: ${f.message}`).join('; '),
    fix: 'Run doctor again; if it repeats, the numbers above for those parts are placeholders.',
  };
}

/** Whether this machine can take render work, and what to do where it cannot. Pure: it reads only `machine`. */
export function doctorReport(machine: MachineInfo, opts: DoctorOptions = {}): DoctorReport {
  const checks: DoctorCheck[] = [
    gpuCheck(machine),
    vramCheck(machine),
    aeCheck(machine),
    aerenderVersionCheck(machine),
    ffmpegCheck(machine),
    diskCheck(machine, opts.minFreeDiskMb ?? DEFAULT_MIN_FREE_DISK_MB, opts.workDir),
    ramCheck(machine),
  ];
  if (opts.cache) checks.push(cacheCheck(machine, opts.cache));
  const probes = probeCheck(machine);
  if (probes) checks.push(probes);
  if (opts.coordinatorUrl !== undefined) checks.push(coordinatorCheck(opts.coordinatorUrl));
  if (opts.enrolled !== undefined) checks.push(enrolledCheck(opts.enrolled));
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
